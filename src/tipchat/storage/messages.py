"""Messages: the current state of each message, keyed by the seq of the event that created it."""

from __future__ import annotations

import asyncpg

from tipchat.storage.attachments import ATTACHMENTS_SNAPSHOT
from tipchat.storage.reactions import REACTIONS_SNAPSHOT
from tipchat.storage.tips import TIP_SNAPSHOT

MESSAGE_COLUMNS = (
    "m.room_id, m.seq, m.sender_id, u.username AS sender, m.client_msg_id, m.kind, m.body,"
    " m.reply_to, m.created_at, m.edited_at, m.deleted_at,"
    # A tip message shows its tip's current state (NULL for other kinds).
    f" (SELECT {TIP_SNAPSHOT} FROM tips t WHERE t.room_id = m.room_id AND t.seq = m.seq) AS tip,"
    f" {REACTIONS_SNAPSHOT} AS reactions,"
    # The members the message mentions (storage.mentions), in id order.
    " ARRAY(SELECT x.user_id FROM mentions x WHERE x.room_id = m.room_id AND x.seq = m.seq"
    " ORDER BY x.user_id) AS mentions,"
    f" {ATTACHMENTS_SNAPSHOT} AS attachments"
)
_FROM = "FROM messages m JOIN users u ON u.id = m.sender_id"


async def get_message(
    *, conn: asyncpg.Connection, room_id: int, seq: int, lock: bool = False
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {MESSAGE_COLUMNS} {_FROM} WHERE m.room_id = $1 AND m.seq = $2"
        + (" FOR UPDATE OF m" if lock else ""),
        room_id,
        seq,
    )
    return row


async def update_body(
    *, conn: asyncpg.Connection, room_id: int, seq: int, body: str
) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        "WITH m AS (UPDATE messages SET body = $3, edited_at = now()"
        " WHERE room_id = $1 AND seq = $2 RETURNING *)"
        f" SELECT {MESSAGE_COLUMNS} FROM m JOIN users u ON u.id = m.sender_id",
        room_id,
        seq,
        body,
    )
    return row


async def mark_deleted(*, conn: asyncpg.Connection, room_id: int, seq: int) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        "WITH m AS (UPDATE messages SET body = NULL, deleted_at = now()"
        " WHERE room_id = $1 AND seq = $2 RETURNING *)"
        f" SELECT {MESSAGE_COLUMNS} FROM m JOIN users u ON u.id = m.sender_id",
        room_id,
        seq,
    )
    return row


async def page(
    *,
    conn: asyncpg.Connection,
    room_id: int,
    before_seq: int | None,
    after_seq: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to limit messages in ascending seq order: the newest before before_seq, the oldest
    after after_seq, or the newest of all when neither is given."""
    if after_seq is not None:
        rows: list[asyncpg.Record] = await conn.fetch(
            f"SELECT {MESSAGE_COLUMNS} {_FROM} WHERE m.room_id = $1 AND m.seq > $2"
            " AND ($3::bigint IS NULL OR m.seq < $3) ORDER BY m.seq LIMIT $4",
            room_id,
            after_seq,
            before_seq,
            limit,
        )
        return rows
    rows = await conn.fetch(
        f"SELECT {MESSAGE_COLUMNS} {_FROM} WHERE m.room_id = $1"
        " AND ($2::bigint IS NULL OR m.seq < $2) ORDER BY m.seq DESC LIMIT $3",
        room_id,
        before_seq,
        limit,
    )
    return rows[::-1]


async def live_seqs_of_sender(*, conn: asyncpg.Connection, user_id: int) -> dict[int, list[int]]:
    """room id -> seqs of the text messages user_id sent that are not deleted (tips stay:
    they record payments, which the chain keeps anyway)."""
    rows = await conn.fetch(
        "SELECT room_id, seq FROM messages"
        " WHERE sender_id = $1 AND kind = 'text' AND deleted_at IS NULL"
        " ORDER BY room_id, seq",
        user_id,
    )
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row["room_id"], []).append(row["seq"])
    return found
