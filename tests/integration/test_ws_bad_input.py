"""Bad input on the socket: a stable error code, the socket stays usable where it sensibly
can, and nothing is written."""

from __future__ import annotations

import json

import pytest
import websockets

from tests.helpers import Ws, create_room, register


async def _counts(db) -> tuple[int, int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM messages"),
        await db.fetchval("SELECT count(*) FROM room_events"),
        await db.fetchval("SELECT coalesce(sum(last_seq), 0) FROM rooms"),
    )


@pytest.fixture
async def alice_ws(server):
    alice = await register(server.base_url, "alice")
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    yield alice, room_id, ws
    await ws.close()
    await alice.http.aclose()


async def _still_usable(ws: Ws) -> None:
    await ws.send({"type": "ping", "id": "after"})
    assert await ws.expect("pong") == {"type": "pong", "id": "after"}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"no_type": 1}', "invalid_frame"),
        ('{"type": "shout", "id": 9}', "unknown_frame_type"),
        ('{"type": "send", "client_msg_id": "x", "body": "hi"}', "invalid_frame"),  # no room
        ('{"type": "send", "room_id": "abc", "client_msg_id": "x", "body": "hi"}', "invalid_frame"),
        ('{"type": "subscribe", "room_ids": []}', "invalid_frame"),
        ('{"type": "resume", "rooms": {"1": -5}}', "invalid_frame"),
        ('{"type": "read", "room_id": 1}', "invalid_frame"),
    ],
)
async def test_malformed_frames_get_a_code_and_change_nothing(alice_ws, db, raw, code):
    _, _, ws = alice_ws
    before = await _counts(db)
    await ws.conn.send(raw)
    error = await ws.expect("error")
    assert error["code"] == code, error
    if code == "unknown_frame_type":
        assert error["id"] == 9
    await _still_usable(ws)
    assert await _counts(db) == before


async def test_missing_field_is_named(alice_ws):
    _, room_id, ws = alice_ws
    await ws.send({"type": "send", "room_id": room_id, "client_msg_id": "x"})
    error = await ws.expect("error")
    assert error["code"] == "invalid_frame" and "body" in error["message"]


async def test_oversized_frame_is_refused_and_socket_survives(alice_ws, db):
    _, room_id, ws = alice_ws
    before = await _counts(db)
    huge = json.dumps(
        {"type": "send", "room_id": room_id, "client_msg_id": "big", "body": "x" * (64 * 1024)}
    )
    await ws.conn.send(huge)
    assert (await ws.expect("error"))["code"] == "frame_too_large"
    await _still_usable(ws)
    assert await _counts(db) == before


async def test_binary_frames_are_refused(alice_ws):
    _, _, ws = alice_ws
    await ws.conn.send(b'{"type": "ping"}')
    assert (await ws.expect("error"))["code"] == "invalid_frame"
    await _still_usable(ws)


@pytest.mark.parametrize(
    ("body", "code"), [("x" * 4001, "message_too_long"), ("   \n ", "message_empty")]
)
async def test_bad_message_bodies(alice_ws, db, body, code):
    _, room_id, ws = alice_ws
    before = await _counts(db)
    error = await ws.send_message(room_id, "bad", body)
    assert error["type"] == "error" and error["code"] == code
    assert error["room_id"] == room_id
    assert await _counts(db) == before
    ok = await ws.send_message(room_id, "good", "x" * 4000)  # the limit itself is fine
    assert ok["type"] == "ack"


async def test_rooms_you_are_not_in(server, db):
    owner, stranger = await register(server.base_url), await register(server.base_url)
    public = await create_room(owner, "open", "public")
    private = await create_room(owner, "secret", "private")
    ws = await Ws.connect(server.ws_url, stranger.token)
    before = await _counts(db)

    cases = [(public, "not_a_member"), (private, "room_not_found"), (999_999, "room_not_found")]
    for room_id, code in cases:
        error = await ws.send_message(room_id, f"c{room_id}", "let me in")
        assert (error["type"], error["code"]) == ("error", code)
        await ws.send({"type": "subscribe", "room_ids": [room_id], "id": "s"})
        error = await ws.expect("error")
        assert (error["code"], error["room_id"], error["id"]) == (code, room_id, "s")
        assert (await ws.expect("subscribed"))["rooms"] == {}
        await ws.send({"type": "read", "room_id": room_id, "seq": 1})
        assert (await ws.expect("error"))["code"] == code
    # The private room answers exactly like a room that does not exist.
    await _still_usable(ws)
    assert await _counts(db) == before

    # And no event of either room reaches the stranger.
    owner_ws = await Ws.connect(server.ws_url, owner.token)
    await owner_ws.send_message(private, "p", "private words")
    await owner_ws.send_message(public, "q", "public words")
    await _still_usable(ws)  # the pong is the next frame: nothing was delivered before it
    for w in (ws, owner_ws):
        await w.close()
    for user in (owner, stranger):
        await user.http.aclose()


async def test_resume_from_the_future_is_refused(alice_ws):
    _, room_id, ws = alice_ws
    frames = await ws.resume({room_id: 10_000})
    assert frames[0]["code"] == "invalid_seq" and frames[-1]["rooms"] == {}
    await _still_usable(ws)


@pytest.mark.parametrize("token", ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", ""])
async def test_bad_tokens_close_the_socket_with_4001(server, token):
    ws = await Ws.connect(server.ws_url)
    await ws.send({"type": "auth", "token": token})
    error = await ws.expect("error")
    assert error["code"] == "invalid_token"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd.code == 4001


async def test_expired_token_is_refused(start_server):
    server = start_server(access_token_ttl_s=-60)  # tokens are born expired
    alice = await register(server.base_url)
    ws = await Ws.connect(server.ws_url)
    await ws.send({"type": "auth", "token": alice.token})
    assert (await ws.expect("error"))["code"] == "token_expired"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd.code == 4001
    await alice.http.aclose()


async def test_frames_before_auth_are_refused_until_auth(server):
    alice = await register(server.base_url)
    ws = await Ws.connect(server.ws_url)
    await ws.send({"type": "ping", "id": 1})
    error = await ws.expect("error")
    assert (error["code"], error["id"]) == ("not_authenticated", 1)
    await ws.send({"type": "auth", "token": alice.token})
    assert (await ws.expect("ready"))["user"]["id"] == alice.id
    await ws.close()
    await alice.http.aclose()


async def test_no_auth_within_the_time_limit_closes(start_server):
    server = start_server(ws_auth_timeout_s=0.5)
    ws = await Ws.connect(server.ws_url)
    assert (await ws.expect("error"))["code"] == "not_authenticated"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd.code == 4001


async def test_foreign_origin_is_refused_at_upgrade(server):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(server.ws_url, origin="https://evil.example")
    assert refused.value.response.status_code == 403
    assert json.loads(refused.value.response.body)["code"] == "origin_not_allowed"
    ok = await websockets.connect(server.ws_url, origin=server.base_url)
    await ok.close()


async def test_session_cookie_authenticates_the_socket(server):
    alice = await register(server.base_url)
    ws = await Ws.connect(
        server.ws_url,
        additional_headers={"cookie": f"tipchat_access={alice.token}"},
        origin=server.base_url,
    )
    assert (await ws.expect("ready"))["user"]["id"] == alice.id
    await ws.close()
    await alice.http.aclose()
