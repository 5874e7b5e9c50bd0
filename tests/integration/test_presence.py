"""Presence over the socket: online, away and offline across a user's devices, shown to the
people who share a room with them, and in member lists."""

from __future__ import annotations

from tests.helpers import Ws, create_room, join, register


async def _presence_of(ws: Ws, user_id: int) -> str:
    while True:
        frame = await ws.next_of("presence")
        if frame["user_id"] == user_id:
            return str(frame["status"])


async def test_presence_follows_a_users_sockets(server, bob):
    alice = await register(server.base_url)
    stranger = await register(server.base_url)
    room_id = await create_room(alice)
    await join(bob, room_id)
    watcher = await Ws.connect(server.ws_url, alice.token)
    await watcher.subscribe(room_id)
    outsider = await Ws.connect(server.ws_url, stranger.token)

    phone = await Ws.connect(server.ws_url, bob.token)
    assert await _presence_of(watcher, bob.id) == "online"
    await phone.send({"type": "presence", "status": "away"})
    assert await _presence_of(watcher, bob.id) == "away"
    laptop = await Ws.connect(server.ws_url, bob.token)  # one device online is enough
    assert await _presence_of(watcher, bob.id) == "online"
    members = (await alice.http.get(f"/api/rooms/{room_id}/members")).json()["members"]
    assert {m["username"]: m["presence"] for m in members} == {
        alice.username: "online",
        bob.username: "online",
    }
    await laptop.close()
    assert await _presence_of(watcher, bob.id) == "away"
    await phone.close()
    assert await _presence_of(watcher, bob.id) == "offline"

    # Someone who shares no room with bob heard none of it.
    await outsider.send({"type": "ping", "id": "p"})
    assert await outsider.recv() == {"type": "pong", "id": "p"}
    for ws in (watcher, outsider):
        await ws.close()
    for user in (alice, stranger):
        await user.http.aclose()


async def test_bad_presence_status_is_refused(server, bob):
    ws = await Ws.connect(server.ws_url, bob.token)
    await ws.send({"type": "presence", "status": "invisible"})
    assert (await ws.expect("error"))["code"] == "invalid_frame"
    await ws.close()
