"""The real-time guarantees 1-5 of the protocol (docs/protocol.md), each against a real server."""

from __future__ import annotations

import asyncio
import socket
import time

import websockets

from tests.helpers import Ws, create_room, join, refuse_poison_at_commit, register


async def test_ack_only_after_commit(server, db):
    """Guarantee 1. A commit that fails (a deferred trigger refuses it at COMMIT) must produce an
    error, never an ack, and leave no trace; the next message takes the seq the failed one had."""
    await refuse_poison_at_commit(db)
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    before = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)

    reply = await ws.send_message(room_id, "p1", "poison")
    assert reply["type"] == "error" and reply["code"] == "internal_error"
    assert await db.fetchval("SELECT count(*) FROM messages") == 0

    ack = await ws.send_message(room_id, "ok1", "fine")
    assert ack["type"] == "ack" and ack["seq"] == before + 1
    # Acked means readable by anyone, from storage, at once.
    assert (
        await db.fetchval(
            "SELECT body FROM messages WHERE room_id = $1 AND seq = $2", room_id, ack["seq"]
        )
        == "fine"
    )
    await ws.close()
    await alice.http.aclose()


async def test_concurrent_senders_get_gapless_seqs_in_order_everywhere(server, db):
    """Guarantee 2. 20 senders x 200 messages in one room: 4,000 distinct, consecutive seqs,
    and every receiver sees every event of the room in seq order with nothing missing."""
    senders_n, per_sender = 20, 200
    owner = await register(server.base_url)
    room_id = await create_room(owner)
    users = [await register(server.base_url) for _ in range(senders_n + 2)]
    for user in users:
        await join(user, room_id)
    senders, watchers = users[:senders_n], users[senders_n:]

    receivers = [await Ws.connect(server.ws_url, u.token) for u in watchers]
    start_seq = [(await r.subscribe(room_id))["rooms"][str(room_id)] for r in receivers]
    sockets = [await Ws.connect(server.ws_url, u.token) for u in senders]

    async def send_all(i: int, ws: Ws) -> list[int]:
        seqs = []
        for n in range(per_sender):
            ack = await ws.send_message(room_id, f"s{i}-{n}", f"message {n} from {i}")
            assert ack["type"] == "ack", ack
            seqs.append(ack["seq"])
        return seqs

    async def receive_all(ws: Ws, after: int) -> list[int]:
        seqs = []
        while len(seqs) < senders_n * per_sender:
            frame = await ws.recv(timeout=30)
            if "seq" in frame and frame["type"] == "message":
                seqs.append(frame["seq"])
            elif "seq" in frame and frame["type"] != "ack":
                raise AssertionError(f"unexpected event {frame}")
        return seqs

    receiving = [
        asyncio.create_task(receive_all(r, s)) for r, s in zip(receivers, start_seq, strict=True)
    ]
    acked = await asyncio.gather(*(send_all(i, ws) for i, ws in enumerate(sockets)))
    received = await asyncio.gather(*receiving)

    all_acked = sorted(seq for seqs in acked for seq in seqs)
    first = all_acked[0]
    assert all_acked == list(range(first, first + senders_n * per_sender))
    for seqs in acked:  # each sender's own messages keep their sending order
        assert seqs == sorted(seqs)
    for start, seqs in zip(start_seq, received, strict=True):
        assert start == first - 1
        assert seqs == all_acked  # every event, once, in seq order
    stored = await db.fetch("SELECT seq FROM room_events WHERE room_id = $1 ORDER BY seq", room_id)
    assert [r["seq"] for r in stored] == list(range(1, first + senders_n * per_sender))
    for ws in receivers + sockets:
        await ws.close()
    for user in [owner, *users]:
        await user.http.aclose()


async def test_resend_is_idempotent_across_reconnect_and_restart(start_server, db):
    """Guarantee 3. Re-sending a client_msg_id returns the original ack, on a new socket and on
    a new server process over the same database, and never creates a second message."""
    server = start_server()
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    first = await ws.send_message(room_id, "once", "only once")
    again = await ws.send_message(room_id, "once", "only once")
    assert again["seq"] == first["seq"]
    await ws.close()

    ws = await Ws.connect(server.ws_url, alice.token)  # reconnect
    assert (await ws.send_message(room_id, "once", "only once"))["seq"] == first["seq"]
    await ws.close()
    server.stop()

    restarted = start_server()  # a new server on the same database
    ws = await Ws.connect(restarted.ws_url, alice.token)
    assert (await ws.send_message(room_id, "once", "only once"))["seq"] == first["seq"]
    rest = await alice.http.post(
        f"{restarted.base_url}/api/rooms/{room_id}/messages",
        json={"client_msg_id": "once", "body": "only once"},
    )
    assert rest.status_code == 200 and rest.json()["seq"] == first["seq"]
    assert await db.fetchval("SELECT count(*) FROM messages WHERE client_msg_id = 'once'") == 1
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id) == first["seq"]
    await ws.close()
    await alice.http.aclose()


async def test_resume_replays_exactly_the_missed_events_then_goes_live(server):
    """Guarantee 4. Everything after last_seen_seq comes back from storage (new messages, an
    edit, a delete with its body gone), then live events follow with no gap or duplicate."""
    alice, bob = await register(server.base_url), await register(server.base_url)
    room_id = await create_room(alice)
    await join(bob, room_id)
    a = await Ws.connect(server.ws_url, alice.token)
    b = await Ws.connect(server.ws_url, bob.token)
    await a.subscribe(room_id)
    kept = await b.send_message(room_id, "k", "kept")
    seen = (await a.next_of("message"))["seq"]
    assert seen == kept["seq"]
    await a.close()  # alice goes away

    m1 = await b.send_message(room_id, "m1", "first while away")
    m2 = await b.send_message(room_id, "m2", "secret, soon deleted")
    r = await bob.http.patch(f"/api/rooms/{room_id}/messages/{m1['seq']}", json={"body": "edited"})
    assert r.status_code == 200
    r = await bob.http.delete(f"/api/rooms/{room_id}/messages/{m2['seq']}")
    assert r.status_code == 204

    a = await Ws.connect(server.ws_url, alice.token)
    frames = await a.resume({room_id: seen})
    events = [f for f in frames if "seq" in f]
    assert [f["seq"] for f in events] == list(range(seen + 1, seen + 5))
    assert [f["type"] for f in events] == [
        "message",
        "message",
        "message_updated",
        "message_updated",
    ]
    assert events[2]["message"]["body"] == "edited"
    assert events[3]["message"]["deleted"] is True
    # The deleted body is gone from the replayed original too.
    assert events[1]["message"]["body"] is None and "secret" not in str(frames)
    assert frames[-1]["rooms"] == {str(room_id): seen + 4}

    live = await b.send_message(room_id, "m3", "live again")
    assert (await a.next_of("message"))["seq"] == live["seq"] == seen + 5
    await b.send_message(room_id, "m4", "and again")
    assert (await a.next_of("message"))["seq"] == seen + 6
    for ws in (a, b):
        await ws.close()
    for user in (alice, bob):
        await user.http.aclose()


async def test_resume_while_events_keep_arriving_has_no_gap_or_duplicate(server):
    """Guarantee 4 under load: resume while another socket is sending continuously."""
    alice, bob = await register(server.base_url), await register(server.base_url)
    room_id = await create_room(alice)
    await join(bob, room_id)
    b = await Ws.connect(server.ws_url, bob.token)
    for n in range(50):
        await b.send_message(room_id, f"pre{n}", f"before {n}")

    async def keep_sending() -> int:
        last = 0
        for n in range(150):
            last = (await b.send_message(room_id, f"live{n}", f"during {n}"))["seq"]
        return last

    sending = asyncio.create_task(keep_sending())
    a = await Ws.connect(server.ws_url, alice.token)
    seqs = [f["seq"] for f in await a.resume({room_id: 10}) if "seq" in f]
    last = await sending
    while not seqs or seqs[-1] < last:
        frame = await a.recv()
        if "seq" in frame:
            seqs.append(frame["seq"])
    assert seqs == list(range(11, last + 1))
    for ws in (a, b):
        await ws.close()
    for user in (alice, bob):
        await user.http.aclose()


async def test_resume_beyond_the_replay_bound_says_so(start_server):
    server = start_server(ws_replay_bound=5)
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    for n in range(8):
        await ws.send_message(room_id, f"m{n}", "x")
    frames = await ws.resume({room_id: 1})
    assert frames[0]["type"] == "error" and frames[0]["code"] == "resume_too_far"
    assert frames[0]["room_id"] == room_id and frames[0]["last_seq"] == 9
    assert frames[-1] == {"type": "subscribed", "id": None, "rooms": {}}
    frames = await ws.resume({room_id: 4})  # within the bound: replayed
    assert [f["seq"] for f in frames if "seq" in f] == [5, 6, 7, 8, 9]
    await ws.close()
    await alice.http.aclose()


def _stalled_socket() -> socket.socket:
    """A TCP socket with a tiny receive buffer, so a client that stops reading stalls fast."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


async def test_slow_consumer_is_closed_with_4008_and_others_keep_up(server):
    """Guarantee 5. A socket that stops reading overflows its bounded queue and is closed with
    4008; a normal reader of the same room keeps receiving promptly all along."""
    alice, slow_user, fast_user = [await register(server.base_url) for _ in range(3)]
    room_id = await create_room(alice)
    await join(slow_user, room_id)
    await join(fast_user, room_id)

    sock = _stalled_socket()
    sock.connect(("127.0.0.1", server.port))
    slow = await Ws.connect(server.ws_url, slow_user.token, sock=sock, max_queue=1)
    await slow.subscribe(room_id)
    fast = await Ws.connect(server.ws_url, fast_user.token)
    await fast.subscribe(room_id)
    sender = await Ws.connect(server.ws_url, alice.token)

    total, body = 1500, "x" * 3000  # ~4.5 MB: far beyond the socket buffers
    # How far the normal reader trails each message's commit (its ack to the sender), so the
    # measure is of the fan-out, whatever the disk's commit latency on this machine.
    acked_at: dict[str, float] = {}
    lags: list[float] = []

    async def read_acks() -> None:
        while len(acked_at) < total:
            frame = await sender.recv(timeout=10)
            if frame["type"] == "ack":
                acked_at[frame["client_msg_id"]] = time.monotonic()

    async def read_fast() -> int:
        got = 0
        while got < total:
            frame = await fast.recv(timeout=10)
            if frame["type"] == "message":
                received_at = time.monotonic()
                await asyncio.sleep(0)  # let the ack reader record an ack read in this tick
                ack = acked_at.get(frame["message"]["client_msg_id"], received_at)
                lags.append(received_at - ack)
                got += 1
        return got

    acks = asyncio.create_task(read_acks())
    reading = asyncio.create_task(read_fast())
    for n in range(total):
        await sender.send(
            {"type": "send", "room_id": room_id, "client_msg_id": f"f{n}", "body": body}
        )
    assert await reading == total
    await acks
    assert max(lags) < 2.0, f"the normal reader fell {max(lags):.1f}s behind the commits"

    # Now the slow client reads what reached it: a prefix of the room, then close 4008.
    received = 0
    try:
        while True:
            frame = await slow.recv(timeout=10)
            received += frame["type"] == "message"
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 4008
    assert 0 < received < total
    for ws in (fast, sender):
        await ws.close()
    for user in (alice, slow_user, fast_user):
        await user.http.aclose()


async def test_ping_pong_and_socket_closed_when_token_expires(start_server):
    server = start_server(access_token_ttl_s=2)
    alice = await register(server.base_url)
    ws = await Ws.connect(server.ws_url, alice.token)
    await ws.send({"type": "ping", "id": "hb1"})
    assert await ws.expect("pong") == {"type": "pong", "id": "hb1"}
    frame = await ws.recv(timeout=5)
    assert frame["type"] == "error" and frame["code"] == "token_expired"
    try:
        await ws.recv(timeout=5)
        raise AssertionError("socket should have been closed")
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 4001
    await alice.http.aclose()


async def test_fresh_auth_frame_extends_an_open_socket(start_server):
    server = start_server(access_token_ttl_s=3)
    alice = await register(server.base_url)
    ws = await Ws.connect(server.ws_url, alice.token)
    await asyncio.sleep(1.5)
    r = await alice.http.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    await ws.send({"type": "auth", "token": r.json()["access_token"], "id": 1})
    assert (await ws.expect("ready"))["id"] == 1
    await asyncio.sleep(2.0)  # past the first token's expiry
    await ws.send({"type": "ping"})
    assert (await ws.expect("pong"))["type"] == "pong"
    await ws.close()
    await alice.http.aclose()


async def test_resume_longer_than_the_send_queue_is_paced_not_dropped(server):
    """A resume of 900 missed events (more than the 256-frame send queue, within the replay
    bound) arrives whole, in order, without closing the socket, and live events follow."""
    alice, bob = await register(server.base_url), await register(server.base_url)
    room_id = await create_room(alice)
    await join(bob, room_id)
    b = await Ws.connect(server.ws_url, bob.token)
    start = (await b.subscribe(room_id))["rooms"][str(room_id)]
    for n in range(900):  # pipelined: the server handles one socket's sends in order
        await b.send({"type": "send", "room_id": room_id, "client_msg_id": f"m{n}", "body": "x"})
    last = None
    while last is None or last["client_msg_id"] != "m899":
        last = await b.next_of("ack", timeout=30)

    a = await Ws.connect(server.ws_url, alice.token)
    frames = await a.resume({room_id: start})
    assert [f["seq"] for f in frames if "seq" in f] == list(range(start + 1, last["seq"] + 1))
    assert frames[-1]["rooms"] == {str(room_id): last["seq"]}
    live = await b.send_message(room_id, "after", "live")
    assert (await a.next_of("message"))["seq"] == live["seq"] == last["seq"] + 1
    for ws in (a, b):
        await ws.close()
    for user in (alice, bob):
        await user.http.aclose()


async def test_a_removed_member_gets_the_removal_once_and_nothing_after(server):
    owner, bob = await register(server.base_url), await register(server.base_url)
    room_id = await create_room(owner, "team", "private")
    r = await owner.http.post(f"/api/rooms/{room_id}/members", json={"user_id": bob.id})
    assert r.status_code == 201
    b = await Ws.connect(server.ws_url, bob.token)
    await b.subscribe(room_id)
    r = await owner.http.delete(f"/api/rooms/{room_id}/members/{bob.id}")
    assert r.status_code == 204
    removal = await b.next_of_seq()
    assert (removal["type"], removal["action"], removal["user"]["id"]) == (
        "member",
        "removed",
        bob.id,
    )
    o = await Ws.connect(server.ws_url, owner.token)
    await o.send_message(room_id, "after", "not for bob")
    await b.send({"type": "ping", "id": "p"})
    assert await b.recv() == {"type": "pong", "id": "p"}  # no duplicate removal, no message
    for ws in (b, o):
        await ws.close()
    for user in (owner, bob):
        await user.http.aclose()


async def test_read_frame_moves_the_marker_clears_unread_and_tells_the_room(server, bob):
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    await join(bob, room_id)
    a = await Ws.connect(server.ws_url, alice.token)
    b = await Ws.connect(server.ws_url, bob.token)
    await a.subscribe(room_id)
    await b.subscribe(room_id)
    acks = [await a.send_message(room_id, f"r{n}", f"unread {n}") for n in range(3)]
    assert (await bob.http.get(f"/api/rooms/{room_id}")).json()["unread_count"] == 3

    await b.send({"type": "read", "room_id": room_id, "seq": acks[1]["seq"]})
    read = await a.next_of("read")
    assert read == {"type": "read", "room_id": room_id, "user_id": bob.id, "seq": acks[1]["seq"]}
    room = (await bob.http.get(f"/api/rooms/{room_id}")).json()
    assert (room["last_read_seq"], room["unread_count"]) == (acks[1]["seq"], 1)
    await b.send({"type": "read", "room_id": room_id, "seq": 1})  # never moves back
    assert (await a.next_of("read"))["seq"] == acks[1]["seq"]
    for ws in (a, b):
        await ws.close()
    await alice.http.aclose()


def _metric(text: str, name: str) -> float:
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")]
    return sum(values)


async def test_metrics_show_open_sockets_and_deliveries(server, bob):
    room_id = await create_room(bob)
    metrics_url = f"{server.base_url}/metrics"
    before = (await bob.http.get(metrics_url)).text
    watchers = [await Ws.connect(server.ws_url, bob.token) for _ in range(3)]
    for ws in watchers:
        await ws.subscribe(room_id)
    await watchers[0].send_message(room_id, "m", "to three sockets")  # reads its own copy
    for ws in watchers[1:]:
        await ws.next_of("message")
    during = (await bob.http.get(metrics_url)).text
    assert _metric(during, "tipchat_open_sockets") - _metric(before, "tipchat_open_sockets") == 3
    delivered = _metric(during, "tipchat_deliveries_total") - _metric(
        before, "tipchat_deliveries_total"
    )
    assert delivered == 3
    assert _metric(during, "tipchat_send_to_ack_seconds_count") > _metric(
        before, "tipchat_send_to_ack_seconds_count"
    )
    for ws in watchers:
        await ws.close()
    for _ in range(50):  # closing is asynchronous on the server side
        after = (await bob.http.get(metrics_url)).text
        if _metric(after, "tipchat_open_sockets") == _metric(before, "tipchat_open_sockets"):
            break
        await asyncio.sleep(0.05)
    assert _metric(after, "tipchat_open_sockets") == _metric(before, "tipchat_open_sockets")
