"""Attachments: the rows that say what was uploaded where, for which room and message."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

ATTACHMENT_COLUMNS = (
    "a.id, a.room_id, a.uploader_id, a.object_key, a.filename, a.content_type, a.size,"
    " a.status, a.seq, a.created_at, a.width, a.height, a.thumbnail_key"
)
# The attachments of message m as clients see them, for MESSAGE_COLUMNS (storage.messages).
ATTACHMENTS_SNAPSHOT = (
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'filename', a.filename,"
    " 'content_type', a.content_type, 'size', a.size, 'width', a.width, 'height', a.height,"
    " 'thumbnail', a.thumbnail_key IS NOT NULL) ORDER BY a.id), '[]'::jsonb)"
    " FROM attachments a WHERE a.room_id = m.room_id AND a.seq = m.seq AND a.status = 'ready')"
)


async def insert_attachment(
    *,
    conn: asyncpg.Connection,
    room_id: int,
    uploader_id: int,
    object_key: str,
    filename: str,
    content_type: str,
    size: int,
) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        "INSERT INTO attachments AS a"
        " (room_id, uploader_id, object_key, filename, content_type, size)"
        f" VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ATTACHMENT_COLUMNS}",
        room_id,
        uploader_id,
        object_key,
        filename,
        content_type,
        size,
    )
    return row


async def get_attachment(
    *, conn: asyncpg.Connection, room_id: int, attachment_id: int
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {ATTACHMENT_COLUMNS}, m.deleted_at AS message_deleted_at FROM attachments a"
        " LEFT JOIN messages m ON m.room_id = a.room_id AND m.seq = a.seq"
        " WHERE a.room_id = $1 AND a.id = $2",
        room_id,
        attachment_id,
    )
    return row


async def set_status(*, conn: asyncpg.Connection, attachment_id: int, status: str) -> None:
    await conn.execute("UPDATE attachments SET status = $2 WHERE id = $1", attachment_id, status)


async def set_ready(
    *,
    conn: asyncpg.Connection,
    attachment_id: int,
    width: int | None,
    height: int | None,
    thumbnail_key: str | None,
) -> None:
    """Only a pending row: not one the sweep withdrew meanwhile."""
    await conn.execute(
        "UPDATE attachments SET status = 'ready', width = $2, height = $3, thumbnail_key = $4"
        " WHERE id = $1 AND status = 'pending'",
        attachment_id,
        width,
        height,
        thumbnail_key,
    )


async def get_many(*, conn: asyncpg.Connection, ids: Sequence[int]) -> dict[int, asyncpg.Record]:
    """The attachments with these ids (for a batch of sends), locked until commit."""
    rows = await conn.fetch(
        f"SELECT {ATTACHMENT_COLUMNS} FROM attachments a WHERE a.id = ANY($1::bigint[])"
        " ORDER BY a.id FOR UPDATE",
        list(ids),
    )
    return {row["id"]: row for row in rows}


async def attach(*, conn: asyncpg.Connection, ids: Sequence[int], seqs: Sequence[int]) -> None:
    """Attachment ids[i] now belongs to message seqs[i] (of its own room)."""
    await conn.execute(
        "UPDATE attachments a SET seq = x.seq"
        " FROM unnest($1::bigint[], $2::bigint[]) AS x(id, seq) WHERE a.id = x.id",
        ids,
        seqs,
    )


async def mark_deleted_for_message(*, conn: asyncpg.Connection, room_id: int, seq: int) -> None:
    await conn.execute(
        "UPDATE attachments SET status = 'deleted' WHERE room_id = $1 AND seq = $2", room_id, seq
    )


# -- the sweep (chat.attachment_sweep) ---------------------------------------------------
# status 'deleted' means "withdrawn: no message shows it, no send may take it, its files are
# to be deleted". Rows get there when their message is deleted (mark_deleted_for_message) or
# when they were never sent (withdraw_unused); then their files are deleted, then the rows.


async def withdraw_unused(*, conn: asyncpg.Connection, older_than_s: float, limit: int) -> int:
    """Withdraw uploads never sent with a message (pending, ready or rejected) whose slot is
    older than that (by the database's clock); how many. One statement locks and changes each
    row only while it is still unsent: a send locks the attachments it names (get_many) and
    this skips them, or this holds them and the send waits, then finds them withdrawn and
    refuses them. So no message ever points at a file the sweep deletes."""
    done: str = await conn.execute(
        "UPDATE attachments SET status = 'deleted' WHERE id IN ("
        " SELECT id FROM attachments"
        " WHERE seq IS NULL AND status <> 'deleted'"
        " AND created_at < now() - make_interval(secs => $1)"
        " ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
        older_than_s,
        limit,
    )
    return int(done.split()[-1])


async def claim_withdrawn(
    *, conn: asyncpg.Connection, limit: int, room_id: int | None = None, seq: int | None = None
) -> list[asyncpg.Record]:
    """Withdrawn attachments (of message room_id/seq only, when given), locked until the
    transaction ends; rows another sweep holds are skipped."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, object_key, thumbnail_key FROM attachments WHERE status = 'deleted'"
        " AND ($2::bigint IS NULL OR (room_id = $2 AND seq = $3))"
        " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
        room_id,
        seq,
    )
    return rows


async def delete_rows(*, conn: asyncpg.Connection, ids: Sequence[int]) -> None:
    await conn.execute("DELETE FROM attachments WHERE id = ANY($1::bigint[])", list(ids))
