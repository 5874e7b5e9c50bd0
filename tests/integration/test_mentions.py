"""@mentions: resolved on the server to room members only (at send, in batches, and at edit),
shown in snapshots, counted per room above the read marker, listed per user; mentioning a
non-member tells nobody anything."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.helpers import User, Ws, create_room, join


async def post(user: User, room_id: int, cmid: str, body: str) -> tuple[int, dict[str, Any]]:
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": cmid, "body": body}
    )
    return r.status_code, r.json()


async def message(user: User, room_id: int, seq: int) -> dict[str, Any]:
    r = await user.http.get(f"/api/rooms/{room_id}/messages/{seq}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def room_of(user: User, room_id: int) -> dict[str, Any]:
    rooms = (await user.http.get("/api/rooms")).json()["rooms"]
    (room,) = [r for r in rooms if r["id"] == room_id]
    return room


async def mentions_of(user: User, **params: Any) -> dict[str, Any]:
    r = await user.http.get("/api/mentions", params=params)
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return page


async def test_members_are_resolved_others_are_plain_text(server, users, db):
    alice, bob, carol, dave = [await users(n) for n in ("alice", "bob", "carol", "dave")]
    room_id = await create_room(alice, "secret", kind="private")
    for member in (bob, carol):
        r = await alice.http.post(f"/api/rooms/{room_id}/members", json={"user_id": member.id})
        assert r.status_code == 201
    ws = await Ws.connect(server.ws_url, bob.token)
    await ws.subscribe(room_id)

    body = "@bob look, @CAROL: ask @dave or @nobody (mail bob@x.io, @alice) @bob again"
    status, ack = await post(alice, room_id, "m1", body)
    assert status == 201, ack
    event = await ws.next_of("message")
    assert event["message"]["mentions"] == sorted([bob.id, carol.id])  # not dave, not alice
    assert (await message(bob, room_id, ack["seq"]))["mentions"] == sorted([bob.id, carol.id])
    rows = await db.fetch("SELECT user_id FROM mentions ORDER BY user_id")
    assert [r["user_id"] for r in rows] == sorted([bob.id, carol.id])

    # dave, not a member, learns nothing: no mention, and the room stays invisible.
    assert (await mentions_of(dave)) == {"mentions": [], "has_more": False}
    assert all(r["id"] != room_id for r in (await dave.http.get("/api/rooms")).json()["rooms"])
    # Bob sees the mention in his list and as a badge on the room.
    mine = await mentions_of(bob)
    assert [m["message"]["seq"] for m in mine["mentions"]] == [ack["seq"]]
    assert mine["mentions"][0]["message"]["body"] == body
    assert (await room_of(bob, room_id))["unread_mentions"] == 1
    assert (await room_of(alice, room_id))["unread_mentions"] == 0
    await ws.close()


async def test_unread_mentions_follow_the_read_marker_and_deletes(users):
    alice, bob = await users(), await users()
    room_id = await create_room(alice)
    await join(bob, room_id)
    seqs = [
        (await post(alice, room_id, f"m{i}", f"hey @{bob.username} {i}"))[1]["seq"]
        for i in range(3)
    ]
    assert (await room_of(bob, room_id))["unread_mentions"] == 3
    r = await bob.http.post(f"/api/rooms/{room_id}/read", json={"seq": seqs[0]})
    assert r.status_code == 200
    assert (await room_of(bob, room_id))["unread_mentions"] == 2
    assert (await alice.http.delete(f"/api/rooms/{room_id}/messages/{seqs[2]}")).status_code == 204
    assert (await room_of(bob, room_id))["unread_mentions"] == 1
    # The deleted message is gone from the list and shows no mentions.
    assert [m["message"]["seq"] for m in (await mentions_of(bob))["mentions"]] == seqs[1::-1]
    assert (await message(bob, room_id, seqs[2]))["mentions"] == []


async def test_mentions_list_pages_newest_first_and_forgets_rooms_left(users):
    alice, bob = await users(), await users()
    rooms = [await create_room(alice, f"r{i}") for i in range(2)]
    for room_id in rooms:
        await join(bob, room_id)
    sent = []
    for i in range(5):
        room_id = rooms[i % 2]
        sent.append(
            (room_id, (await post(alice, room_id, f"m{i}", f"@{bob.username} #{i}"))[1]["seq"])
        )
    first = await mentions_of(bob, limit=3)
    assert first["has_more"] is True
    second = await mentions_of(bob, limit=3, before=first["mentions"][-1]["id"])
    assert second["has_more"] is False
    got = [
        (m["message"]["room_id"], m["message"]["seq"])
        for m in first["mentions"] + second["mentions"]
    ]
    assert got == sent[::-1]
    assert (await bob.http.get("/api/mentions", params={"limit": 0})).json()[
        "code"
    ] == "invalid_limit"

    r = await bob.http.delete(f"/api/rooms/{rooms[0]}/members/{bob.id}")
    assert r.status_code == 204
    left = [(m["message"]["room_id"]) for m in (await mentions_of(bob))["mentions"]]
    assert left == [rooms[1], rooms[1]]


async def test_an_edit_resolves_mentions_again(server, users):
    alice, bob, carol = await users(), await users(), await users()
    room_id = await create_room(alice)
    await join(bob, room_id)
    await join(carol, room_id)
    _, ack = await post(alice, room_id, "m1", f"hi @{bob.username}")
    ws = await Ws.connect(server.ws_url, carol.token)
    await ws.subscribe(room_id)
    r = await alice.http.patch(
        f"/api/rooms/{room_id}/messages/{ack['seq']}", json={"body": f"hi @{carol.username}"}
    )
    assert r.status_code == 200 and r.json()["mentions"] == [carol.id]
    event = await ws.next_of("message_updated")
    assert event["message"]["mentions"] == [carol.id]
    assert (await mentions_of(bob))["mentions"] == []
    assert (await room_of(carol, room_id))["unread_mentions"] == 1
    await ws.close()


async def test_a_batch_of_sends_resolves_each_ones_mentions(server, users, db):
    """Sends that are group-committed together each get their own mentions (and a refused
    send leaves none behind)."""
    people = [await users() for _ in range(6)]
    owner, outsider = people[0], people[5]
    room_id = await create_room(owner)
    for person in people[1:5]:
        await join(person, room_id)
    sends = [
        post(
            people[i % 5],
            room_id,
            f"b-{i}",
            f"@{people[(i + 1) % 5].username} and @{outsider.username}",
        )
        for i in range(30)
    ]
    refused = post(outsider, room_id, "x", f"@{owner.username}")  # not a member: 403
    results = await asyncio.gather(*sends, refused)
    assert results[-1][0] == 403
    for i, (status, ack) in enumerate(results[:-1]):
        assert status == 201, ack
        snapshot = await message(owner, room_id, ack["seq"])
        assert snapshot["mentions"] == [people[(i + 1) % 5].id]
    assert await db.fetchval("SELECT count(*) FROM mentions") == 30
