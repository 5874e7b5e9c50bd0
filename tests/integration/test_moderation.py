"""Moderation basics (issue 6, point 7) end to end: an admin deletes someone else's message
(live, redacted in history, replay and the stored log), and a removed member can no longer
send, react, search or read."""

from __future__ import annotations

from urllib.parse import quote

from tests.helpers import Ws, create_room


async def test_an_admin_deletes_anothers_message_everywhere(server, alice, bob, carol, db):
    room_id = await create_room(alice, "moderated", kind="private")
    for user in (bob, carol):
        r = await alice.http.post(f"/api/rooms/{room_id}/members", json={"user_id": user.id})
        assert r.status_code == 201
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{bob.id}", json={"role": "admin"})
    assert r.status_code == 200
    r = await carol.http.post(
        f"/api/rooms/{room_id}/messages",
        json={"client_msg_id": "c1", "body": "something awful @alice"},
    )
    seq = r.json()["seq"]
    r = await carol.http.patch(
        f"/api/rooms/{room_id}/messages/{seq}", json={"body": "something awful, edited"}
    )
    assert r.status_code == 200
    r = await alice.http.put(f"/api/rooms/{room_id}/messages/{seq}/reactions/{quote('👎')}")
    assert r.status_code == 200
    watcher = await Ws.connect(server.ws_url, carol.token)
    await watcher.subscribe(room_id)

    r = await bob.http.delete(f"/api/rooms/{room_id}/messages/{seq}")
    assert r.status_code == 204, r.text
    event = await watcher.next_of_seq()
    assert event["type"] == "message_updated" and event["by"] == bob.id
    deleted = {"body": None, "deleted": True, "reactions": [], "mentions": []}
    assert {k: event["message"][k] for k in deleted} == deleted
    assert event["message"]["seq"] == seq and event["message"]["sender_id"] == carol.id

    snapshot = (await alice.http.get(f"/api/rooms/{room_id}/messages/{seq}")).json()
    assert {k: snapshot[k] for k in deleted} == deleted
    replay = await Ws.connect(server.ws_url, alice.token)
    frames = [f for f in await replay.resume({room_id: 0}) if "message" in f]
    about = [f for f in frames if f["message"]["seq"] == seq]
    assert [f["type"] for f in about] == ["message"] + ["message_updated"] * 3
    assert all(f["message"]["body"] is None for f in about)
    stored = await db.fetch(
        "SELECT payload::text AS p FROM room_events WHERE room_id = $1", room_id
    )
    assert not any("awful" in row["p"] for row in stored)
    assert await db.fetchval("SELECT body FROM messages WHERE seq = $1", seq) is None
    for ws in (watcher, replay):
        await ws.close()


async def test_a_removed_member_can_no_longer_write_or_read(alice, bob, db):
    room_id = await create_room(alice, "closed", kind="private")
    r = await alice.http.post(f"/api/rooms/{room_id}/members", json={"user_id": bob.id})
    assert r.status_code == 201
    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "a1", "body": "findable words"}
    )
    seq = r.json()["seq"]
    assert (await bob.http.get("/api/search", params={"q": "findable"})).json()["results"]
    assert (await alice.http.delete(f"/api/rooms/{room_id}/members/{bob.id}")).status_code == 204
    last_seq = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)

    attempts = [
        bob.http.post(
            f"/api/rooms/{room_id}/messages", json={"client_msg_id": "b1", "body": "let me in"}
        ),
        bob.http.put(f"/api/rooms/{room_id}/messages/{seq}/reactions/{quote('👍')}"),
        bob.http.get(f"/api/rooms/{room_id}/messages"),
        bob.http.get("/api/search", params={"q": "findable", "room_id": room_id}),
    ]
    for attempt in attempts:
        r = await attempt
        assert r.status_code == 404 and r.json()["code"] == "room_not_found", r.text
    assert (await bob.http.get("/api/search", params={"q": "findable"})).json()["results"] == []
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id) == last_seq
