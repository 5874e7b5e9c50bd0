"""My account's security: the audit log, password change, sessions ended at once on every
node (HTTP and sockets), and the per-user socket limit across the cluster."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
import websockets

from tests.helpers import PASSWORD, User, Ws, create_room, join, register

NEW_PASSWORD = "another long passphrase 7"


async def audit_of(user: User) -> list[dict[str, Any]]:
    r = await user.http.get("/api/me/audit")
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["events"]
    return events


async def login(server, username: str, password: str = PASSWORD) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        return await anon.post("/api/auth/login", json={"username": username, "password": password})


async def second_session(server, user: User) -> User:
    """The same user signed in again (another device)."""
    r = await login(server, user.username)
    assert r.status_code == 200, r.text
    body = r.json()
    http = httpx.AsyncClient(
        base_url=server.base_url, headers={"authorization": f"Bearer {body['access_token']}"}
    )
    return User(user.id, user.username, body["access_token"], body["refresh_token"], http)


async def refresh(server, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        return await anon.post("/api/auth/refresh", json={"refresh_token": token})


async def closed_with(ws: Ws) -> int:
    """Read until the server closes the socket; its close code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for _ in range(100):
            await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


# --- the audit log ------------------------------------------------------------------------


async def test_sign_ins_and_failures_are_in_my_audit_log_with_ip(server, alice, bob):
    assert (await login(server, alice.username, "not the password")).status_code == 401
    assert (await login(server, alice.username)).status_code == 200
    assert (await login(server, "nobody_here", "whatever passphrase")).status_code == 401

    events = await audit_of(alice)
    assert [e["event"] for e in events] == ["login_succeeded", "login_failed", "registered"]
    assert {e["ip"] for e in events} == {"127.0.0.1"}
    assert events[1]["actor_id"] is None  # a failure is nobody's doing we know of
    # Bob's log has none of it; the unknown name's failure is under no account.
    assert [e["event"] for e in await audit_of(bob)] == ["registered"]


async def test_audit_log_pages_newest_first_and_only_shows_my_own(server, alice):
    for _ in range(4):
        assert (await login(server, alice.username)).status_code == 200
    async with httpx.AsyncClient(base_url=server.base_url, headers=alice.headers) as http:
        first = (await http.get("/api/me/audit", params={"limit": 2})).json()
        assert [e["event"] for e in first["events"]] == ["login_succeeded"] * 2
        page = {"limit": 10, "before_id": first["next_before_id"]}
        rest = (await http.get("/api/me/audit", params=page)).json()
        assert (await http.get("/api/me/audit", params={"limit": 0})).status_code == 422
    assert [e["event"] for e in rest["events"]] == ["login_succeeded"] * 2 + ["registered"]
    assert rest["next_before_id"] is None
    ids = [e["id"] for e in first["events"] + rest["events"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        assert (await anon.get("/api/me/audit")).status_code == 401


async def test_the_audit_table_is_append_only(server, alice, db):
    count = await db.fetchval("SELECT count(*) FROM audit_events")
    assert count >= 1
    for statement in (
        "UPDATE audit_events SET ip = 'forged'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await db.execute(statement)
    assert await db.fetchval("SELECT count(*) FROM audit_events") == count


async def test_moderation_and_role_changes_are_in_the_affected_users_log(alice, bob, carol):
    room_id = await create_room(alice)
    for user in (bob, carol):
        await join(user, room_id)
    r = await alice.http.patch(f"/api/rooms/{room_id}/members/{bob.id}", json={"role": "admin"})
    assert r.status_code == 200, r.text
    r = await carol.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "c1", "body": "spam"}
    )
    seq = r.json()["seq"]
    assert (await bob.http.delete(f"/api/rooms/{room_id}/messages/{seq}")).status_code == 204
    assert (await bob.http.delete(f"/api/rooms/{room_id}/members/{carol.id}")).status_code == 204

    role = (await audit_of(bob))[0]
    assert role["event"] == "role_changed" and role["actor_id"] == alice.id
    assert role["details"] == {"room_id": room_id, "role": "admin"}
    carols = await audit_of(carol)
    assert [(e["event"], e["actor_id"]) for e in carols[:2]] == [
        ("member_removed", bob.id),
        ("message_deleted_by_moderator", bob.id),
    ]
    assert carols[1]["details"] == {"room_id": room_id, "seq": seq}


# --- password change and revoked sessions -------------------------------------------------


async def test_password_change_signs_out_my_other_sessions_at_once(server, alice):
    phone = await second_session(server, alice)
    phone_socket = await Ws.connect(server.ws_url, phone.token)

    r = await alice.http.post(
        "/api/me/password",
        json={"current_password": "wrong passphrase here", "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"
    r = await alice.http.post(
        "/api/me/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert r.status_code == 400 and r.json()["code"] == "password_too_short"
    assert (await phone.http.get("/api/me")).status_code == 200  # nothing changed yet

    r = await alice.http.post(
        "/api/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 204, r.text
    # The phone's access token is refused now, not when it expires; its refresh token too;
    # its socket is closed as unauthenticated.
    r = await phone.http.get("/api/me")
    assert r.status_code == 401 and r.json()["code"] == "session_revoked"
    assert (await refresh(server, phone.refresh_token)).status_code == 401
    assert await closed_with(phone_socket) == 4001
    # The session that changed it goes on; the old password is dead, the new one works.
    assert (await alice.http.get("/api/me")).status_code == 200
    assert (await refresh(server, alice.refresh_token)).status_code == 200
    assert (await login(server, alice.username)).status_code == 401
    assert (await login(server, alice.username, NEW_PASSWORD)).status_code == 200
    changed = [e for e in await audit_of(alice) if e["event"] == "password_changed"]
    assert len(changed) == 1 and changed[0]["details"] == {"sessions_revoked": 1}
    await phone.http.aclose()


async def test_logout_ends_the_access_token_too(server, alice):
    r = await alice.http.post("/api/auth/logout", json={"refresh_token": alice.refresh_token})
    assert r.status_code == 204
    r = await alice.http.get("/api/me")
    assert r.status_code == 401 and r.json()["code"] == "session_revoked"
    ws = await Ws.connect(server.ws_url)
    await ws.send({"type": "auth", "token": alice.token})
    assert (await ws.expect("error"))["code"] == "session_revoked"
    assert await closed_with(ws) == 4001


async def test_a_node_started_later_knows_recent_revocations(start_server):
    first = start_server()
    alice = await register(first.base_url)
    r = await alice.http.post("/api/auth/logout", json={"refresh_token": alice.refresh_token})
    assert r.status_code == 204
    later = start_server()  # no bus message reached it: it read PostgreSQL at start
    async with httpx.AsyncClient(base_url=later.base_url, headers=alice.headers) as http:
        r = await http.get("/api/me")
    assert r.status_code == 401 and r.json()["code"] == "session_revoked"
    await alice.http.aclose()


async def test_revocation_reaches_every_node_and_its_sockets(start_server, redis_url, prefix):
    node_a = start_server(redis_url=redis_url, redis_prefix=prefix)
    node_b = start_server(redis_url=redis_url, redis_prefix=prefix)
    alice = await register(node_a.base_url)
    socket_b = await Ws.connect(node_b.ws_url, alice.token)
    r = await alice.http.post("/api/auth/logout", json={"refresh_token": alice.refresh_token})
    assert r.status_code == 204
    assert await closed_with(socket_b) == 4001
    async with httpx.AsyncClient(base_url=node_b.base_url, headers=alice.headers) as http:
        r = await http.get("/api/me")
    assert r.status_code == 401 and r.json()["code"] == "session_revoked"
    await alice.http.aclose()


async def test_refresh_token_reuse_is_audited_and_ends_the_session_everywhere(server, alice):
    assert (await refresh(server, alice.refresh_token)).status_code == 200
    r = await refresh(server, alice.refresh_token)  # spent twice: stolen
    assert r.status_code == 401 and r.json()["code"] == "refresh_token_reused"
    r = await alice.http.get("/api/me")
    assert r.status_code == 401 and r.json()["code"] == "session_revoked"
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        r = await anon.post(
            "/api/auth/login", json={"username": alice.username, "password": PASSWORD}
        )
        anon.headers["authorization"] = f"Bearer {r.json()['access_token']}"
        events = (await anon.get("/api/me/audit")).json()["events"]
    assert "refresh_token_reused" in [e["event"] for e in events]


# --- sockets per user across the cluster --------------------------------------------------


async def test_socket_limit_counts_every_nodes_sockets(start_server, redis_url, prefix):
    nodes = [
        start_server(redis_url=redis_url, redis_prefix=prefix, ws_max_sockets_per_user=2)
        for _ in range(2)
    ]
    alice = await register(nodes[0].base_url)
    on_a = await Ws.connect(nodes[0].ws_url, alice.token)
    on_b = await Ws.connect(nodes[1].ws_url, alice.token)
    # Each node holds one socket, below its own count; together they are at the limit.
    third = await Ws.connect(nodes[0].ws_url)
    await third.send({"type": "auth", "token": alice.token})
    refused = await third.expect("error")
    assert refused["code"] == "too_many_sockets"
    assert await closed_with(third) == 1008
    await on_b.close()
    for _ in range(50):  # the closed socket's place is given back as it goes
        again = await Ws.connect(nodes[0].ws_url)
        await again.send({"type": "auth", "token": alice.token})
        frame = await again.recv()
        if frame["type"] == "ready":
            break
        await again.close()
    assert frame["type"] == "ready"
    for ws in (on_a, again):
        await ws.close()
    await alice.http.aclose()
