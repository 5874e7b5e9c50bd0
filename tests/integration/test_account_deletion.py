"""Deleting my account: personal data erased, messages kept under a tombstone name or erased,
sessions revoked everywhere, wallets unlinked, rooms handed on; a wrong password changes
nothing."""

from __future__ import annotations

import json

import httpx
from eth_account import Account

from tests.helpers import PASSWORD, User, Ws, create_room, join
from tests.integration.test_account_security import closed_with, login, refresh


async def say(user: User, room_id: int, body: str) -> int:
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": body, "body": body}
    )
    assert r.status_code == 201, r.text
    seq: int = r.json()["seq"]
    return seq


async def delete_account(user: User, **body: object) -> httpx.Response:
    return await user.http.request("DELETE", "/api/me", json=body)


async def history(user: User, room_id: int) -> list[dict]:
    r = await user.http.get(f"/api/rooms/{room_id}/messages", params={"limit": 100})
    assert r.status_code == 200, r.text
    messages: list[dict] = r.json()["messages"]
    return messages


async def test_deleting_keeps_messages_under_a_tombstone_and_erases_the_rest(
    server, db, alice, bob, carol
):
    room_id = await create_room(alice, "team")
    for user in (bob, carol):
        await join(user, room_id)
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{carol.id}", json={"role": "admin"})
    assert r.status_code == 200
    await say(alice, room_id, "hello from alice")
    await say(bob, room_id, "hi alice")
    await db.execute(
        "INSERT INTO wallets (address, user_id, chain_id) VALUES ($1, $2, 31337)",
        Account.create().address,
        alice.id,
    )
    assert (await bob.http.put(f"/api/blocks/{alice.id}")).status_code == 204
    watcher = await Ws.connect(server.ws_url, bob.token)
    await watcher.subscribe(room_id)
    alice_socket = await Ws.connect(server.ws_url, alice.token)
    last_seq = (await bob.http.get(f"/api/rooms/{room_id}")).json()["last_seq"]

    # A wrong password or a missing choice changes nothing.
    r = await delete_account(alice, password="not my password at all", messages="keep")
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"
    assert (await delete_account(alice, password=PASSWORD)).status_code == 422
    assert (await alice.http.get("/api/me")).status_code == 200

    r = await delete_account(alice, password=PASSWORD, messages="keep")
    assert r.status_code == 204, r.text
    tombstone = f"deleted-{alice.id}"

    # Signed out everywhere at once: token, refresh token, socket, password.
    assert (await alice.http.get("/api/me")).json()["code"] == "session_revoked"
    assert (await refresh(server, alice.refresh_token)).status_code == 401
    assert await closed_with(alice_socket) == 4001
    assert (await login(server, "alice")).status_code == 401

    # The room saw her go live: carol (the senior admin) owns it now, alice left.
    handed = await watcher.next_of("member")
    left = await watcher.next_of("member")
    assert (handed["action"], handed["user"]["id"], handed["role"]) == ("role", carol.id, "owner")
    assert left["action"] == "left" and left["user"] == {"id": alice.id, "username": tombstone}
    assert left["seq"] == handed["seq"] + 1 == last_seq + 2

    # Her message stays, under the tombstone name, in history and in the stored log.
    said = await history(bob, room_id)
    assert [(m["sender"], m["body"]) for m in said] == [
        (tombstone, "hello from alice"),
        ("bob", "hi alice"),
    ]
    log = await db.fetch("SELECT payload::text AS p FROM room_events WHERE room_id = $1", room_id)
    assert log and not any('"alice"' in row["p"] for row in log)
    replay = await Ws.connect(server.ws_url, carol.token)
    frames = await replay.resume({room_id: 0})
    assert not any('"alice"' in str(frame) for frame in frames)

    # Personal data is gone; the audit log keeps what happened.
    user = await db.fetchrow("SELECT username, deleted_at FROM users WHERE id = $1", alice.id)
    assert user["username"] == tombstone and user["deleted_at"] is not None
    for table, column in (
        ("credentials", "user_id"),
        ("wallets", "user_id"),
        ("memberships", "user_id"),
        ("blocks", "blocked_id"),
    ):
        query = f"SELECT count(*) FROM {table} WHERE {column} = $1"  # noqa: S608 (constants)
        assert await db.fetchval(query, alice.id) == 0
    assert (
        await db.fetchval(
            "SELECT count(*) FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL",
            alice.id,
        )
        == 0
    )
    deleted = await db.fetchrow(
        "SELECT details::text FROM audit_events WHERE user_id = $1 AND event = 'account_deleted'",
        alice.id,
    )
    details = json.loads(deleted["details"])
    assert details["rooms_left"] == 1 and len(details["wallets_unlinked"]) == 1

    # No one finds, invites or DMs the deleted account.
    assert (await bob.http.get("/api/users", params={"q": "deleted"})).json()["users"] == []
    assert (await bob.http.post("/api/dms", json={"user_id": alice.id})).status_code == 404
    r = await carol.http.post(f"/api/rooms/{room_id}/members", json={"user_id": alice.id})
    assert r.status_code == 404
    for ws in (watcher, replay):
        await ws.close()


async def test_deleting_with_erase_deletes_my_messages_as_room_events(server, alice, bob):
    room_id = await create_room(bob, "chat")
    await join(alice, room_id)
    first = await say(alice, room_id, "first secret")
    await say(bob, room_id, "reply")
    second = await say(alice, room_id, "second secret")
    r = await bob.http.put(f"/api/rooms/{room_id}/messages/{second}/reactions/👍")
    assert r.status_code in (200, 204)
    # A room she left still holds her words; erase reaches them too.
    other = await create_room(bob, "old")
    await join(alice, other)
    third = await say(alice, other, "third secret")
    assert (await alice.http.delete(f"/api/rooms/{other}/members/{alice.id}")).status_code == 204
    watcher = await Ws.connect(server.ws_url, bob.token)
    await watcher.subscribe(room_id)

    r = await delete_account(alice, password=PASSWORD, messages="erase")
    assert r.status_code == 204, r.text

    updates = [await watcher.next_of("message_updated") for _ in range(2)]
    assert [u["message"]["seq"] for u in updates] == [first, second]
    assert all(u["message"]["deleted"] and u["message"]["body"] is None for u in updates)
    assert (await watcher.next_of("member"))["action"] == "left"
    said = await history(bob, room_id)
    assert [(m["body"], m["deleted"]) for m in said] == [
        (None, True),
        ("reply", False),
        (None, True),
    ]
    assert said[2]["reactions"] == []
    assert [m["deleted"] for m in await history(bob, other)] == [True]
    assert third == (await history(bob, other))[0]["seq"]
    await watcher.close()


async def test_an_account_without_password_confirms_with_its_name(server, db, alice):
    await db.execute("DELETE FROM credentials WHERE user_id = $1", alice.id)  # as after OIDC
    assert (await alice.http.get("/api/me")).json()["has_password"] is False
    r = await delete_account(alice, confirm_username="bob", messages="keep")
    assert r.status_code == 400 and r.json()["code"] == "confirmation_mismatch"
    r = await delete_account(alice, confirm_username="ALICE", messages="keep")
    assert r.status_code == 204, r.text
    assert await db.fetchval("SELECT deleted_at FROM users WHERE id = $1", alice.id) is not None
