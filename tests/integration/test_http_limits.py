"""HTTP edges: the body size cap, malformed input, path overflow, unknown paths and the ops
endpoints (health, readiness, metrics, OpenAPI)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.helpers import create_room

MAX_BODY = 64 * 1024


@pytest.fixture
async def anon(server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        yield client


async def _room_state(db, room_id: int) -> tuple[int, int, int]:
    """(messages, room_events, rooms.last_seq) of one room."""
    messages = await db.fetchval("SELECT count(*) FROM messages WHERE room_id = $1", room_id)
    events = await db.fetchval("SELECT count(*) FROM room_events WHERE room_id = $1", room_id)
    last_seq = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)
    return messages, events, last_seq


def _message_json(total_bytes: int) -> bytes:
    """A valid send body of exactly total_bytes bytes (the body text pads it)."""
    empty = json.dumps({"client_msg_id": "big", "body": ""}).encode()
    payload = json.dumps({"client_msg_id": "big", "body": "a" * (total_bytes - len(empty))})
    data = payload.encode()
    assert len(data) == total_bytes
    return data


# --- body size cap ------------------------------------------------------------------------


async def test_body_over_64_kib_with_content_length_is_refused_and_writes_nothing(alice, db):
    room_id = await create_room(alice)
    before = await _room_state(db, room_id)
    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages",
        content=_message_json(MAX_BODY + 1),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "body_too_large"
    assert await _room_state(db, room_id) == before


async def test_body_of_exactly_64_kib_passes_the_size_cap(alice, db):
    """At the cap the request reaches the rules (which refuse a body text this long)."""
    room_id = await create_room(alice)
    before = await _room_state(db, room_id)
    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages",
        content=_message_json(MAX_BODY),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "message_too_long"
    assert await _room_state(db, room_id) == before


async def test_chunked_body_over_64_kib_without_content_length_is_refused(alice, db):
    """Content-Length can be absent (chunked upload): the cap is enforced while reading."""
    room_id = await create_room(alice)
    before = await _room_state(db, room_id)
    data = _message_json(MAX_BODY * 2)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 8192):
            yield data[start : start + 8192]

    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in r.request.headers
    assert await _room_state(db, room_id) == before
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "body_too_large"


async def test_chunked_body_under_the_cap_is_accepted(alice, db):
    room_id = await create_room(alice)
    data = json.dumps({"client_msg_id": "small", "body": "hello in chunks"}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 7):
            yield data[start : start + 7]

    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert (
        await db.fetchval(
            "SELECT body FROM messages WHERE room_id = $1 AND seq = $2", room_id, r.json()["seq"]
        )
        == "hello in chunks"
    )


# --- malformed input --------------------------------------------------------------------


async def test_malformed_json_is_422_invalid_json_and_writes_nothing(alice, db):
    r = await alice.http.post(
        "/api/rooms", content=b'{"name": "x", ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid_json"
    assert body["message"]
    assert await db.fetchval("SELECT count(*) FROM rooms") == 0


async def test_missing_fields_are_422_invalid_request_and_write_nothing(alice, db):
    r = await alice.http.post("/api/rooms", json={"kind": "public"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid_request"
    assert "name" in body["message"]
    assert await db.fetchval("SELECT count(*) FROM rooms") == 0

    room_id = await create_room(alice)
    before = await _room_state(db, room_id)
    r = await alice.http.post(f"/api/rooms/{room_id}/messages", json={"body": "no id"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_request"
    assert await _room_state(db, room_id) == before


async def test_wrong_field_types_are_422_invalid_request(alice):
    r = await alice.http.post("/api/rooms", json={"name": 5, "kind": "secret"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/rooms/{big}"),
        ("GET", "/api/rooms/{big}/messages"),
        ("GET", "/api/rooms/{big}/members"),
        ("POST", "/api/rooms/{big}/join"),
    ],
)
async def test_room_id_beyond_bigint_is_a_client_error_not_500(alice, method, path):
    r = await alice.http.request(method, path.format(big=2**63))
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.json()["code"] != "internal_error"


async def test_message_seq_beyond_bigint_in_the_path_is_a_client_error(alice):
    room_id = await create_room(alice)
    r = await alice.http.patch(f"/api/rooms/{room_id}/messages/{2**63}", json={"body": "x"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)


async def test_user_id_beyond_bigint_in_a_body_is_a_client_error(alice):
    r = await alice.http.post("/api/dms", json={"user_id": 2**63})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)


async def test_seq_query_beyond_bigint_is_a_client_error(alice):
    room_id = await create_room(alice)
    r = await alice.http.get(f"/api/rooms/{room_id}/messages", params={"before_seq": 2**63})
    assert 400 <= r.status_code < 500, r.text


async def test_unknown_path_is_404_not_found(anon):
    r = await anon.get("/api/no-such-thing")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


# --- ops --------------------------------------------------------------------------------


async def test_healthz_and_readyz(anon):
    r = await anon.get("/healthz")
    assert r.status_code == 200
    r = await anon.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def _sample(text: str, name: str, labels: str = "") -> float:
    """The value of one sample in Prometheus text output (0 when absent)."""
    pattern = re.escape(name) + (re.escape("{" + labels + "}") if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + "$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_metrics_count_a_send(alice, anon):
    room_id = await create_room(alice)
    before = (await anon.get("/metrics")).text
    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "m1", "body": "hi"}
    )
    assert r.status_code == 201, r.text
    r = await anon.get("/metrics")
    assert r.status_code == 200
    after = r.text
    assert "tipchat_events_committed_total" in after
    assert "tipchat_send_to_ack_seconds" in after
    committed = 'type="message"'
    assert (
        _sample(after, "tipchat_events_committed_total", committed)
        - _sample(before, "tipchat_events_committed_total", committed)
        == 1
    )
    assert (
        _sample(after, "tipchat_send_to_ack_seconds_count")
        - _sample(before, "tipchat_send_to_ack_seconds_count")
        == 1
    )


async def test_openapi_lists_the_public_paths(anon):
    r = await anon.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "post" in paths["/api/auth/register"]
    assert {"get", "post"} <= set(paths["/api/rooms/{room_id}/messages"])
    for path in ("/api/auth/login", "/api/me", "/api/rooms", "/api/dms", "/api/users"):
        assert path in paths
