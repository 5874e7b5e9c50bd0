"""Full-text search: only rooms I am a member of now, never deleted or edited-away text,
highlights as plain-text parts (markup in a body stays text), keyset pages, bounded input,
rate limited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import User, create_room, join, register


async def post(user: User, room_id: int, cmid: str, body: str) -> int:
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": cmid, "body": body}
    )
    assert r.status_code == 201, r.text
    seq: int = r.json()["seq"]
    return seq


async def search(user: User, q: str, **params: Any) -> dict[str, Any]:
    r = await user.http.get("/api/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return page


def hits(page: dict[str, Any]) -> list[tuple[int, int]]:
    return [(h["message"]["room_id"], h["message"]["seq"]) for h in page["results"]]


async def test_hits_newest_first_with_plain_text_highlights(alice, bob):
    room_id = await create_room(alice)
    await join(bob, room_id)
    first = await post(alice, room_id, "m1", "the tip jar is full")
    await post(bob, room_id, "m2", "nothing to see here")
    evil = await post(
        bob, room_id, "m3", "<b>Tip</b> \x01sneaky\x02 <img src=x onerror=alert(1)> &amp; \x03"
    )

    page = await search(bob, "tip")
    assert hits(page) == [(room_id, evil), (room_id, first)]
    assert page["next_before"] is None
    parts = page["results"][0]["highlight"]
    assert [p["text"] for p in parts if p["match"]] == ["Tip"]
    text = "".join(p["text"] for p in parts)
    # The body's own characters, markup included, as text to render as text; the control
    # characters ts_headline's markers use are blanked out.
    assert text == "<b>Tip</b>  sneaky  <img src=x onerror=alert(1)> &amp;  "
    assert page["results"][1]["highlight"] == [
        {"text": "the ", "match": False},
        {"text": "tip", "match": True},
        {"text": " jar is full", "match": False},
    ]
    # websearch syntax: phrases and exclusions.
    assert hits(await search(bob, '"tip jar"')) == [(room_id, first)]
    assert hits(await search(bob, "tip -full")) == [(room_id, evil)]
    assert hits(await search(bob, "nothing", room_id=room_id)) == [(room_id, first + 1)]


async def test_private_rooms_never_leak_to_non_members(alice, bob, carol):
    secret = await create_room(alice, "secret", kind="private")
    public = await create_room(alice, "open")
    await post(alice, secret, "s1", "launch codes are banana")
    await post(alice, public, "p1", "banana bread recipe")
    r = await alice.http.post(f"/api/rooms/{secret}/members", json={"user_id": bob.id})
    assert r.status_code == 201
    await join(carol, public)

    assert [h["message"]["body"] for h in (await search(carol, "banana"))["results"]] == [
        "banana bread recipe"
    ]
    r = await carol.http.get("/api/search", params={"q": "banana", "room_id": secret})
    assert r.status_code == 404 and r.json()["code"] == "room_not_found"
    assert len((await search(bob, "banana"))["results"]) == 1  # bob is not in the public room
    r = await bob.http.get("/api/search", params={"q": "banana", "room_id": public})
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"

    # A removed member stops seeing hits at once.
    assert hits(await search(bob, "launch")) != []
    r = await alice.http.delete(f"/api/rooms/{secret}/members/{bob.id}")
    assert r.status_code == 204
    assert (await search(bob, "launch"))["results"] == []


async def test_deleted_and_edited_away_text_never_matches(alice):
    room_id = await create_room(alice)
    gone = await post(alice, room_id, "m1", "password hunter2")
    edited = await post(alice, room_id, "m2", "my old secret")
    r = await alice.http.delete(f"/api/rooms/{room_id}/messages/{gone}")
    assert r.status_code == 204
    r = await alice.http.patch(
        f"/api/rooms/{room_id}/messages/{edited}", json={"body": "my new words"}
    )
    assert r.status_code == 200
    assert (await search(alice, "hunter2"))["results"] == []
    assert (await search(alice, "password"))["results"] == []
    assert (await search(alice, "secret"))["results"] == []
    assert hits(await search(alice, "words")) == [(room_id, edited)]


async def test_blocked_users_messages_are_left_out(alice, bob):
    room_id = await create_room(alice)
    await join(bob, room_id)
    await post(bob, room_id, "b1", "marmalade")
    assert len((await search(alice, "marmalade"))["results"]) == 1
    assert (await alice.http.put(f"/api/blocks/{bob.id}")).status_code == 204
    assert (await search(alice, "marmalade"))["results"] == []


async def test_pages_by_cursor_without_gaps_or_repeats(alice):
    rooms = [await create_room(alice, f"r{i}") for i in range(2)]
    sent = [
        (rooms[i % 2], await post(alice, rooms[i % 2], f"m{i}", f"pager {i}")) for i in range(7)
    ]
    seen, before, pages = [], None, 0
    while True:
        page = await search(alice, "pager", limit=3, **({"before": before} if before else {}))
        seen += hits(page)
        pages += 1
        before = page["next_before"]
        if before is None:
            break
    assert pages == 3 and seen == sent[::-1]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": ""}, "search_query_invalid"),
        ({"q": "   "}, "search_query_invalid"),
        ({"q": "x" * 201}, "search_query_invalid"),
        ({"q": "tip", "limit": 0}, "invalid_limit"),
        ({"q": "tip", "limit": 51}, "invalid_limit"),
        ({"q": "tip", "before": "nope"}, "cursor_invalid"),
        ({"q": "tip", "before": "1.2"}, "cursor_invalid"),
        ({"q": "tip", "before": "99999999999999999999.1.1"}, "cursor_invalid"),
    ],
)
async def test_bad_input_gets_a_code(alice, params, code):
    r = await alice.http.get("/api/search", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == code


async def test_searches_are_rate_limited(start_server):
    server = start_server(search_limit_per_user=(2, 60))
    user = await register(server.base_url)
    for _ in range(2):
        assert (await user.http.get("/api/search", params={"q": "x"})).status_code == 200
    r = await user.http.get("/api/search", params={"q": "x"})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    await user.http.aclose()


async def test_the_search_can_use_the_gin_index(alice, db):
    """The query's expression is the index's: with sequential scans priced out, the planner
    reaches for messages_body_search (on a table this small it would rightly scan)."""
    from tipchat.storage.search import HEADLINE_OPTIONS, SEARCH_SQL

    room_id = await create_room(alice)
    await post(alice, room_id, "m1", "indexed words")
    async with db.transaction():
        await db.execute("SET LOCAL enable_seqscan = off")
        plan = await db.fetch(
            "EXPLAIN " + SEARCH_SQL,
            alice.id,
            "indexed",
            None,
            None,
            None,
            None,
            20,
            HEADLINE_OPTIONS,
        )
    assert "messages_body_search" in "\n".join(r[0] for r in plan)
