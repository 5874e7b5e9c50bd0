"""Property-based fuzzing of the WebSocket frame handler (hypothesis): any sequence of frames,
well-formed or not, aimed at rooms the user is in and at a private room they are not in,
never crashes the handler (the socket stays open and still answers a ping), never gets an
internal error, and never writes anything into the room the user may not touch."""

from __future__ import annotations

import asyncio
import json
import string

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import connect

from tests.helpers import PASSWORD
from tipchat.realtime.frames import FRAME_TYPES

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _frames(room_ids: list[int]) -> st.SearchStrategy[list[object]]:
    room = st.sampled_from(room_ids) | st.integers(min_value=-(2**64), max_value=2**64) | JSON
    field = {
        "id": st.text(max_size=10) | st.integers() | JSON,
        "room_id": room,
        "room_ids": st.lists(room, max_size=4) | JSON,
        "rooms": st.dictionaries(st.sampled_from([str(r) for r in room_ids]), st.integers()) | JSON,
        "client_msg_id": st.text(max_size=70) | JSON,
        "body": st.text(max_size=60) | JSON,
        "reply_to": st.integers() | JSON,
        "seq": st.integers() | JSON,
        "status": st.sampled_from(["online", "away", "offline"]) | JSON,
        "token": st.text(alphabet=string.ascii_letters + ".-_", max_size=40) | JSON,
        "attachments": st.lists(st.integers(), max_size=3) | JSON,
    }
    anything = st.fixed_dictionaries(
        {"type": st.sampled_from(sorted(FRAME_TYPES)) | st.text(max_size=8) | JSON},
        optional=field,
    )
    # Frames that pass validation, so that the handlers behind it are fuzzed too. Bodies lean
    # on characters that have broken text handling before (NUL, bidi, BOM, combining marks).
    nasty = st.text(st.sampled_from("\x00\u202e\ufeff\u0301a@ 😀\n"), min_size=1, max_size=20)
    real_room = st.sampled_from(room_ids)
    cmid = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), min_size=1, max_size=64)
    valid = st.one_of(
        st.builds(
            lambda r, c, b, rt: {
                "type": "send",
                "room_id": r,
                "client_msg_id": c,
                "body": b,
                **({"reply_to": rt} if rt else {}),
            },
            real_room,
            cmid,
            nasty | st.text(min_size=1, max_size=80),
            st.none() | st.integers(1, 50),
        ),
        st.builds(lambda r: {"type": "subscribe", "room_ids": r}, st.lists(real_room, min_size=1)),
        st.builds(
            lambda r: {"type": "unsubscribe", "room_ids": r}, st.lists(real_room, min_size=1)
        ),
        st.builds(
            lambda r, q: {"type": "resume", "rooms": {str(r): q}}, real_room, st.integers(0, 60)
        ),
        st.builds(lambda r: {"type": "typing", "room_id": r}, real_room),
        st.builds(
            lambda r, q: {"type": "read", "room_id": r, "seq": q}, real_room, st.integers(0, 60)
        ),
        st.builds(lambda v: {"type": "presence", "status": v}, st.sampled_from(["online", "away"])),
    )
    return st.lists(valid | anything | JSON, min_size=1, max_size=6)


@pytest.fixture
def world(server):
    """A fuzzing user with a room, and someone else's private room the fuzzer is not in."""
    with httpx.Client(base_url=server.base_url) as http:

        def user(name: str) -> str:
            r = http.post("/api/auth/register", json={"username": name, "password": PASSWORD})
            return str(r.json()["access_token"])

        fuzzer, owner = user("fuzzer"), user("owner")

        def room(token: str, name: str, kind: str) -> int:
            r = http.post(
                "/api/rooms",
                json={"name": name, "kind": kind},
                headers={"authorization": f"Bearer {token}"},
            )
            return int(r.json()["id"])

        mine = room(fuzzer, "mine", "public")
        secret = room(owner, "secret", "private")
    return server, fuzzer, mine, secret


def _fetchval(database_url: str, query: str, *args: object) -> object:
    async def fetch() -> object:
        conn = await asyncpg.connect(database_url)
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    return asyncio.run(fetch())


def test_no_frame_sequence_breaks_the_handler_or_reaches_a_foreign_room(world, database_url):
    server, token, mine, secret = world

    @given(frames=_frames([mine, secret]))
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    def run(frames: list[object]) -> None:
        with connect(server.ws_url, open_timeout=10, close_timeout=2) as ws:
            ws.send(json.dumps({"type": "auth", "token": token}))
            assert json.loads(ws.recv(timeout=10))["type"] == "ready"
            for frame in frames:
                ws.send(json.dumps(frame))
            ws.send(json.dumps({"type": "ping", "id": "alive?"}))
            while True:  # every reply until our ping's pong: the handler is alive
                reply = json.loads(ws.recv(timeout=10))
                assert reply.get("code") != "internal_error", reply
                if reply == {"type": "pong", "id": "alive?"}:
                    break

    run()
    # Nothing reached the private room: its log still holds only its owner's join.
    assert _fetchval(database_url, "SELECT last_seq FROM rooms WHERE id = $1", secret) == 1
    assert _fetchval(database_url, "SELECT count(*) FROM messages WHERE room_id = $1", secret) == 0
