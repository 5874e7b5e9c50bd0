"""Presence changes, published to the people who can see them: the members of the user's
rooms (each room's channel), not everyone connected."""

from __future__ import annotations

from tipchat.chat.events import publish_ephemeral
from tipchat.chat.rooms import Actor
from tipchat.services import Services
from tipchat.storage import rooms as room_store

STATUSES = ("online", "away")  # what a socket may say; offline is the absence of sockets


async def _publish_if_changed(svc: Services, actor: Actor, before: str) -> None:
    after = (await svc.presence.status([actor.user_id]))[actor.user_id]
    if after == before:
        return
    async with svc.db.acquire() as conn:
        room_ids = await room_store.user_room_ids(conn=conn, user_id=actor.user_id)
    frame = {"type": "presence", "user_id": actor.user_id, "username": actor.username}
    for room_id in room_ids:
        await publish_ephemeral(svc, room_id, {**frame, "room_id": room_id, "status": after})


async def do_set_presence(svc: Services, *, actor: Actor, socket_id: str, status: str) -> None:
    before = (await svc.presence.status([actor.user_id]))[actor.user_id]
    await svc.presence.put(actor.user_id, socket_id, status, svc.settings.presence_ttl_s)
    await _publish_if_changed(svc, actor, before)


async def do_refresh_presence(svc: Services, *, actor: Actor, socket_id: str, status: str) -> None:
    """Keep a socket's entry alive (no change to announce)."""
    await svc.presence.put(actor.user_id, socket_id, status, svc.settings.presence_ttl_s)


async def do_clear_presence(svc: Services, *, actor: Actor, socket_id: str) -> None:
    before = (await svc.presence.status([actor.user_id]))[actor.user_id]
    await svc.presence.remove(actor.user_id, socket_id)
    await _publish_if_changed(svc, actor, before)
