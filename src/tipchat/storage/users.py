"""Users and their password credentials."""

from __future__ import annotations

import asyncpg

USER_COLUMNS = "u.id, u.username, u.created_at"


async def insert_user(
    *, conn: asyncpg.Connection, username: str, password_hash: str | None
) -> int | None:
    """Create a user, with credentials unless password_hash is None (an account that signs in
    only through an OIDC provider); None when the name (case-insensitively) is taken."""
    user_id: int | None = await conn.fetchval(
        "INSERT INTO users (username) VALUES ($1)"
        " ON CONFLICT ((lower(username))) DO NOTHING RETURNING id",
        username,
    )
    if user_id is not None and password_hash is not None:
        await conn.execute(
            "INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)",
            user_id,
            password_hash,
        )
    return user_id


async def get_login(*, conn: asyncpg.Connection, username: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {USER_COLUMNS}, c.password_hash FROM users u"
        " JOIN credentials c ON c.user_id = u.id WHERE lower(u.username) = lower($1)",
        username,
    )
    return row


async def get_credentials(*, conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    """The user with their password hash; None when they have no password (or no account)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {USER_COLUMNS}, c.password_hash FROM users u"
        " JOIN credentials c ON c.user_id = u.id WHERE u.id = $1",
        user_id,
    )
    return row


async def set_password_hash(*, conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await conn.execute(
        "UPDATE credentials SET password_hash = $2, updated_at = now() WHERE user_id = $1",
        user_id,
        password_hash,
    )


async def get_user(*, conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1", user_id
    )
    return row


async def get_live_user(*, conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    """The user unless their account was deleted: someone one can still invite or DM."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL", user_id
    )
    return row


async def search_users(
    *, conn: asyncpg.Connection, prefix: str, limit: int, exclude_id: int
) -> list[asyncpg.Record]:
    """Users whose name starts with prefix (case-insensitive), shortest names first."""
    pattern = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {USER_COLUMNS} FROM users u"
        " WHERE lower(u.username) LIKE $1 AND u.id <> $2 AND u.deleted_at IS NULL"
        " ORDER BY length(u.username), lower(u.username) LIMIT $3",
        pattern,
        exclude_id,
        limit,
    )
    return rows


async def usernames(*, conn: asyncpg.Connection, user_ids: list[int]) -> dict[int, str]:
    rows = await conn.fetch("SELECT id, username FROM users WHERE id = ANY($1::bigint[])", user_ids)
    return {row["id"]: row["username"] for row in rows}


async def lock_live_user(*, conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    """The user row, locked for this transaction, with their password hash (NULL without
    one); None when there is no such account or it was deleted."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {USER_COLUMNS}, c.password_hash FROM users u"
        " LEFT JOIN credentials c ON c.user_id = u.id"
        " WHERE u.id = $1 AND u.deleted_at IS NULL FOR UPDATE OF u",
        user_id,
    )
    return row


async def erase_user(*, conn: asyncpg.Connection, user_id: int, tombstone: str) -> list[str]:
    """Erase what identifies user_id: their name becomes `tombstone`, and their password,
    external identities, wallets, blocks and pending sign-ins go. The row stays, so what
    others see of them (messages kept, tips, audit events) still points somewhere.
    Returns the wallet addresses that were unlinked."""
    await conn.execute(
        "UPDATE users SET username = $2, deleted_at = now() WHERE id = $1", user_id, tombstone
    )
    for table, column in (
        ("credentials", "user_id"),
        ("user_identities", "user_id"),
        ("siwe_nonces", "user_id"),
        ("oidc_flows", "link_user_id"),
        ("blocks", "user_id"),
        ("blocks", "blocked_id"),
    ):
        await conn.execute(f"DELETE FROM {table} WHERE {column} = $1", user_id)
    rows = await conn.fetch("DELETE FROM wallets WHERE user_id = $1 RETURNING address", user_id)
    return [row["address"] for row in rows]
