"""Set-based statements for a batch of sends: one statement per step for the whole batch.

A batch of N messages costs the same five round trips as one message (BEGIN, lock the
rooms, check every send, write everything, COMMIT), so the cost of a send falls as load
rises instead of each send paying its own transaction and fsync.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class LockedRoom:
    kind: str
    last_seq: int


async def lock_rooms(
    *, conn: asyncpg.Connection, room_ids: Sequence[int]
) -> tuple[dict[int, LockedRoom], datetime]:
    """Lock the rooms (missing ones are absent from the result) and return the transaction's
    time. Locks are taken in id order, so two batches never wait for each other in a cycle."""
    rows = await conn.fetch(
        "SELECT id, kind, last_seq, now() AS now FROM rooms WHERE id = ANY($1::bigint[])"
        " ORDER BY id FOR UPDATE",
        sorted(set(room_ids)),
    )
    now: datetime = rows[0]["now"] if rows else await conn.fetchval("SELECT now()")
    return {row["id"]: LockedRoom(row["kind"], row["last_seq"]) for row in rows}, now


@dataclass(frozen=True)
class SendCheck:
    member: bool
    reply_found: bool
    # The message an earlier send with the same (sender, client_msg_id) created, if any.
    existing_room_id: int | None
    existing_seq: int | None
    # A DM whose other member blocks the sender (the send is refused).
    blocked: bool = False


async def check_sends(
    *,
    conn: asyncpg.Connection,
    room_ids: Sequence[int],
    sender_ids: Sequence[int],
    client_msg_ids: Sequence[str],
    reply_tos: Sequence[int | None],
) -> list[SendCheck]:
    """Membership, the replied-to message and an earlier send, for each send, in order.
    Run it after lock_rooms: a membership change takes the room lock, so what this reads
    holds until commit."""
    rows = await conn.fetch(
        "SELECT i.n,"
        " EXISTS (SELECT 1 FROM memberships m"
        "         WHERE m.room_id = i.room_id AND m.user_id = i.sender_id) AS member,"
        " i.reply_to IS NULL OR EXISTS (SELECT 1 FROM messages r"
        "         WHERE r.room_id = i.room_id AND r.seq = i.reply_to) AS reply_found,"
        " e.room_id AS existing_room_id, e.seq AS existing_seq,"
        " EXISTS (SELECT 1 FROM rooms r"
        "         JOIN memberships o ON o.room_id = r.id AND o.user_id <> i.sender_id"
        "         JOIN blocks b ON b.user_id = o.user_id AND b.blocked_id = i.sender_id"
        "         WHERE r.id = i.room_id AND r.kind = 'dm') AS blocked"
        " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[])"
        "      WITH ORDINALITY AS i(room_id, sender_id, client_msg_id, reply_to, n)"
        " LEFT JOIN messages e"
        "   ON e.sender_id = i.sender_id AND e.client_msg_id = i.client_msg_id"
        " ORDER BY i.n",
        room_ids,
        sender_ids,
        client_msg_ids,
        reply_tos,
    )
    return [
        SendCheck(
            row["member"],
            row["reply_found"],
            row["existing_room_id"],
            row["existing_seq"],
            row["blocked"],
        )
        for row in rows
    ]


async def write_sends(
    *,
    conn: asyncpg.Connection,
    last_seqs: dict[int, int],
    room_ids: Sequence[int],
    seqs: Sequence[int],
    payloads: Sequence[str],
    sender_ids: Sequence[int],
    client_msg_ids: Sequence[str],
    bodies: Sequence[str],
    reply_tos: Sequence[int | None],
    created_at: datetime,
    mentions: Sequence[tuple[int, int, int]] = (),
) -> int:
    """Advance each room's last_seq, insert the message events and the messages, in one
    statement, with their mentions ((room_id, seq, user_id) rows; only of messages that were
    inserted). Returns how many messages were inserted: fewer than given means another
    transaction took one of these (sender, client_msg_id) pairs meanwhile."""
    inserted: int = await conn.fetchval(
        "WITH advanced AS ("
        "  UPDATE rooms SET last_seq = a.last_seq, last_event_at = now()"
        "  FROM unnest($1::bigint[], $2::bigint[]) AS a(id, last_seq) WHERE rooms.id = a.id"
        "), logged AS ("
        "  INSERT INTO room_events (room_id, seq, type, payload)"
        "  SELECT room_id, seq, 'message', payload::json"
        "  FROM unnest($3::bigint[], $4::bigint[], $5::text[]) AS e(room_id, seq, payload)"
        "), inserted AS ("
        "  INSERT INTO messages"
        "    (room_id, seq, sender_id, client_msg_id, body, reply_to, created_at)"
        "  SELECT room_id, seq, sender_id, client_msg_id, body, reply_to, $10"
        "  FROM unnest($3::bigint[], $4::bigint[], $6::bigint[], $7::text[], $8::text[],"
        "              $9::bigint[]) AS m(room_id, seq, sender_id, client_msg_id, body, reply_to)"
        "  ON CONFLICT (sender_id, client_msg_id) DO NOTHING RETURNING room_id, seq"
        "), mentioned AS ("
        "  INSERT INTO mentions (room_id, seq, user_id)"
        "  SELECT x.room_id, x.seq, x.user_id"
        "  FROM unnest($11::bigint[], $12::bigint[], $13::bigint[]) AS x(room_id, seq, user_id)"
        "  JOIN inserted USING (room_id, seq)"
        ") SELECT count(*) FROM inserted",
        list(last_seqs),
        list(last_seqs.values()),
        room_ids,
        seqs,
        payloads,
        sender_ids,
        client_msg_ids,
        bodies,
        reply_tos,
        created_at,
        [m[0] for m in mentions],
        [m[1] for m in mentions],
        [m[2] for m in mentions],
    )
    return inserted
