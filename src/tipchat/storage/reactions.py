"""Reactions: one row per (message, user, emoji)."""

from __future__ import annotations

import asyncpg

# Who reacted is listed up to this many users per emoji (the first to react); the count is
# always exact. A message in a big room can gather thousands of reactions, and every
# reaction change sends the whole snapshot to everyone in the room.
MAX_LISTED_USERS = 20

# The reactions of message m as clients see them: [{emoji, count, user_ids}], in the order
# each emoji first appeared. For MESSAGE_COLUMNS (storage.messages).
REACTIONS_SNAPSHOT = (
    "(SELECT coalesce(jsonb_agg(jsonb_build_object("
    "'emoji', g.emoji, 'count', g.n, 'user_ids', to_jsonb(g.users)) ORDER BY g.first, g.emoji),"
    " '[]'::jsonb)"
    " FROM (SELECT r.emoji, count(*) AS n, min(r.created_at) AS first,"
    f" (array_agg(r.user_id ORDER BY r.created_at, r.user_id))[1:{MAX_LISTED_USERS}] AS users"
    " FROM reactions r WHERE r.room_id = m.room_id AND r.seq = m.seq GROUP BY r.emoji) g)"
)


async def add_reaction(
    *, conn: asyncpg.Connection, room_id: int, seq: int, user_id: int, emoji: str
) -> bool:
    """False when this user already reacted with this emoji."""
    status: str = await conn.execute(
        "INSERT INTO reactions (room_id, seq, emoji, user_id) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING",
        room_id,
        seq,
        emoji,
        user_id,
    )
    return status.endswith(" 1")


async def remove_reaction(
    *, conn: asyncpg.Connection, room_id: int, seq: int, user_id: int, emoji: str
) -> bool:
    """False when there was no such reaction."""
    status: str = await conn.execute(
        "DELETE FROM reactions WHERE room_id = $1 AND seq = $2 AND emoji = $3 AND user_id = $4",
        room_id,
        seq,
        emoji,
        user_id,
    )
    return status.endswith(" 1")


async def has_emoji(*, conn: asyncpg.Connection, room_id: int, seq: int, emoji: str) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM reactions WHERE room_id = $1 AND seq = $2 AND emoji = $3)",
        room_id,
        seq,
        emoji,
    )
    return found


async def count_emojis(*, conn: asyncpg.Connection, room_id: int, seq: int) -> int:
    """How many distinct emojis message seq carries."""
    count: int = await conn.fetchval(
        "SELECT count(DISTINCT emoji) FROM reactions WHERE room_id = $1 AND seq = $2",
        room_id,
        seq,
    )
    return count


async def delete_for_message(*, conn: asyncpg.Connection, room_id: int, seq: int) -> None:
    await conn.execute("DELETE FROM reactions WHERE room_id = $1 AND seq = $2", room_id, seq)
