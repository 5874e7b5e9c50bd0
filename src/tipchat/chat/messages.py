"""Messages: send (idempotent per sender and client_msg_id), edit, delete, history, read markers."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from tipchat.chat import access, attachment_sweep, events, mentions
from tipchat.chat.rooms import Actor
from tipchat.chat.sending import Ack
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import attachments as attachment_store
from tipchat.storage import audit
from tipchat.storage import events as event_store
from tipchat.storage import mentions as mention_store
from tipchat.storage import messages as message_store
from tipchat.storage import reactions as reaction_store
from tipchat.storage import rooms as room_store

MAX_BODY = 4000  # characters (code points), the limit users are told
MAX_CLIENT_MSG_ID = 64
MAX_PAGE = 100


def check_body(body: str) -> str:
    if len(body) > MAX_BODY:
        raise TipchatError(Code.message_too_long, f"messages are at most {MAX_BODY} characters")
    if not body.strip():
        raise TipchatError(Code.message_empty, "a message needs some text")
    return body


def check_client_msg_id(client_msg_id: str) -> str:
    if not 1 <= len(client_msg_id) <= MAX_CLIENT_MSG_ID or not client_msg_id.isprintable():
        raise TipchatError(
            Code.invalid_request,
            f"client_msg_id must be 1-{MAX_CLIENT_MSG_ID} printable characters",
        )
    return client_msg_id


async def check_send_rate(svc: Services, *, actor: Actor) -> None:
    """Count one send of this user; refuse it (rate_limited, retry_after) over the limit.
    Checked before the send is queued, so a refused send writes nothing. Repeats of one
    client_msg_id count too: a client that retries in a tight loop is flooding as well."""
    retry_after = await svc.limiter.hit(
        f"send:user:{actor.user_id}", *svc.settings.send_limit_per_user
    )
    if retry_after is not None:
        raise TipchatError(
            Code.rate_limited,
            "you are sending too fast; wait a moment",
            retry_after=round(retry_after, 3),
        )


async def do_send_message(
    svc: Services,
    *,
    actor: Actor,
    room_id: int,
    client_msg_id: str,
    body: str,
    reply_to: int | None = None,
    attachments: tuple[int, ...] = (),
) -> Ack:
    """Commit a message event, then publish it; the returned ack is only ever for a committed
    event. A repeat of (sender, client_msg_id) returns the original ack and writes nothing.
    Sends are group-committed (chat/sending.py)."""
    check_client_msg_id(client_msg_id)
    if attachments and not body.strip():
        body = ""  # files need no words with them
    else:
        check_body(body)
    await check_send_rate(svc, actor=actor)
    return await svc.sends.send(
        actor=actor,
        room_id=room_id,
        client_msg_id=client_msg_id,
        body=body,
        reply_to=reply_to,
        attachments=attachments,
    )


async def get_live_message(conn: asyncpg.Connection, *, room_id: int, seq: int) -> asyncpg.Record:
    """Message seq of the room, or the error for a message one cannot act on: none there
    (message_not_found) or deleted (message_deleted)."""
    message = await message_store.get_message(conn=conn, room_id=room_id, seq=seq)
    if message is None:
        raise TipchatError(Code.message_not_found, "no such message in this room")
    if message["deleted_at"] is not None:
        raise TipchatError(Code.message_deleted, "that message was deleted")
    return message


async def _change_message(
    svc: Services, *, actor: Actor, room_id: int, seq: int, new_body: str | None
) -> None:
    """Edit (new_body given) or delete (None) message seq, as a message_updated event."""
    async with svc.db.acquire() as conn, conn.transaction():
        locked, mine = await access.lock_room_as_member(
            conn, room_id=room_id, user_id=actor.user_id
        )
        message = await get_live_message(conn, room_id=room_id, seq=seq)
        own = message["sender_id"] == actor.user_id
        if new_body is None:
            if not own:
                access.require_role(mine, "admin", "delete other people's messages")
                await audit.insert_event(
                    conn=conn,
                    event=audit.AuditEvent.message_deleted_by_moderator,
                    user_id=message["sender_id"],
                    actor_id=actor.user_id,
                    ip=actor.ip,
                    details={"room_id": room_id, "seq": seq},
                )
            event = await delete_in_locked_room(
                conn, room_id=room_id, seq=seq, event_seq=locked["seq"], by=actor.user_id
            )
        else:
            if not own or message["kind"] != "text":
                raise TipchatError(Code.forbidden, "you can only edit your own messages")
            # Before the update: its returned snapshot shows the new body's mentions.
            await mentions.update_for_edit(
                conn, room_id=room_id, seq=seq, sender_id=actor.user_id, body=new_body
            )
            changed = await message_store.update_body(
                conn=conn, room_id=room_id, seq=seq, body=new_body
            )
            event = await events.append(
                conn,
                room_id=room_id,
                seq=locked["seq"],
                type="message_updated",
                body={"message": events.message_snapshot(changed), "by": actor.user_id},
                target_seq=seq,
            )
    await events.publish(svc, event)
    if new_body is None:
        await attachment_sweep.withdraw_message(svc, room_id=room_id, seq=seq)


async def delete_in_locked_room(
    conn: asyncpg.Connection, *, room_id: int, seq: int, event_seq: int, by: int
) -> events.Event:
    """Delete message seq, in a transaction that locked its room, as the message_updated
    event numbered event_seq. A deleted message keeps no body, reactions, mentions or
    attachments, and the events that carried its body are redacted."""
    await reaction_store.delete_for_message(conn=conn, room_id=room_id, seq=seq)
    await mention_store.delete_for_message(conn=conn, room_id=room_id, seq=seq)
    await attachment_store.mark_deleted_for_message(conn=conn, room_id=room_id, seq=seq)
    changed = await message_store.mark_deleted(conn=conn, room_id=room_id, seq=seq)
    snapshot = events.message_snapshot(changed)
    await event_store.redact_message_events(
        conn=conn,
        room_id=room_id,
        seq=seq,
        snapshot=orjson.dumps(snapshot, option=orjson.OPT_UTC_Z).decode(),
    )
    return await events.append(
        conn,
        room_id=room_id,
        seq=event_seq,
        type="message_updated",
        body={"message": snapshot, "by": by},
        target_seq=seq,
    )


async def do_edit_message(
    svc: Services, *, actor: Actor, room_id: int, seq: int, body: str
) -> None:
    await _change_message(svc, actor=actor, room_id=room_id, seq=seq, new_body=check_body(body))


async def do_delete_message(svc: Services, *, actor: Actor, room_id: int, seq: int) -> None:
    await _change_message(svc, actor=actor, room_id=room_id, seq=seq, new_body=None)


async def do_mark_read(svc: Services, *, actor: Actor, room_id: int, seq: int) -> int:
    """Move my read marker forward to seq; returns the stored marker."""
    async with svc.db.acquire() as conn:
        room, _ = await access.require_member(conn, room_id=room_id, user_id=actor.user_id)
        if not 0 <= seq <= room["last_seq"]:
            raise TipchatError(Code.invalid_seq, f"seq must be between 0 and {room['last_seq']}")
        marker = await room_store.advance_read_marker(
            conn=conn, room_id=room_id, user_id=actor.user_id, seq=seq
        )
    await events.publish_ephemeral(
        svc, room_id, {"type": "read", "room_id": room_id, "user_id": actor.user_id, "seq": marker}
    )
    return marker


async def get_history(
    svc: Services,
    *,
    actor: Actor,
    room_id: int,
    before_seq: int | None,
    after_seq: int | None,
    limit: int,
) -> tuple[list[dict[str, Any]], bool]:
    """A page of messages in ascending seq, and whether more lie beyond it in that direction."""
    if not 1 <= limit <= MAX_PAGE:
        raise TipchatError(Code.invalid_limit, f"limit must be between 1 and {MAX_PAGE}")
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=actor.user_id)
        rows = await message_store.page(
            conn=conn,
            room_id=room_id,
            before_seq=before_seq,
            after_seq=after_seq,
            limit=limit + 1,
        )
    more = len(rows) > limit
    if more:
        rows = rows[:limit] if after_seq is not None else rows[1:]
    return [events.message_snapshot(row) for row in rows], more
