"""The room event log and the frames clients receive.

An event is appended inside the writer's transaction (`append`), and published on the bus only
after that transaction commits (`publish`): subscribers never see an event that could still
roll back, and a crash between commit and publish costs a delay, not an event, because
receivers fill gaps from storage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from tipchat import metrics
from tipchat.services import Services
from tipchat.storage import events as event_store

# Frames that are not room events: no seq, not stored, not replayed, delivered as they come.
EPHEMERAL_TYPES = frozenset(("read", "typing", "presence"))


def room_channel(room_id: int) -> str:
    return f"room:{room_id}"


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


@dataclass(frozen=True)
class Event:
    room_id: int
    seq: int
    type: str
    frame: bytes  # serialized once; every socket gets these bytes
    notify_user: int | None = None  # also publish to this user's channel (membership changes)


def message_snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """A message as clients see it; the same shape in events and in history pages."""
    return {
        "room_id": row["room_id"],
        "seq": row["seq"],
        "sender_id": row["sender_id"],
        "sender": row["sender"],
        "client_msg_id": row["client_msg_id"],
        "kind": row["kind"],
        "body": row["body"],
        "reply_to": row["reply_to"],
        "created_at": row["created_at"],
        "edited_at": row["edited_at"],
        "deleted": row["deleted_at"] is not None,
        # For kind "tip": the tip's state (tips' TIP_SNAPSHOT), kept current by tip_updated.
        "tip": row.get("tip"),
        # [{emoji, count, user_ids}]: exact counts, the first reactors (storage.reactions).
        "reactions": row.get("reactions") or [],
        # User ids of the room members the body @mentions (chat.mentions).
        "mentions": list(row.get("mentions") or []),
        # [{id, filename, content_type, size}]; download URLs are asked for separately
        # (chat.attachments), as they expire and events are stored for good.
        "attachments": row.get("attachments") or [],
    }


async def append(
    conn: asyncpg.Connection,
    *,
    room_id: int,
    seq: int,
    type: str,
    body: dict[str, Any],
    target_seq: int | None = None,
    notify_user: int | None = None,
) -> Event:
    """Store the frame of event `seq` (taken with storage.events.next_seq in this transaction)."""
    event = build(room_id=room_id, seq=seq, type=type, body=body, notify_user=notify_user)
    await event_store.insert_event(
        conn=conn,
        room_id=room_id,
        seq=seq,
        type=type,
        payload=event.frame.decode(),
        target_seq=target_seq,
    )
    return event


def build(
    *, room_id: int, seq: int, type: str, body: dict[str, Any], notify_user: int | None = None
) -> Event:
    """The event and its frame, serialized once: stored as is and sent as is to every socket."""
    frame = orjson.dumps(
        {"type": type, "room_id": room_id, "seq": seq, **body}, option=orjson.OPT_UTC_Z
    )
    return Event(room_id, seq, type, frame, notify_user)


async def publish(svc: Services, *events: Event) -> None:
    """Call after commit. A failed publish is logged by the bus, never raised: the event is
    already durable and receivers will find it."""
    messages: list[tuple[str, bytes]] = []
    for type_, count in Counter(event.type for event in events).items():
        metrics.events_committed.labels(type_).inc(count)
    for event in events:
        messages.append((room_channel(event.room_id), event.frame))
        if event.notify_user is not None:
            messages.append((user_channel(event.notify_user), event.frame))
    await svc.bus.publish_many(messages)


async def publish_ephemeral(svc: Services, room_id: int, frame: dict[str, Any]) -> None:
    """Frames with no seq (read markers, later typing and presence): not stored, not replayed."""
    await svc.bus.publish(room_channel(room_id), orjson.dumps(frame, option=orjson.OPT_UTC_Z))
