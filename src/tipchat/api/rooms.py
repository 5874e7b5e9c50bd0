"""Rooms, memberships and DMs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from tipchat.api.deps import CurrentUser, RoomIdPath, ServicesDep, UserIdPath
from tipchat.api.schemas import (
    DmCreate,
    MemberAdd,
    MemberPublic,
    MembersPublic,
    MemberUpdate,
    PublicRoom,
    PublicRooms,
    RoomCreate,
    RoomPublic,
    RoomsPublic,
    RoomUpdate,
)
from tipchat.chat import access
from tipchat.chat import blocks as chat_blocks
from tipchat.chat import rooms as chat_rooms
from tipchat.chat.rooms import Actor
from tipchat.services import Services
from tipchat.storage import blocks as block_store
from tipchat.storage import rooms as room_store

router = APIRouter(prefix="/api", tags=["rooms"])


def _with_badges(row: Any, badges: dict[int, tuple[bool, int]]) -> RoomPublic:
    muted, unread_mentions = badges.get(row["id"], (False, 0))
    return RoomPublic.model_validate(
        {**dict(row), "muted": muted, "unread_mentions": unread_mentions}
    )


async def _room_view(svc: Services, user: Actor, room_id: int) -> RoomPublic:
    async with svc.db.acquire() as conn:
        rows = await room_store.list_user_rooms(conn=conn, user_id=user.user_id, room_id=room_id)
        if not rows:
            await access.require_member(conn, room_id=room_id, user_id=user.user_id)
            raise access.not_found()  # pragma: no cover (require_member raised)
        badges = await block_store.room_badges(conn=conn, user_id=user.user_id, room_id=room_id)
    return _with_badges(rows[0], badges)


@router.post("/rooms", status_code=status.HTTP_201_CREATED)
async def create_room(body: RoomCreate, user: CurrentUser, svc: ServicesDep) -> RoomPublic:
    room_id = await chat_rooms.do_create_room(svc, actor=user, name=body.name, kind=body.kind)
    return await _room_view(svc, user, room_id)


@router.get("/rooms")
async def my_rooms(user: CurrentUser, svc: ServicesDep) -> RoomsPublic:
    """My rooms, most recently active first, with unread counts, unread mentions and whether
    I muted them."""
    async with svc.db.acquire() as conn:
        rows = await room_store.list_user_rooms(conn=conn, user_id=user.user_id)
        badges = await block_store.room_badges(conn=conn, user_id=user.user_id)
    return RoomsPublic(rooms=[_with_badges(r, badges) for r in rows])


@router.get("/rooms/public")
async def browse_public_rooms(
    user: CurrentUser,
    svc: ServicesDep,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> PublicRooms:
    async with svc.db.acquire() as conn:
        rows = await room_store.list_public_rooms(
            conn=conn, query=q, limit=limit, user_id=user.user_id
        )
    return PublicRooms(rooms=[PublicRoom.model_validate(dict(r)) for r in rows])


@router.get("/rooms/{room_id}")
async def get_room(room_id: RoomIdPath, user: CurrentUser, svc: ServicesDep) -> RoomPublic:
    return await _room_view(svc, user, room_id)


@router.patch("/rooms/{room_id}")
async def rename_room(
    room_id: RoomIdPath, body: RoomUpdate, user: CurrentUser, svc: ServicesDep
) -> RoomPublic:
    await chat_rooms.do_rename_room(svc, actor=user, room_id=room_id, name=body.name)
    return await _room_view(svc, user, room_id)


@router.post("/rooms/{room_id}/join")
async def join_room(room_id: RoomIdPath, user: CurrentUser, svc: ServicesDep) -> RoomPublic:
    await chat_rooms.do_join_room(svc, actor=user, room_id=room_id)
    return await _room_view(svc, user, room_id)


@router.get("/rooms/{room_id}/members")
async def list_members(room_id: RoomIdPath, user: CurrentUser, svc: ServicesDep) -> MembersPublic:
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=user.user_id)
        rows = await room_store.list_members(conn=conn, room_id=room_id)
    presence = await svc.presence.status([r["id"] for r in rows])
    return MembersPublic(
        members=[
            MemberPublic.model_validate({**dict(r), "presence": presence[r["id"]]}) for r in rows
        ]
    )


@router.post("/rooms/{room_id}/members", status_code=status.HTTP_201_CREATED)
async def add_member(
    room_id: RoomIdPath, body: MemberAdd, user: CurrentUser, svc: ServicesDep
) -> MembersPublic:
    await chat_rooms.do_add_member(svc, actor=user, room_id=room_id, user_id=body.user_id)
    return await list_members(room_id, user, svc)


@router.patch("/rooms/{room_id}/members/{user_id}")
async def set_member_role(
    room_id: RoomIdPath,
    user_id: UserIdPath,
    body: MemberUpdate,
    user: CurrentUser,
    svc: ServicesDep,
) -> MembersPublic:
    await chat_rooms.do_set_role(svc, actor=user, room_id=room_id, user_id=user_id, role=body.role)
    return await list_members(room_id, user, svc)


@router.delete("/rooms/{room_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    room_id: RoomIdPath, user_id: UserIdPath, user: CurrentUser, svc: ServicesDep
) -> Response:
    """Remove a member, or leave (your own user id)."""
    await chat_rooms.do_remove_member(svc, actor=user, room_id=room_id, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/dms")
async def open_dm(body: DmCreate, user: CurrentUser, svc: ServicesDep) -> RoomPublic:
    """The one DM room of you and user_id: the same room every time. Refused
    (cannot_message_user) when user_id blocks you."""
    await chat_blocks.check_can_message(svc, actor=user, user_id=body.user_id)
    room_id = await chat_rooms.do_open_dm(svc, actor=user, user_id=body.user_id)
    return await _room_view(svc, user, room_id)
