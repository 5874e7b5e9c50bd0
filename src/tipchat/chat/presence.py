"""Presence changes, published to the people who can see them: the members of the user's
rooms (each room's channel), not everyone connected."""

from __future__ import annotations

from tipchat.chat.events import publish_ephemeral
from tipchat.chat.rooms import Actor
from tipchat.services import Services
from tipchat.storage import rooms as room_store
from tipchat.storage import users as user_store

STATUSES = ("online", "away")  # what a socket may say; offline is the absence of sockets


async def _publish_if_changed(svc: Services, actor: Actor, before: str) -> None:
    after = (await svc.presence.status([actor.user_id]))[actor.user_id]
    if after != before:
        await _announce(svc, actor, after)


async def _announce(svc: Services, actor: Actor, status: str) -> None:
    async with svc.db.acquire() as conn:
        room_ids = await room_store.user_room_ids(conn=conn, user_id=actor.user_id)
    frame = {"type": "presence", "user_id": actor.user_id, "username": actor.username}
    for room_id in room_ids:
        await publish_ephemeral(svc, room_id, {**frame, "room_id": room_id, "status": status})


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


async def do_sweep_dead_nodes(svc: Services) -> None:
    """Announce offline the users of nodes that died without a goodbye (their entries have
    expired by then), unless they are still online through another node."""
    user_ids = await svc.presence.reap_dead_nodes()
    if not user_ids:
        return
    statuses = await svc.presence.status(user_ids)
    gone = [user_id for user_id, status in statuses.items() if status == "offline"]
    async with svc.db.acquire() as conn:
        names = await user_store.usernames(conn=conn, user_ids=gone)
    for user_id, username in names.items():
        await _announce(svc, Actor(user_id, username), "offline")
