"""The protocol as a protocol (Zulip's verify_action): for every kind of room event, applying
the event to the state a client had gives exactly the state it would fetch afresh."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tests.helpers import User, Ws, create_room, join, register

State = dict[str, Any]


def _normalize(message: dict[str, Any]) -> dict[str, Any]:
    out = dict(message)
    for key in ("created_at", "edited_at"):
        if out[key] is not None:
            out[key] = datetime.fromisoformat(out[key])
    return out


async def fetch_state(user: User, room_id: int) -> State:
    """What a client loads over REST: the room's name, its members and all its messages."""
    room = (await user.http.get(f"/api/rooms/{room_id}")).json()
    members = (await user.http.get(f"/api/rooms/{room_id}/members")).json()["members"]
    messages, before = [], None
    while True:
        params = {"limit": 100, **({"before_seq": before} if before else {})}
        page = (await user.http.get(f"/api/rooms/{room_id}/messages", params=params)).json()
        messages = page["messages"] + messages
        if not page["has_more"]:
            break
        before = page["messages"][0]["seq"]
    return {
        "name": room["name"],
        "last_seq": room["last_seq"],
        "members": {m["id"]: m["role"] for m in members},
        "messages": {m["seq"]: _normalize(m) for m in messages},
    }


def apply_event(state: State, frame: dict[str, Any]) -> State:
    """What a client does with one room event."""
    new = copy.deepcopy(state)
    assert frame["seq"] == state["last_seq"] + 1, "events must arrive in seq order, gap-free"
    new["last_seq"] = frame["seq"]
    match frame["type"]:
        case "message" | "message_updated":
            message = _normalize(frame["message"])
            new["messages"][message["seq"]] = message
        case "member":
            user_id = frame["user"]["id"]
            if frame["action"] in ("left", "removed"):
                new["members"].pop(user_id)
            else:  # joined, added, role
                new["members"][user_id] = frame["role"]
        case "room_updated":
            new["name"] = frame["room"]["name"]
        case other:
            raise AssertionError(f"unknown room event {other}")
    return new


async def test_every_room_event_applied_to_old_state_gives_the_new_state(start_server, tmp_path):
    server = start_server(data_dir=tmp_path)  # attachments are stored under data_dir
    owner, bob, carol = [await register(server.base_url) for _ in range(3)]
    room_id = await create_room(owner, "verify")
    watcher = await Ws.connect(server.ws_url, owner.token)
    await watcher.subscribe(room_id)
    bob_ws = await Ws.connect(server.ws_url, bob.token)
    seen_types: set[tuple[str, str]] = set()

    async def verify(
        action: Callable[[], Awaitable[Any]], events: int = 1, viewer: User = owner
    ) -> None:
        before = await fetch_state(owner, room_id)
        await action()
        state = before
        for _ in range(events):
            frame = await watcher.next_of_seq()
            seen_types.add((frame["type"], frame.get("action", "")))
            state = apply_event(state, frame)
        assert state == await fetch_state(viewer, room_id)

    async def bob_sends(cid: str, body: str, reply_to: int | None = None) -> None:
        await bob_ws.send(
            {
                "type": "send",
                "room_id": room_id,
                "client_msg_id": cid,
                "body": body,
                **({"reply_to": reply_to} if reply_to else {}),
            }
        )
        await bob_ws.next_of("ack")

    def rest(method: str, user: User, path: str, **json: Any) -> Callable[[], Awaitable[Any]]:
        async def call() -> None:
            r = await user.http.request(method, f"/api/rooms/{room_id}{path}", json=json or None)
            assert r.status_code < 300, r.text

        return call

    await verify(lambda: join(bob, room_id))
    await verify(lambda: bob_sends("b1", "hello"))
    first = max((await fetch_state(owner, room_id))["messages"])
    await verify(lambda: bob_sends("b2", "a reply", reply_to=first))
    await verify(rest("POST", owner, "/messages", client_msg_id="o1", body="from the owner"))
    # Mentions: resolved at send (over the socket, through the batcher) and again at edit.
    await verify(lambda: bob_sends("b3", f"@{owner.username} and @{carol.username} (not in)"))
    mention = max((await fetch_state(owner, room_id))["messages"])
    assert (await fetch_state(owner, room_id))["messages"][mention]["mentions"] == [owner.id]
    await verify(rest("PATCH", bob, f"/messages/{mention}", body="no one now"))
    # A message with an attachment (uploaded to the local store first).
    note = b"notes, as plain text\n"
    r = await owner.http.post(
        f"/api/rooms/{room_id}/attachments",
        json={"filename": "notes.txt", "content_type": "text/plain", "size": len(note)},
    )
    slot = r.json()
    put = await owner.http.put(
        server.base_url + slot["upload_url"], content=note, headers=slot["headers"]
    )
    assert put.status_code == 200
    r = await owner.http.post(f"/api/rooms/{room_id}/attachments/{slot['id']}/complete")
    assert r.status_code == 200, r.text
    await verify(
        rest("POST", owner, "/messages", client_msg_id="o2", body="", attachments=[slot["id"]])
    )
    await verify(rest("PATCH", bob, f"/messages/{first}", body="hello, edited"))
    # Reactions: each change is a message_updated carrying the counts and who reacted.
    thumb, heart = quote("👍", safe=""), quote("❤️", safe="")
    await verify(rest("PUT", bob, f"/messages/{first}/reactions/{thumb}"))
    await verify(rest("PUT", owner, f"/messages/{first}/reactions/{thumb}"))
    await verify(rest("PUT", owner, f"/messages/{first + 1}/reactions/{heart}"))
    await verify(rest("DELETE", bob, f"/messages/{first}/reactions/{thumb}"))
    await verify(rest("DELETE", bob, f"/messages/{first + 1}"))
    await verify(rest("POST", bob, "/members", user_id=carol.id))
    await verify(rest("PATCH", owner, f"/members/{bob.id}", role="admin"))
    await verify(rest("DELETE", bob, f"/messages/{first + 2}"))  # an admin deletes any message
    await verify(rest("PATCH", bob, "", name="renamed by an admin"))
    await verify(rest("DELETE", bob, f"/members/{carol.id}"))
    await verify(rest("PATCH", owner, f"/members/{bob.id}", role="owner"), events=2)
    # The old owner leaves (the watcher still gets its own "left" event, then nothing more).
    await verify(rest("DELETE", owner, f"/members/{owner.id}"), viewer=bob)

    assert seen_types >= {
        ("message", ""),
        ("message_updated", ""),
        ("room_updated", ""),
        ("member", "joined"),
        ("member", "added"),
        ("member", "role"),
        ("member", "removed"),
        ("member", "left"),
    }
    for ws in (watcher, bob_ws):
        await ws.close()
    for user in (owner, bob, carol):
        await user.http.aclose()
