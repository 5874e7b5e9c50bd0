"""Block a user (no DMs from them, their messages left out of my server-side lists) and mute
a room (muted in my room list, counts still computed)."""

from __future__ import annotations

from typing import Any

from tests.helpers import User, Ws, create_room, join


async def open_dm(user: User, other: User):
    return await user.http.post("/api/dms", json={"user_id": other.id})


async def room_of(user: User, room_id: int) -> dict[str, Any]:
    rooms = (await user.http.get("/api/rooms")).json()["rooms"]
    (room,) = [r for r in rooms if r["id"] == room_id]
    return room


async def test_a_blocked_user_cannot_open_a_dm_nor_send_into_one(server, alice, bob, db):
    dm = (await open_dm(alice, bob)).json()["id"]
    assert (await alice.http.put(f"/api/blocks/{bob.id}")).status_code == 204
    assert (await alice.http.put(f"/api/blocks/{bob.id}")).status_code == 204  # idempotent
    blocks = (await alice.http.get("/api/blocks")).json()["users"]
    assert [(b["id"], b["username"]) for b in blocks] == [(bob.id, "bob")]
    before = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", dm)

    r = await open_dm(bob, alice)
    assert r.status_code == 403
    assert r.json() == {
        "code": "cannot_message_user",
        "message": "you cannot send direct messages to this user",
    }
    r = await bob.http.post(
        f"/api/rooms/{dm}/messages", json={"client_msg_id": "b1", "body": "hello?"}
    )
    assert r.status_code == 403 and r.json()["code"] == "cannot_message_user"
    ws = await Ws.connect(server.ws_url, bob.token)
    error = await ws.send_message(dm, "b2", "hello??")
    assert error["type"] == "error" and error["code"] == "cannot_message_user"
    await ws.close()
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", dm) == before

    # The blocker may still write, and unblocking lets the other answer again.
    r = await alice.http.post(
        f"/api/rooms/{dm}/messages", json={"client_msg_id": "a1", "body": "x"}
    )
    assert r.status_code == 201
    assert (await alice.http.delete(f"/api/blocks/{bob.id}")).status_code == 204
    assert (await alice.http.get("/api/blocks")).json()["users"] == []
    r = await bob.http.post(f"/api/rooms/{dm}/messages", json={"client_msg_id": "b3", "body": "y"})
    assert r.status_code == 201
    assert (await open_dm(bob, alice)).json()["id"] == dm


async def test_block_input_rules(alice, bob):
    r = await alice.http.put(f"/api/blocks/{alice.id}")
    assert r.status_code == 400 and r.json()["code"] == "invalid_request"
    r = await alice.http.put("/api/blocks/999999")
    assert r.status_code == 404 and r.json()["code"] == "user_not_found"
    assert (await alice.http.delete(f"/api/blocks/{bob.id}")).status_code == 204  # not blocked


async def test_blocked_users_messages_are_left_out_of_my_counts_and_lists(alice, bob):
    room_id = await create_room(alice)
    await join(bob, room_id)
    r = await bob.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "b1", "body": "@alice hey"}
    )
    assert r.status_code == 201
    assert (await room_of(alice, room_id))["unread_mentions"] == 1
    assert (await room_of(alice, room_id))["unread_count"] == 1
    await alice.http.put(f"/api/blocks/{bob.id}")
    assert (await room_of(alice, room_id))["unread_mentions"] == 0
    assert (await room_of(alice, room_id))["unread_count"] == 0  # hidden, so not unread
    assert (await alice.http.get("/api/mentions")).json()["mentions"] == []
    # History still has the message (one log for the whole room); the client hides it.
    page = (await alice.http.get(f"/api/rooms/{room_id}/messages")).json()["messages"]
    assert [m["sender_id"] for m in page] == [bob.id]


async def test_mute_a_room_counts_still_computed(alice, bob, users, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    for i in range(2):
        r = await bob.http.post(
            f"/api/rooms/{room_id}/messages",
            json={"client_msg_id": f"b{i}", "body": f"@alice {i}"},
        )
        assert r.status_code == 201
    assert (await alice.http.put(f"/api/rooms/{room_id}/mute")).status_code == 204
    room = await room_of(alice, room_id)
    assert (room["muted"], room["unread_count"], room["unread_mentions"]) == (True, 2, 2)
    assert (await bob.http.get(f"/api/rooms/{room_id}")).json()["muted"] is False  # mine only
    assert (await alice.http.get(f"/api/rooms/{room_id}")).json()["muted"] is True
    assert (await alice.http.delete(f"/api/rooms/{room_id}/mute")).status_code == 204
    assert (await room_of(alice, room_id))["muted"] is False

    # Members only: a private room is invisible, a public one asks to join first.
    outsider = await users()
    secret = await create_room(alice, "secret", kind="private")
    r = await outsider.http.put(f"/api/rooms/{secret}/mute")
    assert r.status_code == 404 and r.json()["code"] == "room_not_found"
    r = await outsider.http.put(f"/api/rooms/{room_id}/mute")
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE muted") == 0
