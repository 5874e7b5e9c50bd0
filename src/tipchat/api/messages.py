"""History, send (same guarantees as the WebSocket `send`), edit, delete, read markers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tipchat.api.deps import CurrentUser, RoomIdPath, SeqPath, ServicesDep
from tipchat.api.schemas import (
    AckPublic,
    MessageCreate,
    MessagePublic,
    MessagesPublic,
    MessageUpdate,
    ReadMarker,
    ReadMarkerPublic,
)
from tipchat.chat import access
from tipchat.chat import messages as chat_messages
from tipchat.chat.events import message_snapshot
from tipchat.errors import Code, TipchatError
from tipchat.storage import messages as message_store

router = APIRouter(prefix="/api/rooms/{room_id}", tags=["messages"])

SeqQuery = Annotated[int | None, Query(ge=0, le=2**63 - 1)]


@router.get("/messages")
async def history(
    room_id: RoomIdPath,
    user: CurrentUser,
    svc: ServicesDep,
    before_seq: SeqQuery = None,
    after_seq: SeqQuery = None,
    limit: int = 50,
) -> MessagesPublic:
    """A page of messages in ascending seq: the newest before before_seq (scrolling up), the
    oldest after after_seq (catching up), or the newest of all. has_more tells whether more
    lie further in that direction."""
    messages, more = await chat_messages.get_history(
        svc, actor=user, room_id=room_id, before_seq=before_seq, after_seq=after_seq, limit=limit
    )
    return MessagesPublic(
        messages=[MessagePublic.model_validate(m) for m in messages], has_more=more
    )


@router.post("/messages", status_code=status.HTTP_201_CREATED)
async def send_message(
    room_id: RoomIdPath,
    body: MessageCreate,
    user: CurrentUser,
    svc: ServicesDep,
    response: Response,
) -> AckPublic:
    ack = await chat_messages.do_send_message(
        svc,
        actor=user,
        room_id=room_id,
        client_msg_id=body.client_msg_id,
        body=body.body,
        reply_to=body.reply_to,
        attachments=tuple(body.attachments),
    )
    if ack.duplicate:
        response.status_code = status.HTTP_200_OK
    return AckPublic(
        room_id=ack.room_id,
        client_msg_id=ack.client_msg_id,
        message_id=ack.seq,
        seq=ack.seq,
        duplicate=ack.duplicate,
    )


@router.get("/messages/{seq}")
async def get_message(
    room_id: RoomIdPath, seq: SeqPath, user: CurrentUser, svc: ServicesDep
) -> MessagePublic:
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=user.user_id)
        row = await message_store.get_message(conn=conn, room_id=room_id, seq=seq)
    if row is None:
        raise TipchatError(Code.message_not_found, "no such message in this room")
    return MessagePublic.model_validate(message_snapshot(row))


@router.patch("/messages/{seq}")
async def edit_message(
    room_id: RoomIdPath, seq: SeqPath, body: MessageUpdate, user: CurrentUser, svc: ServicesDep
) -> MessagePublic:
    await chat_messages.do_edit_message(svc, actor=user, room_id=room_id, seq=seq, body=body.body)
    return await get_message(room_id, seq, user, svc)


@router.delete("/messages/{seq}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_message(
    room_id: RoomIdPath, seq: SeqPath, user: CurrentUser, svc: ServicesDep
) -> Response:
    await chat_messages.do_delete_message(svc, actor=user, room_id=room_id, seq=seq)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/read")
async def mark_read(
    room_id: RoomIdPath, body: ReadMarker, user: CurrentUser, svc: ServicesDep
) -> ReadMarkerPublic:
    marker = await chat_messages.do_mark_read(svc, actor=user, room_id=room_id, seq=body.seq)
    return ReadMarkerPublic(last_read_seq=marker)
