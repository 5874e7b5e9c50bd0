"""Linked wallets and the single-use SIWE nonces that prove them."""

from __future__ import annotations

from datetime import datetime

import asyncpg

# Nonces a user may hold at once; asking for more drops the oldest (each page load of a
# wallet dialog asks for one, and most are never used).
MAX_NONCES_PER_USER = 10


async def insert_nonce(
    *, conn: asyncpg.Connection, user_id: int, nonce: str, ttl_s: int
) -> datetime:
    """Store a fresh nonce for user_id; its expiry. Expired and surplus nonces go first."""
    await conn.execute(
        "DELETE FROM siwe_nonces WHERE user_id = $1 AND (expires_at < now() OR nonce IN"
        " (SELECT nonce FROM siwe_nonces WHERE user_id = $1 ORDER BY created_at DESC"
        " OFFSET $2))",
        user_id,
        MAX_NONCES_PER_USER - 1,
    )
    expires_at: datetime = await conn.fetchval(
        "INSERT INTO siwe_nonces (nonce, user_id, expires_at)"
        " VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at",
        nonce,
        user_id,
        float(ttl_s),
    )
    return expires_at


async def take_nonce(
    *, conn: asyncpg.Connection, user_id: int, nonce: str
) -> asyncpg.Record | None:
    """Delete and return (created_at) the user's unexpired nonce; None if there is none.

    One statement, so two attempts with one nonce cannot both get it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "DELETE FROM siwe_nonces WHERE nonce = $1 AND user_id = $2 AND expires_at > now()"
        " RETURNING created_at",
        nonce,
        user_id,
    )
    return row


async def insert_wallet(
    *, conn: asyncpg.Connection, user_id: int, address: str, chain_id: int
) -> asyncpg.Record:
    """Link address to user_id (again: no change). The row, whoever owns it: the caller
    compares user_id to tell a link from an address already linked to someone else."""
    row: asyncpg.Record = await conn.fetchrow(
        "WITH new AS (INSERT INTO wallets (address, user_id, chain_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (address) DO NOTHING RETURNING address, user_id, chain_id, linked_at)"
        " SELECT * FROM new UNION ALL"
        " SELECT address, user_id, chain_id, linked_at FROM wallets WHERE address = $1"
        " LIMIT 1",
        address,
        user_id,
        chain_id,
    )
    return row


async def delete_wallet(*, conn: asyncpg.Connection, user_id: int, address: str) -> bool:
    status: str = await conn.execute(
        "DELETE FROM wallets WHERE user_id = $1 AND address = $2", user_id, address
    )
    return status.endswith(" 1")


async def list_wallets(*, conn: asyncpg.Connection, user_id: int) -> list[asyncpg.Record]:
    """A user's wallets, most recently linked first (the first is the default for tips)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT address, chain_id, linked_at FROM wallets WHERE user_id = $1"
        " ORDER BY linked_at DESC, address",
        user_id,
    )
    return rows


async def owner_of(*, conn: asyncpg.Connection, address: str) -> int | None:
    user_id: int | None = await conn.fetchval(
        "SELECT user_id FROM wallets WHERE address = $1", address
    )
    return user_id
