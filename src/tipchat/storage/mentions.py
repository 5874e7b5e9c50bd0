"""Mentions: which room members a message @mentions, resolved when it is sent or edited."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from tipchat.storage.messages import MESSAGE_COLUMNS


async def resolve(
    *,
    conn: asyncpg.Connection,
    sends: Sequence[int],
    room_ids: Sequence[int],
    sender_ids: Sequence[int],
    names: Sequence[str],
) -> dict[int, list[int]]:
    """For many sends at once (row i: send number sends[i] in room room_ids[i] by
    sender_ids[i] names names[i]): send number -> the ids of the named users who are members
    of that room, ascending. Names of non-members and unknown names resolve to nothing, and
    the sender is never mentioned by their own message."""
    rows = await conn.fetch(
        "SELECT i.n, array_agg(DISTINCT u.id ORDER BY u.id) AS user_ids"
        " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[])"
        "      AS i(n, room_id, sender_id, name)"
        " JOIN users u ON lower(u.username) = lower(i.name)"
        " JOIN memberships ms ON ms.room_id = i.room_id AND ms.user_id = u.id"
        " WHERE u.id <> i.sender_id"
        " GROUP BY i.n",
        sends,
        room_ids,
        sender_ids,
        names,
    )
    return {row["n"]: list(row["user_ids"]) for row in rows}


async def replace_for_message(
    *, conn: asyncpg.Connection, room_id: int, seq: int, user_ids: Sequence[int]
) -> None:
    """After an edit: the message mentions exactly user_ids."""
    await conn.execute(
        "DELETE FROM mentions"
        " WHERE room_id = $1 AND seq = $2 AND NOT (user_id = ANY($3::bigint[]))",
        room_id,
        seq,
        user_ids,
    )
    await conn.execute(
        "INSERT INTO mentions (room_id, seq, user_id)"
        " SELECT $1, $2, u FROM unnest($3::bigint[]) AS u ON CONFLICT DO NOTHING",
        room_id,
        seq,
        user_ids,
    )


async def delete_for_message(*, conn: asyncpg.Connection, room_id: int, seq: int) -> None:
    await conn.execute("DELETE FROM mentions WHERE room_id = $1 AND seq = $2", room_id, seq)


async def list_for_user(
    *, conn: asyncpg.Connection, user_id: int, before_id: int | None, limit: int
) -> list[asyncpg.Record]:
    """The messages that mention user_id, newest first, with the mention's id (the paging
    key): only in rooms the user is a member of now, never deleted ones, never from users
    they block."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT x.id AS mention_id, {MESSAGE_COLUMNS}"
        " FROM mentions x"
        " JOIN memberships me ON me.room_id = x.room_id AND me.user_id = x.user_id"
        " JOIN messages m ON m.room_id = x.room_id AND m.seq = x.seq"
        " JOIN users u ON u.id = m.sender_id"
        " WHERE x.user_id = $1 AND ($2::bigint IS NULL OR x.id < $2)"
        "   AND m.deleted_at IS NULL"
        "   AND NOT EXISTS (SELECT 1 FROM blocks b"
        "                   WHERE b.user_id = $1 AND b.blocked_id = m.sender_id)"
        " ORDER BY x.id DESC LIMIT $3",
        user_id,
        before_id,
        limit,
    )
    return rows
