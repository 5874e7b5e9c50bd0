"""Abuse limits on sockets: the frame budget, the sockets-per-user cap, and one flooding
socket not starving the others."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from tests.helpers import Ws, create_room, join


async def _drain(ws: Ws) -> tuple[list[dict], int | None]:
    """Every frame until the server closes the socket, and the close code."""
    received: list[dict] = []
    try:
        while True:
            received.append(await ws.recv(timeout=15))
    except websockets.ConnectionClosed as closed:
        return received, closed.rcvd.code if closed.rcvd else None


async def test_a_socket_over_its_frame_budget_is_told_then_closed(start_server, users):
    server = start_server(ws_frames_per_s=5.0, ws_frame_burst=10)
    alice = await users()
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    for n in range(10):  # the burst: all answered
        await ws.send({"type": "ping", "id": f"p{n}"})
    assert [(await ws.expect("pong"))["id"] for _ in range(10)] == [f"p{n}" for n in range(10)]

    await ws.send(
        {"type": "send", "id": "s1", "room_id": room_id, "client_msg_id": "c1", "body": "too soon"}
    )
    refused = await ws.expect("error")
    assert refused["code"] == "rate_limited" and refused["client_msg_id"] == "c1"
    assert 0 < refused["retry_after"] <= 0.2

    for n in range(40):  # keeps flooding after being told: closed with 1008
        await ws.conn.send(json.dumps({"type": "ping", "id": f"f{n}"}))
    frames, code = await _drain(ws)
    assert code == 1008
    assert {f["code"] for f in frames if f["type"] == "error"} == {"rate_limited"}
    # Nothing refused was done: the message was never stored.
    history = (await alice.http.get(f"/api/rooms/{room_id}/messages")).json()["messages"]
    assert history == []


async def test_a_flooding_socket_does_not_starve_the_others(server, users):
    """With no budget in the way (the test server's is huge), one client floods pings while
    another chats: the chatter's messages are all acked while the flood is still going."""
    alice, bob = await users(), await users()
    room_id = await create_room(alice)
    await join(bob, room_id)
    flooder = await Ws.connect(server.ws_url, alice.token)
    chatter = await Ws.connect(server.ws_url, bob.token)
    flood_size = 20_000
    pongs: list[float] = []

    async def flood() -> None:
        for n in range(flood_size):
            await flooder.conn.send(json.dumps({"type": "ping", "id": n}))

    async def read_pongs() -> None:
        while len(pongs) < flood_size:
            frame = await flooder.recv(timeout=30)
            if frame["type"] == "pong":
                pongs.append(time.monotonic())

    flooding = [asyncio.create_task(flood()), asyncio.create_task(read_pongs())]
    while len(pongs) < 100:  # the flood is being served
        await asyncio.sleep(0.01)
    ack_latencies = []
    for n in range(20):
        started = time.monotonic()
        ack = await chatter.send_message(room_id, f"b{n}", f"still here {n}")
        assert ack["type"] == "ack", ack
        ack_latencies.append(time.monotonic() - started)
    done_chatting = time.monotonic()
    await asyncio.gather(*flooding)

    assert done_chatting < pongs[-1], "the chatter waited for the whole flood"
    print(  # a figure, not an assertion: see docs/scaling.md for measured latencies
        f"\nchatter ack latency during a {flood_size}-frame flood: "
        f"max {max(ack_latencies) * 1000:.1f} ms; flood served over "
        f"{(pongs[-1] - pongs[0]) * 1000:.0f} ms"
    )
    await flooder.close()
    await chatter.close()


async def test_sockets_per_user_are_capped(start_server, users):
    server = start_server(ws_max_sockets_per_user=2)
    alice = await users()
    first = await Ws.connect(server.ws_url, alice.token)
    second = await Ws.connect(server.ws_url, alice.token)
    with pytest.raises(AssertionError):
        await Ws.connect(server.ws_url, alice.token)  # gets an error frame, not ready
    third = await Ws.connect(server.ws_url)
    await third.send({"type": "auth", "token": alice.token})
    frames, code = await _drain(third)
    assert frames[0]["code"] == "too_many_sockets" and code == 1008

    await first.close()
    await asyncio.sleep(0.2)  # the server sees the close
    again = await Ws.connect(server.ws_url, alice.token)  # a place is free again
    await again.close()
    await second.close()
