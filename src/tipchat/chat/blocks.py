"""Blocking a user, and muting a room.

A user I block cannot open a DM with me nor send into our DM; they are told only that they
cannot message me (cannot_message_user), the same words whatever the reason. Their messages in
shared rooms are still room events: a room's events are one frame for every member, with
gap-free seqs that resume and gap detection rely on, so the server does not cut events out
per reader. Clients hide the messages of the users in `GET /api/blocks`; server-side lists
(search, mentions, mention counts) leave them out.

Blocks and mutes are personal settings, not room events: nothing is published.
"""

from __future__ import annotations

import asyncpg

from tipchat.chat import access
from tipchat.chat.rooms import Actor
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import blocks as block_store
from tipchat.storage import users as user_store


def cannot_message() -> TipchatError:
    return TipchatError(Code.cannot_message_user, "you cannot send direct messages to this user")


async def check_can_message(svc: Services, *, actor: Actor, user_id: int) -> None:
    """Refuse a DM from actor to user_id when user_id blocks actor."""
    async with svc.db.acquire() as conn:
        if await block_store.is_blocked(conn=conn, user_id=user_id, blocked_id=actor.user_id):
            raise cannot_message()


async def do_block(svc: Services, *, actor: Actor, user_id: int) -> None:
    """Block user_id; blocking again changes nothing."""
    if user_id == actor.user_id:
        raise TipchatError(Code.invalid_request, "you cannot block yourself")
    async with svc.db.acquire() as conn:
        if await user_store.get_user(conn=conn, user_id=user_id) is None:
            raise TipchatError(Code.user_not_found, "no such user")
        await block_store.insert_block(conn=conn, user_id=actor.user_id, blocked_id=user_id)


async def do_unblock(svc: Services, *, actor: Actor, user_id: int) -> None:
    """Unblock; unblocking someone not blocked changes nothing."""
    async with svc.db.acquire() as conn:
        await block_store.delete_block(conn=conn, user_id=actor.user_id, blocked_id=user_id)


async def get_blocks(svc: Services, *, actor: Actor) -> list[asyncpg.Record]:
    async with svc.db.acquire() as conn:
        return await block_store.list_blocks(conn=conn, user_id=actor.user_id)


async def do_set_muted(svc: Services, *, actor: Actor, room_id: int, muted: bool) -> None:
    """Mute or unmute a room of mine (members only, like every room path)."""
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=actor.user_id)
        await block_store.set_muted(conn=conn, room_id=room_id, user_id=actor.user_id, muted=muted)
