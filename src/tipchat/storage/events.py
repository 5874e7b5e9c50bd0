"""The room event log: one row per seq, payload is the exact frame clients receive."""

from __future__ import annotations

import asyncpg


async def next_seq(*, conn: asyncpg.Connection, room_id: int) -> asyncpg.Record | None:
    """Take the room's next seq: (seq, now, kind), or None if there is no such room.

    Locks the room row until the transaction ends, which is what makes seqs gap-free and a
    room's commits ordered; membership changes take the same lock first, so a check made
    after it holds until commit. `now` is the transaction's timestamp, the event's time."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "UPDATE rooms SET last_seq = last_seq + 1, last_event_at = now() WHERE id = $1"
        " RETURNING last_seq AS seq, now() AS now, kind",
        room_id,
    )
    return row


async def insert_event(
    *,
    conn: asyncpg.Connection,
    room_id: int,
    seq: int,
    type: str,
    payload: str,
    target_seq: int | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO room_events (room_id, seq, type, payload, target_seq)"
        " VALUES ($1, $2, $3, $4, $5)",
        room_id,
        seq,
        type,
        payload,
        target_seq,
    )


async def redact_message_events(
    *, conn: asyncpg.Connection, room_id: int, seq: int, snapshot: str
) -> None:
    """Put snapshot in place of the message in every stored frame about message seq (its
    creation and its edits), so a deleted body never comes back on replay."""
    await conn.execute(
        "UPDATE room_events"
        " SET payload = jsonb_set(payload::jsonb, '{message}', $3::text::jsonb)::json"
        " WHERE room_id = $1 AND (seq = $2 OR target_seq = $2)",
        room_id,
        seq,
        snapshot,
    )


async def events_after(
    *, conn: asyncpg.Connection, room_id: int, after_seq: int, limit: int
) -> list[tuple[int, str]]:
    """(seq, frame text) of the events after after_seq, ascending, at most limit."""
    rows = await conn.fetch(
        "SELECT seq, payload::text AS payload FROM room_events"
        " WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        room_id,
        after_seq,
        limit,
    )
    return [(row["seq"], row["payload"]) for row in rows]


async def rename_user_in_events(*, conn: asyncpg.Connection, old: str, new: str) -> int:
    """Replace a user's name in every stored event that carries it (as a message's
    `sender` or a member event's `username`); the number of events changed. Names match
    the username rule (letters, digits, _), so the quoted name cannot occur otherwise in
    those keys. This reads the whole log once: it runs only when an account is deleted."""
    status: str = await conn.execute(
        "UPDATE room_events SET payload = replace(replace(payload::text,"
        " '\"sender\":\"' || $1 || '\"', '\"sender\":\"' || $2 || '\"'),"
        " '\"username\":\"' || $1 || '\"', '\"username\":\"' || $2 || '\"')::json"
        " WHERE strpos(payload::text, '\"' || $1 || '\"') > 0",
        old,
        new,
    )
    return int(status.split()[-1])
