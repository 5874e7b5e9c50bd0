"""Identities at external OIDC providers, and OIDC sign-ins in progress (oidc_flows)."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def insert_flow(
    *,
    conn: asyncpg.Connection,
    state: str,
    nonce: str,
    code_verifier: str,
    browser_hash: bytes,
    link_user_id: int | None,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO oidc_flows (state, nonce, code_verifier, browser_hash, link_user_id,"
        " expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        state,
        nonce,
        code_verifier,
        browser_hash,
        link_user_id,
        expires_at,
    )


async def take_flow(*, conn: asyncpg.Connection, state: str) -> asyncpg.Record | None:
    """Single use: the flow is gone once read, whatever the callback makes of it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "DELETE FROM oidc_flows WHERE state = $1"
        " RETURNING nonce, code_verifier, browser_hash, link_user_id, expires_at",
        state,
    )
    return row


async def delete_expired_flows(*, conn: asyncpg.Connection) -> None:
    await conn.execute("DELETE FROM oidc_flows WHERE expires_at < now()")


async def lock_identity(*, conn: asyncpg.Connection, issuer: str, subject: str) -> None:
    """Serialize sign-ins of one identity (in a transaction): two first sign-ins at once
    must make one account, not two. (Two identities whose keys collide only wait for each
    other.)"""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 7))", issuer, subject
    )


async def get_identity(
    *, conn: asyncpg.Connection, issuer: str, subject: str
) -> asyncpg.Record | None:
    """The identity's user: user_id, username, deleted_at."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT u.id AS user_id, u.username, u.deleted_at FROM user_identities i"
        " JOIN users u ON u.id = i.user_id WHERE i.issuer = $1 AND i.subject = $2",
        issuer,
        subject,
    )
    return row


async def insert_identity(
    *, conn: asyncpg.Connection, issuer: str, subject: str, user_id: int, email: str | None
) -> None:
    await conn.execute(
        "INSERT INTO user_identities (issuer, subject, user_id, email, last_login_at)"
        " VALUES ($1, $2, $3, $4, now())",
        issuer,
        subject,
        user_id,
        email,
    )


async def touch_identity(
    *, conn: asyncpg.Connection, issuer: str, subject: str, email: str | None
) -> None:
    await conn.execute(
        "UPDATE user_identities SET last_login_at = now(), email = $3"
        " WHERE issuer = $1 AND subject = $2",
        issuer,
        subject,
        email,
    )


async def get_account(*, conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    """id, username, deleted_at: whether an account may still sign in or be linked to."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, username, deleted_at FROM users WHERE id = $1", user_id
    )
    return row
