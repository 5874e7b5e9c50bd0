"""Refresh tokens: stored hashed, grouped in families for reuse detection."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg


async def insert_refresh_token(
    *,
    conn: asyncpg.Connection,
    token_hash: bytes,
    family_id: UUID,
    user_id: int,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at)"
        " VALUES ($1, $2, $3, $4)",
        token_hash,
        family_id,
        user_id,
        expires_at,
    )


async def lock_refresh_token(
    *, conn: asyncpg.Connection, token_hash: bytes
) -> asyncpg.Record | None:
    """The token row, locked for this transaction so two refreshes cannot both spend it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT token_hash, family_id, user_id, expires_at, used_at, revoked_at"
        " FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
        token_hash,
    )
    return row


async def mark_used(*, conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute(
        "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", token_hash
    )


async def revoke_family(*, conn: asyncpg.Connection, family_id: UUID) -> None:
    await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family_id,
    )


async def family_of(*, conn: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    """The token's user_id and family_id."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = $1", token_hash
    )
    return row


async def revoke_user_families(
    *, conn: asyncpg.Connection, user_id: int, keep: UUID | None
) -> list[UUID]:
    """Revoke every live session of user_id except family `keep`; the families revoked."""
    rows = await conn.fetch(
        "UPDATE refresh_tokens SET revoked_at = now()"
        " WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2"
        " RETURNING family_id",
        user_id,
        keep,
    )
    return list(dict.fromkeys(row["family_id"] for row in rows))


async def recently_revoked(*, conn: asyncpg.Connection, within_s: float) -> list[tuple[int, UUID]]:
    """(user id, family) of the sessions revoked within the last within_s seconds."""
    rows = await conn.fetch(
        "SELECT DISTINCT user_id, family_id FROM refresh_tokens"
        " WHERE revoked_at > now() - make_interval(secs => $1)",
        within_s,
    )
    return [(row["user_id"], row["family_id"]) for row in rows]
