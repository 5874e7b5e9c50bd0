"""Block users (personal), mute rooms (personal): neither is a room event."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from tipchat.api.deps import CurrentUser, RoomIdPath, ServicesDep, UserIdPath
from tipchat.api.schemas import BlockedUserPublic, BlocksPublic
from tipchat.chat import blocks as chat_blocks

router = APIRouter(prefix="/api", tags=["blocks"])


@router.get("/blocks")
async def my_blocks(user: CurrentUser, svc: ServicesDep) -> BlocksPublic:
    """The users I block, most recent first. Clients hide their messages."""
    rows = await chat_blocks.get_blocks(svc, actor=user)
    return BlocksPublic(users=[BlockedUserPublic.model_validate(dict(r)) for r in rows])


@router.put("/blocks/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def block_user(user_id: UserIdPath, user: CurrentUser, svc: ServicesDep) -> Response:
    """Block a user: no DMs from them; their messages are hidden for me. Idempotent."""
    await chat_blocks.do_block(svc, actor=user, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/blocks/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unblock_user(user_id: UserIdPath, user: CurrentUser, svc: ServicesDep) -> Response:
    await chat_blocks.do_unblock(svc, actor=user, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/rooms/{room_id}/mute", status_code=status.HTTP_204_NO_CONTENT)
async def mute_room(room_id: RoomIdPath, user: CurrentUser, svc: ServicesDep) -> Response:
    """Mute a room of mine: `muted: true` in my room list, no unread badge. Idempotent."""
    await chat_blocks.do_set_muted(svc, actor=user, room_id=room_id, muted=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/rooms/{room_id}/mute", status_code=status.HTTP_204_NO_CONTENT)
async def unmute_room(room_id: RoomIdPath, user: CurrentUser, svc: ServicesDep) -> Response:
    await chat_blocks.do_set_muted(svc, actor=user, room_id=room_id, muted=False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
