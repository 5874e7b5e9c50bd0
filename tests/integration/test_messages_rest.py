"""Messages over REST: idempotent send, input bounds, replies, history paging, edit, delete,
read markers and unread counts. Refused requests are checked to write nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.helpers import User, create_room, join


async def post_message(user: User, room_id: int, client_msg_id: str, body: str, **extra: Any):
    return await user.http.post(
        f"/api/rooms/{room_id}/messages",
        json={"client_msg_id": client_msg_id, "body": body, **extra},
    )


async def send(user: User, room_id: int, client_msg_id: str, body: str = "hi", **extra) -> int:
    r = await post_message(user, room_id, client_msg_id, body, **extra)
    assert r.status_code == 201, r.text
    seq: int = r.json()["seq"]
    return seq


async def state(db) -> tuple[Any, ...]:
    """Everything a message write could change."""
    return (
        tuple(await db.fetch("SELECT id, last_seq FROM rooms ORDER BY id")),
        tuple(
            await db.fetch(
                "SELECT room_id, seq, sender_id, client_msg_id, body, edited_at, deleted_at"
                " FROM messages ORDER BY 1, 2"
            )
        ),
        tuple(await db.fetch("SELECT room_id, seq, payload::text FROM room_events ORDER BY 1, 2")),
    )


async def history(user: User, room_id: int, **params: Any) -> dict[str, Any]:
    r = await user.http.get(f"/api/rooms/{room_id}/messages", params=params)
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return page


async def my_room(user: User, room_id: int) -> dict[str, Any]:
    r = await user.http.get("/api/rooms")
    assert r.status_code == 200
    (room,) = [room for room in r.json()["rooms"] if room["id"] == room_id]
    return room


# --- send -------------------------------------------------------------------------------


async def test_send_returns_201_with_the_seq_and_stores_the_message(alice, db):
    room_id = await create_room(alice)
    r = await post_message(alice, room_id, "c1", "hello")
    assert r.status_code == 201, r.text
    ack = r.json()
    assert ack["room_id"] == room_id
    assert ack["client_msg_id"] == "c1"
    assert ack["duplicate"] is False
    assert ack["seq"] == ack["message_id"] == 2  # seq 1 is the owner joining
    row = await db.fetchrow(
        "SELECT sender_id, body FROM messages WHERE room_id = $1 AND seq = $2", room_id, 2
    )
    assert (row["sender_id"], row["body"]) == (alice.id, "hello")
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id) == 2
    assert (
        await db.fetchval("SELECT type FROM room_events WHERE room_id = $1 AND seq = 2", room_id)
        == "message"
    )
    assert await send(alice, room_id, "c2") == 3


async def test_resending_a_client_msg_id_returns_the_original_ack(alice, bob, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    first = await post_message(alice, room_id, "same-id", "original")
    assert first.status_code == 201
    before = await state(db)

    for body in ("original", "a different body"):
        again = await post_message(alice, room_id, "same-id", body)
        assert again.status_code == 200, again.text
        assert again.json()["duplicate"] is True
        assert again.json()["seq"] == first.json()["seq"]
    assert await state(db) == before

    # client_msg_id is per sender: another user may use the same one.
    r = await post_message(bob, room_id, "same-id", "bob's")
    assert r.status_code == 201
    assert r.json()["seq"] == first.json()["seq"] + 1


async def test_concurrent_retries_of_one_send_create_one_message(alice, db):
    room_id = await create_room(alice)
    answers = await asyncio.gather(
        *(post_message(alice, room_id, "racing", "once only") for _ in range(8))
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * 7 + [201], [r.text for r in answers]
    assert {r.json()["seq"] for r in answers} == {2}
    assert [r.json()["duplicate"] for r in answers].count(False) == 1
    assert await db.fetchval("SELECT count(*) FROM messages WHERE room_id = $1", room_id) == 1
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id) == 2
    assert await db.fetchval("SELECT count(*) FROM room_events WHERE room_id = $1", room_id) == 2


async def test_concurrent_sends_get_distinct_gap_free_seqs(alice, bob, db):
    room_id = await create_room(alice)
    await join(bob, room_id)  # seq 2
    answers = await asyncio.gather(
        *(
            post_message(user, room_id, f"{user.username}-{i}", f"n{i}")
            for i in range(10)
            for user in (alice, bob)
        )
    )
    assert all(r.status_code == 201 for r in answers), [r.text for r in answers]
    assert sorted(r.json()["seq"] for r in answers) == list(range(3, 23))
    seqs = [
        r["seq"]
        for r in await db.fetch(
            "SELECT seq FROM room_events WHERE room_id = $1 ORDER BY seq", room_id
        )
    ]
    assert seqs == list(range(1, 23))
    page = await history(alice, room_id)
    assert [m["seq"] for m in page["messages"]] == list(range(3, 23))


async def test_client_msg_id_reused_in_another_room_is_409(alice, db):
    first_room = await create_room(alice, "first")
    second_room = await create_room(alice, "second")
    await send(alice, first_room, "once")
    before = await state(db)
    r = await post_message(alice, second_room, "once", "elsewhere")
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "client_msg_id_conflict"
    assert await state(db) == before


async def test_message_length_bounds_and_nothing_written_when_refused(alice, db):
    room_id = await create_room(alice)
    assert await send(alice, room_id, "max", "a" * 4000)
    # The limit counts characters, not bytes.
    assert await send(alice, room_id, "max-emoji", "😀" * 4000)
    before = await state(db)

    refused = [
        ("b" * 4001, "message_too_long"),
        ("😀" * 4001, "message_too_long"),
        ("", "message_empty"),
        ("   \n\t  ", "message_empty"),
    ]
    for i, (body, code) in enumerate(refused):
        r = await post_message(alice, room_id, f"bad{i}", body)
        assert r.status_code == 400, (code, r.text)
        assert r.json()["code"] == code
    for client_msg_id in ("", "x" * 65, "tab\there"):
        r = await post_message(alice, room_id, client_msg_id, "fine")
        assert r.status_code in (400, 422), r.text
        assert r.json()["code"] == "invalid_request"
    assert await state(db) == before
    # A refused client_msg_id was not used up.
    assert await send(alice, room_id, "bad0", "now fine")


async def test_reply_to_must_be_a_message_of_this_room(alice, db):
    room_id = await create_room(alice, "here")
    other_room = await create_room(alice, "there")
    target = await send(alice, room_id, "t", "question?")
    other_seqs = [await send(alice, other_room, f"o{i}", "x") for i in range(4)]

    seq = await send(alice, room_id, "r", "answer", reply_to=target)
    page = await history(alice, room_id)
    (reply,) = [m for m in page["messages"] if m["seq"] == seq]
    assert reply["reply_to"] == target

    before = await state(db)
    # A missing seq, the seq of a non-message event (1: joined), a seq only in another room.
    only_there = other_seqs[-1]
    assert only_there > seq
    for missing in (999, 1, only_there):
        r = await post_message(alice, room_id, f"bad-reply-{missing}", "?", reply_to=missing)
        assert r.status_code == 400, r.text
        assert r.json()["code"] == "reply_not_found"
    assert await state(db) == before


# --- history ----------------------------------------------------------------------------


async def test_history_pages_backwards_and_forwards(alice, bob, db):
    room_id = await create_room(alice)
    for i in range(15):
        await send(alice, room_id, f"a{i}", f"alice {i}")
    await join(bob, room_id)  # a member event in the middle of the log
    for i in range(15):
        await send(bob, room_id, f"b{i}", f"bob {i}")
    expected = [
        r["seq"]
        for r in await db.fetch("SELECT seq FROM messages WHERE room_id = $1 ORDER BY seq", room_id)
    ]
    assert len(expected) == 30

    # Backwards, as a client scrolling up.
    seen: list[int] = []
    page = await history(alice, room_id, limit=10)
    pages = 1
    while True:
        seqs = [m["seq"] for m in page["messages"]]
        assert seqs == sorted(seqs)
        assert len(seqs) <= 10
        seen = seqs + seen
        if not page["has_more"]:
            break
        page = await history(alice, room_id, limit=10, before_seq=seqs[0])
        pages += 1
        assert pages <= 4
    assert seen == expected
    assert pages == 3

    # Forwards, as a client catching up.
    seen = []
    after = 0
    pages = 0
    while True:
        page = await history(bob, room_id, limit=10, after_seq=after)
        pages += 1
        seqs = [m["seq"] for m in page["messages"]]
        assert seqs == sorted(seqs)
        seen += seqs
        if not page["has_more"]:
            break
        after = seqs[-1]
        assert pages <= 4
    assert seen == expected
    assert pages == 3

    # Without a cursor: the newest, in ascending order.
    page = await history(alice, room_id, limit=5)
    assert [m["seq"] for m in page["messages"]] == expected[-5:]
    assert [m["body"] for m in page["messages"]] == [f"bob {i}" for i in range(10, 15)]
    assert page["messages"][-1]["sender"] == "bob"
    page = await history(alice, room_id)
    assert [m["seq"] for m in page["messages"]] == expected
    assert page["has_more"] is False


async def test_history_limit_bounds(alice):
    room_id = await create_room(alice)
    await send(alice, room_id, "m")
    for limit in (0, -1, 101, 100_000):
        r = await alice.http.get(f"/api/rooms/{room_id}/messages", params={"limit": limit})
        assert r.status_code == 400, (limit, r.text)
        assert r.json()["code"] == "invalid_limit"
    for limit in (1, 100):
        r = await alice.http.get(f"/api/rooms/{room_id}/messages", params={"limit": limit})
        assert r.status_code == 200
        assert len(r.json()["messages"]) == 1


# --- edit and delete --------------------------------------------------------------------


async def test_edit_own_message(alice, bob, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    seq = await send(alice, room_id, "e", "first draft")
    r = await alice.http.patch(f"/api/rooms/{room_id}/messages/{seq}", json={"body": "final"})
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["body"] == "final"
    assert edited["edited_at"] is not None
    assert edited["seq"] == seq
    (message,) = [m for m in (await history(bob, room_id))["messages"] if m["seq"] == seq]
    assert message["body"] == "final"
    assert message["edited_at"] is not None
    assert (
        await db.fetchval("SELECT body FROM messages WHERE room_id = $1 AND seq = $2", room_id, seq)
        == "final"
    )
    event = await db.fetchrow(
        "SELECT type, target_seq FROM room_events WHERE room_id = $1 ORDER BY seq DESC LIMIT 1",
        room_id,
    )
    assert (event["type"], event["target_seq"]) == ("message_updated", seq)

    before = await state(db)
    for body, code in (("x" * 4001, "message_too_long"), (" ", "message_empty")):
        r = await alice.http.patch(f"/api/rooms/{room_id}/messages/{seq}", json={"body": body})
        assert r.status_code == 400
        assert r.json()["code"] == code
    assert await state(db) == before


async def test_cannot_edit_someone_elses_message_even_as_owner(alice, bob, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    bobs = await send(bob, room_id, "b", "bob's words")
    alices = await send(alice, room_id, "a", "alice's words")
    before = await state(db)
    for actor, seq in ((bob, alices), (alice, bobs)):
        r = await actor.http.patch(f"/api/rooms/{room_id}/messages/{seq}", json={"body": "mine"})
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
    assert await state(db) == before


async def test_delete_own_message_then_history_shows_it_deleted(alice, bob, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    seq = await send(bob, room_id, "secret", "my password is hunter2")
    await bob.http.patch(f"/api/rooms/{room_id}/messages/{seq}", json={"body": "hunter2 again"})
    r = await bob.http.delete(f"/api/rooms/{room_id}/messages/{seq}")
    assert r.status_code == 204, r.text
    assert r.content == b""

    for viewer in (alice, bob):
        (message,) = [m for m in (await history(viewer, room_id))["messages"] if m["seq"] == seq]
        assert message["deleted"] is True
        assert message["body"] is None
    r = await alice.http.get(f"/api/rooms/{room_id}/messages/{seq}")
    assert r.json()["deleted"] is True
    assert r.json()["body"] is None
    # The deleted text is gone from storage, including the stored events that carried it.
    assert (
        await db.fetchval("SELECT body FROM messages WHERE room_id = $1 AND seq = $2", room_id, seq)
        is None
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM room_events"
            " WHERE room_id = $1 AND payload::text LIKE '%hunter2%'",
            room_id,
        )
        == 0
    )

    before = await state(db)
    r = await bob.http.patch(f"/api/rooms/{room_id}/messages/{seq}", json={"body": "undo"})
    assert r.status_code == 409
    assert r.json()["code"] == "message_deleted"
    r = await bob.http.delete(f"/api/rooms/{room_id}/messages/{seq}")
    assert r.status_code == 409
    assert r.json()["code"] == "message_deleted"
    assert await state(db) == before


async def test_admins_delete_others_messages_members_cannot(alice, bob, carol, db):
    room_id = await create_room(alice)
    await join(bob, room_id)
    await join(carol, room_id)
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{bob.id}", json={"role": "admin"})
    assert r.status_code == 200
    alices = await send(alice, room_id, "a", "from alice")
    bobs = await send(bob, room_id, "b", "from bob")
    carols = await send(carol, room_id, "c", "from carol")
    carols2 = await send(carol, room_id, "c2", "from carol again")

    # A member deletes only their own messages.
    before = await state(db)
    for seq in (alices, bobs):
        r = await carol.http.delete(f"/api/rooms/{room_id}/messages/{seq}")
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
    assert await state(db) == before

    # An admin and the owner delete other people's messages.
    r = await bob.http.delete(f"/api/rooms/{room_id}/messages/{carols}")
    assert r.status_code == 204, r.text
    r = await alice.http.delete(f"/api/rooms/{room_id}/messages/{carols2}")
    assert r.status_code == 204, r.text
    deleted = {m["seq"]: m["deleted"] for m in (await history(carol, room_id))["messages"]}
    assert deleted == {alices: False, bobs: False, carols: True, carols2: True}


async def test_unknown_message_seq_is_404(alice, db):
    room_id = await create_room(alice)
    await send(alice, room_id, "m")
    before = await state(db)
    for seq in (999, 1):  # 1 is the member event, not a message
        for method, body in (("GET", None), ("PATCH", {"body": "x"}), ("DELETE", None)):
            r = await alice.http.request(method, f"/api/rooms/{room_id}/messages/{seq}", json=body)
            assert r.status_code == 404, (method, seq, r.text)
            assert r.json()["code"] == "message_not_found"
    assert await state(db) == before


# --- read markers and unread counts -----------------------------------------------------


async def test_read_marker_moves_forward_only_and_within_the_log(alice, db):
    room_id = await create_room(alice)
    seqs = [await send(alice, room_id, f"m{i}") for i in range(3)]
    last_seq = seqs[-1]

    def mark(seq: int):
        return alice.http.post(f"/api/rooms/{room_id}/read", json={"seq": seq})

    r = await mark(seqs[1])
    assert r.status_code == 200, r.text
    assert r.json() == {"last_read_seq": seqs[1]}
    assert (await my_room(alice, room_id))["last_read_seq"] == seqs[1]

    r = await mark(seqs[0])
    assert r.status_code == 200
    assert r.json() == {"last_read_seq": seqs[1]}
    assert (await my_room(alice, room_id))["last_read_seq"] == seqs[1]

    r = await mark(last_seq + 1)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_seq"
    r = await mark(-1)
    assert r.status_code == 422
    assert (
        await db.fetchval(
            "SELECT last_read_seq FROM memberships WHERE room_id = $1 AND user_id = $2",
            room_id,
            alice.id,
        )
        == seqs[1]
    )

    r = await mark(last_seq)
    assert r.json() == {"last_read_seq": last_seq}
    assert (await my_room(alice, room_id))["last_read_seq"] == last_seq


async def test_unread_count_counts_others_live_messages_after_the_marker(alice, bob):
    room_id = await create_room(alice)
    await join(bob, room_id)
    bob_seqs = [await send(bob, room_id, f"b{i}", f"bob {i}") for i in range(3)]
    await send(alice, room_id, "a", "alice")
    assert (await my_room(alice, room_id))["unread_count"] == 3
    assert (await my_room(bob, room_id))["unread_count"] == 1

    r = await alice.http.post(f"/api/rooms/{room_id}/read", json={"seq": bob_seqs[1]})
    assert r.status_code == 200
    assert (await my_room(alice, room_id))["unread_count"] == 1

    r = await bob.http.delete(f"/api/rooms/{room_id}/messages/{bob_seqs[2]}")
    assert r.status_code == 204
    room = await my_room(alice, room_id)
    assert room["unread_count"] == 0
    assert room["last_read_seq"] == bob_seqs[1]
    assert room["last_seq"] > bob_seqs[2]
