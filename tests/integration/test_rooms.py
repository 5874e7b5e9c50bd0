"""Rooms over HTTP: create, list, browse, join, invite, remove, leave, roles, rename, DMs, and
who can see what (private rooms are invisible to non-members). Every membership change is
checked against the room event log in the database."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.helpers import User, create_room, join

MISSING_ROOM = 987_654_321


async def event_log(db, room_id: int) -> list[dict[str, Any]]:
    """The room's stored events in order; checks that seqs run 1..last_seq with no gap."""
    rows = await db.fetch(
        "SELECT seq, payload FROM room_events WHERE room_id = $1 ORDER BY seq", room_id
    )
    last_seq = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)
    assert [r["seq"] for r in rows] == list(range(1, last_seq + 1))
    return [json.loads(r["payload"]) for r in rows]


def member_changes(events: list[dict[str, Any]]) -> list[tuple[str, int, str, str | None]]:
    """(type, user id, action, role) of member events."""
    return [(e["type"], e["user"]["id"], e["action"], e["role"]) for e in events]


async def members(user: User, room_id: int) -> list[tuple[str, str]]:
    r = await user.http.get(f"/api/rooms/{room_id}/members")
    assert r.status_code == 200, r.text
    return [(m["username"], m["role"]) for m in r.json()["members"]]


async def send(user: User, room_id: int, client_msg_id: str, body: str = "hi") -> int:
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": client_msg_id, "body": body}
    )
    assert r.status_code == 201, r.text
    seq: int = r.json()["seq"]
    return seq


# --- create -----------------------------------------------------------------------------


async def test_create_room_makes_the_creator_owner(users, db):
    alice = await users("alice")
    for kind in ("public", "private"):
        await _check_created(alice, db, kind)


async def _check_created(alice: User, db, kind: str) -> None:
    r = await alice.http.post("/api/rooms", json={"name": "  General  ", "kind": kind})
    assert r.status_code == 201, r.text
    room = r.json()
    assert room["kind"] == kind
    assert room["name"] == "General"
    assert room["role"] == "owner"
    assert room["last_seq"] == 1
    assert room["last_read_seq"] == 0
    assert room["unread_count"] == 0
    assert (
        await db.fetchval(
            "SELECT role FROM memberships WHERE room_id = $1 AND user_id = $2", room["id"], alice.id
        )
        == "owner"
    )
    assert member_changes(await event_log(db, room["id"])) == [
        ("member", alice.id, "joined", "owner")
    ]
    assert await members(alice, room["id"]) == [("alice", "owner")]


async def test_room_name_rules(users, db):
    alice = await users("alice")
    bad = ["", "   ", "a" * 101, "line\nbreak", "tab\there", "bell\x07", "zero\u200bwidth"]
    for name in bad:
        r = await alice.http.post("/api/rooms", json={"name": name, "kind": "public"})
        assert r.status_code == 400, (name, r.text)
        assert r.json()["code"] == "room_name_invalid", name
    assert await db.fetchval("SELECT count(*) FROM rooms") == 0
    assert await db.fetchval("SELECT count(*) FROM room_events") == 0

    r = await alice.http.post("/api/rooms", json={"name": "é" * 100, "kind": "public"})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "é" * 100

    r = await alice.http.post("/api/rooms", json={"name": "x", "kind": "dm"})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_request"
    assert await db.fetchval("SELECT count(*) FROM rooms") == 1


# --- listing ----------------------------------------------------------------------------


async def test_my_rooms_lists_only_mine_with_counters(users):
    alice, bob = await users("alice"), await users("bob")
    general = await create_room(alice, "general", "public")
    secret = await create_room(alice, "secret", "private")
    bobs = await create_room(bob, "bobs", "public")
    await join(bob, general)
    await send(bob, general, "b1")
    await send(bob, general, "b2")
    await send(alice, general, "a1")

    r = await alice.http.get("/api/rooms")
    assert r.status_code == 200
    rooms = {room["id"]: room for room in r.json()["rooms"]}
    assert set(rooms) == {general, secret}
    assert bobs not in rooms
    # Most recently active first.
    assert [room["id"] for room in r.json()["rooms"]] == [general, secret]
    g = rooms[general]
    assert (g["last_seq"], g["last_read_seq"], g["unread_count"]) == (5, 0, 2)
    assert g["role"] == "owner"
    s = rooms[secret]
    assert (s["last_seq"], s["last_read_seq"], s["unread_count"]) == (1, 0, 0)

    r = await bob.http.get("/api/rooms")
    rooms = {room["id"]: room for room in r.json()["rooms"]}
    assert set(rooms) == {general, bobs}
    assert rooms[general]["role"] == "member"
    assert rooms[general]["unread_count"] == 1


async def test_browse_public_rooms_never_lists_private_rooms_or_dms(users):
    alice, bob = await users("alice"), await users("bob")
    lobby = await create_room(alice, "Lobby", "public")
    await create_room(alice, "Lobby private", "private")
    await create_room(bob, "hidden", "private")
    r = await alice.http.post("/api/dms", json={"user_id": bob.id})
    assert r.status_code == 200

    for viewer in (alice, bob):
        r = await viewer.http.get("/api/rooms/public")
        assert r.status_code == 200, r.text
        listed = r.json()["rooms"]
        assert [room["id"] for room in listed] == [lobby]
        assert listed[0]["member_count"] == 1
        assert listed[0]["is_member"] is (viewer is alice)
    r = await bob.http.get("/api/rooms/public", params={"q": "lob"})
    assert [room["id"] for room in r.json()["rooms"]] == [lobby]
    r = await bob.http.get("/api/rooms/public", params={"q": "zzz"})
    assert r.json()["rooms"] == []
    # LIKE wildcards in q are plain characters.
    for q in ("%", "_"):
        r = await bob.http.get("/api/rooms/public", params={"q": q})
        assert r.json()["rooms"] == [], q


# --- join -------------------------------------------------------------------------------


async def test_join_public_room_is_idempotent(users, db):
    alice, bob = await users("alice"), await users("bob")
    room_id = await create_room(alice, "general", "public")
    # A double-click: several joins at once still add one membership and one event.
    answers = await asyncio.gather(*(bob.http.post(f"/api/rooms/{room_id}/join") for _ in range(4)))
    for r in answers:
        assert r.status_code == 200, r.text
        assert r.json()["role"] == "member"
        assert r.json()["id"] == room_id
    log = await event_log(db, room_id)
    assert member_changes(log[1:]) == [("member", bob.id, "joined", "member")]

    r = await bob.http.post(f"/api/rooms/{room_id}/join")
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "member"
    assert len(await event_log(db, room_id)) == 2
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE room_id = $1", room_id) == 2
    # The owner joining "again" does not demote them.
    r = await alice.http.post(f"/api/rooms/{room_id}/join")
    assert r.status_code == 200
    assert r.json()["role"] == "owner"
    assert len(await event_log(db, room_id)) == 2


# --- private rooms are invisible to non-members -----------------------------------------

# (method, path, json); {room} is the room id, {seq} a message seq, {owner}/{me} user ids.
ROOM_PATHS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/rooms/{room}", None),
    ("GET", "/api/rooms/{room}/messages", None),
    ("GET", "/api/rooms/{room}/messages/{seq}", None),
    ("GET", "/api/rooms/{room}/members", None),
    ("POST", "/api/rooms/{room}/messages", {"client_msg_id": "intruder", "body": "hi"}),
    ("POST", "/api/rooms/{room}/join", None),
    ("POST", "/api/rooms/{room}/members", {"user_id": "{me}"}),
    ("PATCH", "/api/rooms/{room}", {"name": "taken over"}),
    ("POST", "/api/rooms/{room}/read", {"seq": 0}),
    ("PATCH", "/api/rooms/{room}/messages/{seq}", {"body": "edited"}),
    ("DELETE", "/api/rooms/{room}/messages/{seq}", None),
    ("PATCH", "/api/rooms/{room}/members/{me}", {"role": "owner"}),
    ("DELETE", "/api/rooms/{room}/members/{owner}", None),
    ("DELETE", "/api/rooms/{room}/members/{me}", None),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        for key, number in ids.items():
            if value == "{" + key + "}":
                return number
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def _call(user: User, method: str, path: str, body: Any, ids: dict[str, int]):
    return await user.http.request(
        method, _fill(path, ids), json=_fill(body, ids) if body is not None else None
    )


async def _snapshot(db) -> tuple[Any, ...]:
    return (
        tuple(await db.fetch("SELECT id, name, last_seq FROM rooms ORDER BY id")),
        tuple(await db.fetch("SELECT room_id, user_id, role FROM memberships ORDER BY 1, 2")),
        tuple(await db.fetch("SELECT room_id, seq, body, deleted_at FROM messages ORDER BY 1, 2")),
        await db.fetchval("SELECT count(*) FROM room_events"),
    )


@pytest.mark.parametrize(
    ("method", "path", "body"), ROOM_PATHS, ids=[f"{m} {p}" for m, p, _ in ROOM_PATHS]
)
async def test_private_rooms_and_dms_are_404_to_non_members_like_missing_rooms(
    users, db, method, path, body
):
    alice, bob, eve = await users("alice"), await users("bob"), await users("eve")
    private = await create_room(alice, "secret", "private")
    seq = await send(alice, private, "p1")
    r = await alice.http.post("/api/dms", json={"user_id": bob.id})
    dm = r.json()["id"]
    dm_seq = await send(alice, dm, "d1")
    before = await _snapshot(db)

    answers = []
    for room_id, message_seq in ((private, seq), (dm, dm_seq), (MISSING_ROOM, seq)):
        ids = {"room": room_id, "seq": message_seq, "owner": alice.id, "me": eve.id}
        answers.append(await _call(eve, method, path, body, ids))
    for r in answers:
        assert r.status_code == 404, (r.request.url, r.text)
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json()["code"] == "room_not_found"
    assert await _snapshot(db) == before


async def test_public_rooms_refuse_non_members_with_403(users, db):
    alice, eve = await users("alice"), await users("eve")
    room_id = await create_room(alice, "general", "public")
    seq = await send(alice, room_id, "m1")
    before = await _snapshot(db)
    ids = {"room": room_id, "seq": seq, "owner": alice.id, "me": eve.id}
    for method, path, body in ROOM_PATHS:
        if path.endswith("/join"):
            continue
        r = await _call(eve, method, path, body, ids)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["code"] == "not_a_member", (method, path)
    assert await _snapshot(db) == before


# --- invite, remove, leave, roles -------------------------------------------------------


async def test_any_member_invites_to_a_private_room_and_the_invitee_can_read(users, db):
    alice, bob, carol = await users("alice"), await users("bob"), await users("carol")
    room_id = await create_room(alice, "secret", "private")
    r = await alice.http.post(f"/api/rooms/{room_id}/members", json={"user_id": bob.id})
    assert r.status_code == 201, r.text
    assert ("bob", "member") in [(m["username"], m["role"]) for m in r.json()["members"]]
    await send(alice, room_id, "a1", "welcome")

    # A plain member invites too.
    r = await bob.http.post(f"/api/rooms/{room_id}/members", json={"user_id": carol.id})
    assert r.status_code == 201, r.text
    r = await carol.http.get(f"/api/rooms/{room_id}/messages")
    assert r.status_code == 200, r.text
    assert [m["body"] for m in r.json()["messages"]] == ["welcome"]
    r = await carol.http.get("/api/rooms")
    assert room_id in [room["id"] for room in r.json()["rooms"]]

    log = await event_log(db, room_id)
    assert member_changes([e for e in log if e["type"] == "member"]) == [
        ("member", alice.id, "joined", "owner"),
        ("member", bob.id, "added", "member"),
        ("member", carol.id, "added", "member"),
    ]
    assert log[-1]["by"] == bob.id

    count = len(log)
    r = await bob.http.post(f"/api/rooms/{room_id}/members", json={"user_id": carol.id})
    assert r.status_code == 409
    assert r.json()["code"] == "already_member"
    r = await bob.http.post(f"/api/rooms/{room_id}/members", json={"user_id": 999_999})
    assert r.status_code == 404
    assert r.json()["code"] == "user_not_found"
    assert len(await event_log(db, room_id)) == count


async def test_remove_members_by_rank(users, db):
    alice, bob, carol, dave = (
        await users("alice"),
        await users("bob"),
        await users("carol"),
        await users("dave"),
    )
    room_id = await create_room(alice, "team", "private")
    for user in (bob, carol, dave):
        r = await alice.http.post(f"/api/rooms/{room_id}/members", json={"user_id": user.id})
        assert r.status_code == 201
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{bob.id}", json={"role": "admin"})
    assert r.status_code == 200, r.text
    count = len(await event_log(db, room_id))

    def remove(actor: User, target: User):
        return actor.http.delete(f"/api/rooms/{room_id}/members/{target.id}")

    # A member removes nobody; an admin cannot remove the owner.
    for actor, target in ((carol, dave), (carol, bob), (carol, alice), (bob, alice)):
        r = await remove(actor, target)
        assert r.status_code == 403, (actor.username, target.username, r.text)
        assert r.json()["code"] == "forbidden"
    assert len(await event_log(db, room_id)) == count

    # An admin removes a member, who then cannot see the private room.
    r = await remove(bob, dave)
    assert r.status_code == 204, r.text
    r = await dave.http.get(f"/api/rooms/{room_id}")
    assert r.status_code == 404
    assert r.json()["code"] == "room_not_found"
    # Removing someone who is not (or no longer) in the room.
    r = await remove(bob, dave)
    assert r.status_code == 404
    assert r.json()["code"] == "user_not_found"

    # The owner removes an admin.
    r = await remove(alice, bob)
    assert r.status_code == 204, r.text
    assert await members(alice, room_id) == [("alice", "owner"), ("carol", "member")]
    log = await event_log(db, room_id)
    assert member_changes(log[count:]) == [
        ("member", dave.id, "removed", None),
        ("member", bob.id, "removed", None),
    ]
    assert [e["by"] for e in log[count:]] == [bob.id, alice.id]


async def test_leave_and_hand_over_ownership(users, db):
    alice, bob, carol = await users("alice"), await users("bob"), await users("carol")
    room_id = await create_room(alice, "general", "public")
    await join(bob, room_id)
    await join(carol, room_id)
    count = len(await event_log(db, room_id))

    # A member leaves with their own id.
    r = await carol.http.delete(f"/api/rooms/{room_id}/members/{carol.id}")
    assert r.status_code == 204, r.text
    r = await carol.http.get("/api/rooms")
    assert room_id not in [room["id"] for room in r.json()["rooms"]]
    r = await carol.http.get(f"/api/rooms/{room_id}/messages")
    assert r.status_code == 403
    log = await event_log(db, room_id)
    assert member_changes(log[count:]) == [("member", carol.id, "left", None)]
    count = len(log)

    # The owner cannot leave while others are in.
    r = await alice.http.delete(f"/api/rooms/{room_id}/members/{alice.id}")
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "owner_cannot_leave"
    assert len(await event_log(db, room_id)) == count
    assert await members(alice, room_id) == [("alice", "owner"), ("bob", "member")]

    # Hand ownership over: the old owner becomes an admin, and may then leave.
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{bob.id}", json={"role": "owner"})
    assert r.status_code == 200, r.text
    roles = {m["username"]: m["role"] for m in r.json()["members"]}
    assert roles == {"bob": "owner", "alice": "admin"}
    log = await event_log(db, room_id)
    assert member_changes(log[count:]) == [
        ("member", bob.id, "role", "owner"),
        ("member", alice.id, "role", "admin"),
    ]
    count = len(log)

    r = await alice.http.delete(f"/api/rooms/{room_id}/members/{alice.id}")
    assert r.status_code == 204, r.text
    assert await members(bob, room_id) == [("bob", "owner")]
    log = await event_log(db, room_id)
    assert member_changes(log[count:]) == [("member", alice.id, "left", None)]

    # Alone, the owner may leave.
    r = await bob.http.delete(f"/api/rooms/{room_id}/members/{bob.id}")
    assert r.status_code == 204, r.text
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE room_id = $1", room_id) == 0


async def test_only_the_owner_changes_roles(users, db):
    alice, bob, carol = await users("alice"), await users("bob"), await users("carol")
    room_id = await create_room(alice, "general", "public")
    await join(bob, room_id)
    await join(carol, room_id)
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{bob.id}", json={"role": "admin"})
    assert r.status_code == 200
    count = len(await event_log(db, room_id))
    assert member_changes((await event_log(db, room_id))[-1:]) == [
        ("member", bob.id, "role", "admin")
    ]

    for actor, target, role in (
        (bob, carol, "admin"),
        (bob, alice, "member"),
        (bob, bob, "owner"),
        (carol, carol, "admin"),
        (alice, alice, "member"),
    ):
        r = await actor.http.patch(f"/api/rooms/{room_id}/members/{target.id}", json={"role": role})
        assert r.status_code == 403, (actor.username, target.username, role, r.text)
        assert r.json()["code"] == "forbidden"
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{carol.id}", json={"role": "king"})
    assert r.status_code == 422
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/999999", json={"role": "admin"})
    assert r.status_code == 404
    assert r.json()["code"] == "user_not_found"
    assert len(await event_log(db, room_id)) == count
    assert await members(alice, room_id) == [
        ("alice", "owner"),
        ("bob", "admin"),
        ("carol", "member"),
    ]


async def test_rename_by_admin_but_not_by_member(users, db):
    alice, bob, carol = await users("alice"), await users("bob"), await users("carol")
    room_id = await create_room(alice, "general", "public")
    await join(bob, room_id)
    await join(carol, room_id)
    await alice.http.patch(f"/api/rooms/{room_id}/members/{bob.id}", json={"role": "admin"})
    count = len(await event_log(db, room_id))

    r = await carol.http.patch(f"/api/rooms/{room_id}", json={"name": "carols"})
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    r = await bob.http.patch(f"/api/rooms/{room_id}", json={"name": "\n"})
    assert r.status_code == 400
    assert r.json()["code"] == "room_name_invalid"
    assert len(await event_log(db, room_id)) == count
    assert await db.fetchval("SELECT name FROM rooms WHERE id = $1", room_id) == "general"

    r = await bob.http.patch(f"/api/rooms/{room_id}", json={"name": "Renamed"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Renamed"
    r = await carol.http.get(f"/api/rooms/{room_id}")
    assert r.json()["name"] == "Renamed"
    log = await event_log(db, room_id)
    assert [e["type"] for e in log[count:]] == ["room_updated"]
    assert log[-1]["room"]["name"] == "Renamed"


# --- direct messages --------------------------------------------------------------------


async def test_dm_is_one_room_per_pair(users, db):
    alice, bob, carol = await users("alice"), await users("bob"), await users("carol")
    # Both open it at the same moment: still one room.
    answers = await asyncio.gather(
        *(
            user.http.post("/api/dms", json={"user_id": peer.id})
            for _ in range(3)
            for user, peer in ((alice, bob), (bob, alice))
        )
    )
    assert all(r.status_code in (200, 201) for r in answers), [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    r = await alice.http.post("/api/dms", json={"user_id": bob.id})
    assert r.status_code in (200, 201), r.text
    dm = r.json()
    assert dm["kind"] == "dm"
    assert dm["dm_peer"] == "bob"
    assert dm["name"] is None

    r = await alice.http.post("/api/dms", json={"user_id": bob.id})
    assert r.json()["id"] == dm["id"]
    r = await bob.http.post("/api/dms", json={"user_id": alice.id})
    assert r.json()["id"] == dm["id"]
    assert r.json()["dm_peer"] == "alice"
    assert r.json()["kind"] == "dm"
    assert await db.fetchval("SELECT count(*) FROM rooms WHERE kind = 'dm'") == 1
    # Whoever won the race opened it: two joined events, one per member.
    assert sorted(member_changes(await event_log(db, dm["id"]))) == sorted(
        [("member", alice.id, "joined", "member"), ("member", bob.id, "joined", "member")]
    )

    # Another pair gets another room.
    r = await carol.http.post("/api/dms", json={"user_id": alice.id})
    assert r.json()["id"] != dm["id"]
    assert r.json()["dm_peer"] == "alice"

    r = await bob.http.get("/api/rooms")
    listed = {room["id"]: room for room in r.json()["rooms"]}
    assert listed[dm["id"]]["dm_peer"] == "alice"


async def test_dm_membership_is_fixed(users, db):
    alice, bob, carol = await users("alice"), await users("bob"), await users("carol")
    room_id = (await alice.http.post("/api/dms", json={"user_id": bob.id})).json()["id"]
    count = len(await event_log(db, room_id))

    r = await alice.http.post(f"/api/rooms/{room_id}/members", json={"user_id": carol.id})
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"
    for actor, target in ((alice, alice), (alice, bob)):
        r = await actor.http.delete(f"/api/rooms/{room_id}/members/{target.id}")
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
    r = await alice.http.patch(f"/api/rooms/{room_id}", json={"name": "ours"})
    assert r.status_code == 403
    r = await carol.http.post(f"/api/rooms/{room_id}/join")
    assert r.status_code == 404
    assert len(await event_log(db, room_id)) == count
    assert await members(bob, room_id) == [("alice", "member"), ("bob", "member")]

    # No DM with yourself or with nobody.
    rooms_before = await db.fetchval("SELECT count(*) FROM rooms")
    r = await alice.http.post("/api/dms", json={"user_id": alice.id})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_request"
    r = await alice.http.post("/api/dms", json={"user_id": 999_999})
    assert r.status_code == 404
    assert r.json()["code"] == "user_not_found"
    assert await db.fetchval("SELECT count(*) FROM rooms") == rooms_before


# --- member list ------------------------------------------------------------------------


async def test_member_list_orders_owner_then_admins_then_members(users):
    owner = await users("mallory")
    others = {name: await users(name) for name in ("zed", "Adam", "bob", "Carl", "alf")}
    room_id = await create_room(owner, "ordered", "public")
    for user in others.values():
        await join(user, room_id)
    for name in ("zed", "Adam"):
        r = await owner.http.patch(
            f"/api/rooms/{room_id}/members/{others[name].id}", json={"role": "admin"}
        )
        assert r.status_code == 200
    assert await members(others["bob"], room_id) == [
        ("mallory", "owner"),
        ("Adam", "admin"),
        ("zed", "admin"),
        ("alf", "member"),
        ("bob", "member"),
        ("Carl", "member"),
    ]
