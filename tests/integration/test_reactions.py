"""Reactions: add and remove (idempotent), counts and who reacted, live for the room, in history
and in replay; members only; deleted messages take none; bad emoji change nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.helpers import User, Ws, create_room, join

THUMB, HEART, FAMILY = "👍", "❤️", "👨‍👩‍👧‍👦"


def _path(room_id: int, seq: int, emoji: str) -> str:
    return f"/api/rooms/{room_id}/messages/{seq}/reactions/{quote(emoji, safe='')}"


async def react(user: User, room_id: int, seq: int, emoji: str, method: str = "PUT"):
    return await user.http.request(method, _path(room_id, seq, emoji))


async def post(user: User, room_id: int, cmid: str, body: str = "hi") -> int:
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": cmid, "body": body}
    )
    assert r.status_code == 201, r.text
    seq: int = r.json()["seq"]
    return seq


async def written(db) -> tuple[Any, ...]:
    return (
        tuple(await db.fetch("SELECT id, last_seq FROM rooms ORDER BY id")),
        tuple(await db.fetch("SELECT * FROM reactions ORDER BY 1, 2, 3, 4")),
    )


async def test_add_remove_counts_and_who_live_and_in_history(server, alice, bob, carol, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    await join(carol, room_id)
    seq = await post(alice, room_id, "m1")
    watcher = await Ws.connect(server.ws_url, carol.token)
    await watcher.subscribe(room_id)

    r = await react(bob, room_id, seq, THUMB)
    assert r.status_code == 200, r.text
    assert r.json()["reactions"] == [{"emoji": THUMB, "count": 1, "user_ids": [bob.id]}]
    event = await watcher.next_of_seq()
    assert event["type"] == "message_updated" and event["by"] == bob.id
    assert event["message"]["seq"] == seq
    assert event["message"]["reactions"] == r.json()["reactions"]

    await react(alice, room_id, seq, THUMB)
    r = await react(alice, room_id, seq, FAMILY)
    assert r.json()["reactions"] == [
        {"emoji": THUMB, "count": 2, "user_ids": [bob.id, alice.id]},
        {"emoji": FAMILY, "count": 1, "user_ids": [alice.id]},
    ]
    # Idempotent: again the same changes nothing, writes no event.
    before = await written(db)
    again = await react(alice, room_id, seq, THUMB)
    assert again.status_code == 200 and again.json()["reactions"] == r.json()["reactions"]
    gone = await react(carol, room_id, seq, THUMB, "DELETE")  # carol never reacted
    assert gone.status_code == 200
    assert await written(db) == before

    r = await react(bob, room_id, seq, THUMB, "DELETE")
    assert r.json()["reactions"] == [
        {"emoji": THUMB, "count": 1, "user_ids": [alice.id]},
        {"emoji": FAMILY, "count": 1, "user_ids": [alice.id]},
    ]
    page = (await carol.http.get(f"/api/rooms/{room_id}/messages")).json()["messages"]
    assert [m["reactions"] for m in page if m["seq"] == seq] == [r.json()["reactions"]]

    # Replay from the message on: every reaction change is an event, the last one current.
    replayer = await Ws.connect(server.ws_url, bob.token)
    frames = await replayer.resume({room_id: seq - 1})
    updates = [f for f in frames if f["type"] == "message_updated"]
    assert len(updates) == 4  # bob 👍, alice 👍, alice 👨‍👩‍👧‍👦, bob un-👍
    assert updates[-1]["message"]["reactions"] == r.json()["reactions"]
    for ws in (watcher, replayer):
        await ws.close()


@pytest.mark.parametrize(
    "emoji",
    ["1", "#", "a", "ab", "👍👍", "👍a", " ", "\u200d", "\U0001f3fd", THUMB * 20, "<script>"],
)
async def test_not_one_emoji_is_refused_and_writes_nothing(alice, db, emoji):
    room_id = await create_room(alice)
    seq = await post(alice, room_id, "m1")
    before = await written(db)
    r = await react(alice, room_id, seq, emoji)
    assert r.status_code in (400, 422), r.text
    assert r.json()["code"] in ("emoji_invalid", "invalid_request")
    assert await written(db) == before


@pytest.mark.parametrize("emoji", ["1️⃣", "🇫🇷", "👍🏽", "🏳️‍🌈", HEART, "©️"])
async def test_real_emoji_sequences_are_accepted(alice, emoji):
    room_id = await create_room(alice)
    seq = await post(alice, room_id, "m1")
    r = await react(alice, room_id, seq, emoji)
    assert r.status_code == 200, r.text
    assert r.json()["reactions"][0]["emoji"] == emoji


async def test_members_only_and_private_rooms_stay_invisible(alice, bob, db):
    public = await create_room(alice, "open")
    private = await create_room(alice, "closed", kind="private")
    seq_public = await post(alice, public, "p1")
    seq_private = await post(alice, private, "s1")
    before = await written(db)
    r = await react(bob, private, seq_private, THUMB)
    assert r.status_code == 404 and r.json()["code"] == "room_not_found"
    r = await react(bob, public, seq_public, THUMB)
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"
    r = await react(alice, public, 999, THUMB)
    assert r.status_code == 404 and r.json()["code"] == "message_not_found"
    assert await written(db) == before


async def test_at_most_20_distinct_emojis_per_message(alice, bob, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    seq = await post(alice, room_id, "m1")
    emojis = [chr(0x1F600 + i) for i in range(21)]
    for emoji in emojis[:20]:
        assert (await react(alice, room_id, seq, emoji)).status_code == 200
    before = await written(db)
    r = await react(alice, room_id, seq, emojis[20])
    assert r.status_code == 409 and r.json()["code"] == "too_many_reactions"
    assert await written(db) == before
    # One already there can still gather more people.
    r = await react(bob, room_id, seq, emojis[0])
    assert r.status_code == 200 and r.json()["reactions"][0]["count"] == 2


async def test_deleted_messages_take_no_reactions_and_lose_theirs(server, alice, bob, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    seq = await post(alice, room_id, "m1", "soon gone")
    await react(bob, room_id, seq, THUMB)
    r = await alice.http.delete(f"/api/rooms/{room_id}/messages/{seq}")
    assert r.status_code == 204
    before = await written(db)
    r = await react(bob, room_id, seq, HEART)
    assert r.status_code == 409 and r.json()["code"] == "message_deleted"
    assert await written(db) == before
    assert await db.fetchval("SELECT count(*) FROM reactions") == 0

    # Replay shows the deleted snapshot everywhere, the reaction event included.
    ws = await Ws.connect(server.ws_url, bob.token)
    frames = [f for f in await ws.resume({room_id: 0}) if f.get("message", {}).get("seq") == seq]
    assert len(frames) == 3  # the message, bob's reaction, the delete
    for frame in frames:
        assert frame["message"]["body"] is None and frame["message"]["reactions"] == []
    await ws.close()


async def test_many_reactors_are_counted_exactly_and_listed_up_to_20(server, users):
    people = [await users() for _ in range(23)]
    room_id = await create_room(people[0])
    for person in people[1:]:
        await join(person, room_id)
    seq = await post(people[0], room_id, "m1")
    for person in people:
        assert (await react(person, room_id, seq, THUMB)).status_code == 200
    (reaction,) = (await react(people[0], room_id, seq, THUMB)).json()["reactions"]
    assert reaction["count"] == 23
    assert reaction["user_ids"] == [p.id for p in people[:20]]
