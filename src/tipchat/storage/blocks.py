"""Blocks: user_id blocks blocked_id."""

from __future__ import annotations

import asyncpg


async def insert_block(*, conn: asyncpg.Connection, user_id: int, blocked_id: int) -> bool:
    """False when already blocked."""
    status: str = await conn.execute(
        "INSERT INTO blocks (user_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        user_id,
        blocked_id,
    )
    return status.endswith(" 1")


async def delete_block(*, conn: asyncpg.Connection, user_id: int, blocked_id: int) -> bool:
    status: str = await conn.execute(
        "DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2", user_id, blocked_id
    )
    return status.endswith(" 1")


async def is_blocked(*, conn: asyncpg.Connection, user_id: int, blocked_id: int) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2)",
        user_id,
        blocked_id,
    )
    return found


async def list_blocks(*, conn: asyncpg.Connection, user_id: int) -> list[asyncpg.Record]:
    """The users user_id blocks: (id, username, blocked_at), most recent first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT u.id, u.username, b.created_at AS blocked_at"
        " FROM blocks b JOIN users u ON u.id = b.blocked_id"
        " WHERE b.user_id = $1 ORDER BY b.created_at DESC, u.id",
        user_id,
    )
    return rows


async def set_muted(*, conn: asyncpg.Connection, room_id: int, user_id: int, muted: bool) -> None:
    """Mute a room for one member (a column of the membership: leaving forgets it)."""
    await conn.execute(
        "UPDATE memberships SET muted = $3 WHERE room_id = $1 AND user_id = $2",
        room_id,
        user_id,
        muted,
    )


async def room_badges(
    *, conn: asyncpg.Connection, user_id: int, room_id: int | None = None
) -> dict[int, tuple[bool, int]]:
    """For each room of user_id (or just room_id): (muted, unread mentions). Unread mentions
    are mentions of the user above their read marker, in messages not deleted, from users
    they do not block."""
    rows = await conn.fetch(
        "SELECT me.room_id, me.muted,"
        " (SELECT count(*) FROM mentions x JOIN messages m ON m.room_id = x.room_id"
        "                                               AND m.seq = x.seq"
        "   WHERE x.user_id = me.user_id AND x.room_id = me.room_id"
        "     AND x.seq > me.last_read_seq AND m.deleted_at IS NULL"
        "     AND NOT EXISTS (SELECT 1 FROM blocks b"
        "                     WHERE b.user_id = me.user_id AND b.blocked_id = m.sender_id)"
        " ) AS unread_mentions"
        " FROM memberships me WHERE me.user_id = $1 AND ($2::bigint IS NULL OR me.room_id = $2)",
        user_id,
        room_id,
    )
    return {row["room_id"]: (row["muted"], row["unread_mentions"]) for row in rows}
