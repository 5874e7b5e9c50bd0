"""Typing over the socket on one node: passed on to the room's followers at most once every
TYPING_INTERVAL_S per socket and room, to nobody outside the room. (Expiry is the client's:
web/src/lib/typing.ts drops a notice after a few seconds without another.)"""

from __future__ import annotations

import asyncio

from tests.helpers import Ws, create_room
from tipchat.realtime.gateway import TYPING_INTERVAL_S


async def test_typing_reaches_the_room_throttled_and_nobody_else(server, alice, bob, carol):
    room_id = await create_room(alice, "typing", kind="private")
    r = await alice.http.post(f"/api/rooms/{room_id}/members", json={"user_id": bob.id})
    assert r.status_code == 201, r.text
    elsewhere = await create_room(carol, "elsewhere")
    watcher, typist, outsider = [
        await Ws.connect(server.ws_url, user.token) for user in (alice, bob, carol)
    ]
    await watcher.subscribe(room_id)
    await typist.subscribe(room_id)
    await outsider.subscribe(elsewhere)

    # Three notices in a burst, then a message: alice hears one notice, before the message.
    for _ in range(3):
        await typist.send({"type": "typing", "room_id": room_id})
    assert (await typist.send_message(room_id, "m1", "hi"))["type"] == "ack"
    heard = [f for f in await watcher.frames_until("message") if f["type"] == "typing"]
    assert heard == [
        {"type": "typing", "room_id": room_id, "user_id": bob.id, "username": bob.username}
    ]

    # Once the interval has passed, the next notice goes through again.
    await asyncio.sleep(TYPING_INTERVAL_S + 0.2)
    await typist.send({"type": "typing", "room_id": room_id})
    assert (await watcher.next_of("typing"))["user_id"] == bob.id

    # carol follows another room: she heard nothing; typing into a private room she is not
    # in is refused as if it did not exist, and tells alice nothing.
    await outsider.send({"type": "typing", "room_id": room_id, "id": "t"})
    refused = await outsider.expect("error")
    assert (refused["code"], refused["id"]) == ("room_not_found", "t")
    await outsider.send({"type": "ping", "id": "p"})
    assert await outsider.recv() == {"type": "pong", "id": "p"}
    await watcher.send({"type": "ping", "id": "p"})
    assert await watcher.recv() == {"type": "pong", "id": "p"}
    for ws in (watcher, typist, outsider):
        await ws.close()
