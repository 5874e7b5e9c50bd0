"""The security audit log: append-only (a trigger refuses updates and deletes)."""

from __future__ import annotations

import enum
from typing import Any

import asyncpg


class AuditEvent(enum.StrEnum):
    """Stable names: they are what a user and an operator read back."""

    login_succeeded = "login_succeeded"
    login_failed = "login_failed"
    oidc_login_succeeded = "oidc_login_succeeded"
    oidc_identity_linked = "oidc_identity_linked"
    registered = "registered"
    refresh_token_reused = "refresh_token_reused"  # noqa: S105 (an event name)
    password_changed = "password_changed"  # noqa: S105 (an event name)
    wallet_linked = "wallet_linked"
    wallet_unlinked = "wallet_unlinked"
    role_changed = "role_changed"
    member_removed = "member_removed"
    message_deleted_by_moderator = "message_deleted_by_moderator"
    account_deleted = "account_deleted"


async def insert_event(
    *,
    conn: asyncpg.Connection,
    event: AuditEvent,
    user_id: int | None,
    actor_id: int | None,
    ip: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    """user_id is whose account the event is about; actor_id is who did it (a moderator
    removing someone, or the user themselves)."""
    await conn.execute(
        "INSERT INTO audit_events (user_id, actor_id, event, ip, details)"
        " VALUES ($1, $2, $3, $4, $5)",
        user_id,
        actor_id,
        event.value,
        ip,
        details or {},  # jsonb: the pool's codec encodes it (storage.database)
    )


async def list_events(
    *, conn: asyncpg.Connection, user_id: int, before_id: int | None, limit: int
) -> list[asyncpg.Record]:
    """A user's own events, newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, at, actor_id, event, ip, details FROM audit_events"
        " WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        user_id,
        before_id,
        limit,
    )
    return rows
