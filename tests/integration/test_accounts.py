"""Accounts and sessions over HTTP: register, login, refresh rotation with reuse detection,
logout, cookie sessions with CSRF, rate limits and user search."""

from __future__ import annotations

import asyncio
import time
from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx
import jwt

from tests.helpers import PASSWORD, Ws, register
from tipchat.auth.tokens import key_id
from tipchat.config import Settings

ACCESS, REFRESH, CSRF = "tipchat_access", "tipchat_refresh", "tipchat_csrf"


def client(server, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.base_url, timeout=30, **kwargs)


async def post(server, path: str, **kwargs: Any) -> httpx.Response:
    """One request from a fresh client (no cookies carried over)."""
    async with client(server) as c:
        return await c.post(path, **kwargs)


async def get(server, path: str, **kwargs: Any) -> httpx.Response:
    async with client(server) as c:
        return await c.get(path, **kwargs)


def set_cookies(r: httpx.Response) -> dict[str, Morsel[str]]:
    found: dict[str, Morsel[str]] = {}
    for header in r.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        found.update(jar)
    return found


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def user_count(db) -> int:
    return await db.fetchval("SELECT count(*) FROM users")


# --- register ---------------------------------------------------------------------------


async def test_register_returns_tokens_and_user_and_sets_session_cookies(server, db):
    r = await post(server, "/api/auth/register", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["access_token"] and body["refresh_token"]
    assert body["access_token"] != body["refresh_token"]
    user_id = await db.fetchval("SELECT id FROM users WHERE username = 'alice'")
    assert body["user"] == {"id": user_id, "username": "alice"}
    # The password is stored only as an Argon2id hash.
    stored = await db.fetchval("SELECT password_hash FROM credentials WHERE user_id = $1", user_id)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored

    cookies = set_cookies(r)
    assert {ACCESS, REFRESH, CSRF} <= set(cookies)
    access, refresh, csrf = cookies[ACCESS], cookies[REFRESH], cookies[CSRF]
    assert access.value == body["access_token"]
    assert access["httponly"] is True
    assert access["samesite"].lower() == "lax"
    assert access["path"] == "/"
    assert refresh.value == body["refresh_token"]
    assert refresh["httponly"] is True
    assert refresh["path"] == "/api/auth"
    assert csrf.value
    assert not csrf["httponly"], "the page must be able to read the CSRF cookie"
    # Plain http: a Secure cookie would never come back, so none is marked Secure.
    for morsel in (access, refresh, csrf):
        assert not morsel["secure"]


async def test_the_access_token_works_for_api_me(server):
    r = await post(server, "/api/auth/register", json={"username": "alice", "password": PASSWORD})
    r = await get(server, "/api/me", headers=bearer(r.json()["access_token"]))
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["username"] == "alice"
    assert {"id", "created_at"} <= set(me)


INVALID_USERNAMES = [
    "ab",
    "1abc",
    "_abc",
    "a" * 33,
    "bad name",
    "bad-name",
    "émile",
    "abc!",
    "alice\n",
    "",
]
WEAK_PASSWORDS = [
    ("short", "password_too_short"),
    ("123456789", "password_too_short"),
    ("password123", "password_too_common"),
    ("PassWord123", "password_too_common"),
    ("aaaaaaaaaaaa", "password_too_common"),
    ("my name is alice ok", "password_too_common"),
    ("MyNameIsALICE!", "password_too_common"),
    ("x1" + "long enough passphrase" * 12, "invalid_request"),  # 266 characters
]


async def test_invalid_usernames_are_refused_and_nothing_is_written(server, db):
    for username in INVALID_USERNAMES:
        r = await post(
            server, "/api/auth/register", json={"username": username, "password": PASSWORD}
        )
        assert r.status_code == 400, (username, r.text)
        assert r.json()["code"] == "username_invalid", username
    assert await user_count(db) == 0


async def test_valid_username_edges_are_accepted(server):
    for username in ("abc", "a" * 32, "Mixed_Case_9"):
        r = await post(
            server, "/api/auth/register", json={"username": username, "password": PASSWORD}
        )
        assert r.status_code == 201, (username, r.text)
        assert r.json()["user"]["username"] == username


async def test_weak_passwords_are_refused_and_nothing_is_written(server, db):
    for password, code in WEAK_PASSWORDS:
        r = await post(
            server, "/api/auth/register", json={"username": "alice", "password": password}
        )
        assert r.status_code == 400, (password, r.text)
        body = r.json()
        assert body["code"] == code, password
        assert body["message"]
    assert await user_count(db) == 0
    assert await db.fetchval("SELECT count(*) FROM credentials") == 0


async def test_concurrent_registrations_of_one_name_create_one_user(server, db):
    answers = await asyncio.gather(
        *(
            post(server, "/api/auth/register", json={"username": name, "password": PASSWORD})
            for name in ("racer", "Racer", "RACER", "racer")
        )
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]
    assert await user_count(db) == 1
    assert await db.fetchval("SELECT count(*) FROM credentials") == 1


async def test_duplicate_username_is_409_case_insensitively(server, db):
    r = await post(server, "/api/auth/register", json={"username": "Alice", "password": PASSWORD})
    assert r.status_code == 201
    for name in ("Alice", "alice", "ALICE"):
        r = await post(
            server, "/api/auth/register", json={"username": name, "password": PASSWORD + "x"}
        )
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "username_taken"
    assert await user_count(db) == 1
    # The original account keeps its password.
    r = await post(server, "/api/auth/login", json={"username": "Alice", "password": PASSWORD})
    assert r.status_code == 200


# --- login ------------------------------------------------------------------------------


async def test_login_returns_a_working_session(server, users):
    alice = await users("Alice")
    r = await post(server, "/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"] == {"id": alice.id, "username": "Alice"}
    assert body["refresh_token"] != alice.refresh_token
    assert {ACCESS, REFRESH, CSRF} <= set(set_cookies(r))
    r = await get(server, "/api/me", headers=bearer(body["access_token"]))
    assert r.status_code == 200
    assert r.json()["id"] == alice.id


async def test_wrong_password_and_unknown_user_get_the_same_401(server, users):
    await users("alice")
    wrong = await post(
        server, "/api/auth/login", json={"username": "alice", "password": PASSWORD + "!"}
    )
    unknown = await post(
        server, "/api/auth/login", json={"username": "nobody", "password": PASSWORD}
    )
    for r in (wrong, unknown):
        assert r.status_code == 401, r.text
        assert r.json()["code"] == "invalid_credentials"
        assert "set-cookie" not in r.headers
        assert "access_token" not in r.json()
    assert wrong.json() == unknown.json()


# --- authentication of requests ---------------------------------------------------------


async def test_api_me_without_credentials_is_401_not_authenticated(server):
    r = await get(server, "/api/me")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


async def test_bad_authorization_is_401_invalid_token(server):
    for authorization in ("Bearer not-a-jwt", "Bearer", "Basic YWxpY2U6cHc=", "Bearer a.b.c"):
        r = await get(server, "/api/me", headers={"authorization": authorization})
        assert r.status_code == 401, (authorization, r.text)
        assert r.json()["code"] == "invalid_token", authorization


async def test_forged_and_expired_tokens_are_refused(server, users):
    alice = await users("alice")
    now = int(time.time())
    claims = {"sub": str(alice.id), "name": "alice", "sid": "s", "typ": "access"}
    forged = jwt.encode(
        {**claims, "iat": now, "exp": now + 600}, "another-secret-" + "y" * 32, algorithm="HS256"
    )
    r = await get(server, "/api/me", headers=bearer(forged))
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"

    secret = server.settings.jwt_secret
    expired = jwt.encode({**claims, "iat": now - 1200, "exp": now - 600}, secret, algorithm="HS256")
    r = await get(server, "/api/me", headers=bearer(expired))
    assert r.status_code == 401
    assert r.json()["code"] == "token_expired"

    not_access = jwt.encode(
        {**claims, "typ": "refresh", "iat": now, "exp": now + 600}, secret, algorithm="HS256"
    )
    r = await get(server, "/api/me", headers=bearer(not_access))
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"

    # A refresh token is not an access token.
    r = await get(server, "/api/me", headers=bearer(alice.refresh_token))
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_token"


# --- refresh and logout -----------------------------------------------------------------


async def refresh(server, token: str) -> httpx.Response:
    return await post(server, "/api/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_and_the_spent_token_stops_working(server, users):
    alice = await users("alice")
    r = await refresh(server, alice.refresh_token)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refresh_token"] != alice.refresh_token
    assert body["user"] == {"id": alice.id, "username": "alice"}
    assert set_cookies(r)[REFRESH].value == body["refresh_token"]
    r = await get(server, "/api/me", headers=bearer(body["access_token"]))
    assert r.status_code == 200
    assert r.json()["id"] == alice.id

    r = await refresh(server, alice.refresh_token)
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_reused"


async def test_reusing_a_refresh_token_revokes_its_family_only(server, users):
    alice = await users("alice")
    # A second, independent sign-in of the same user (another device).
    other = await post(server, "/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert other.status_code == 200
    other_refresh = other.json()["refresh_token"]

    first = alice.refresh_token
    second = (await refresh(server, first)).json()["refresh_token"]
    r = await refresh(server, second)
    assert r.status_code == 200
    newest = r.json()["refresh_token"]

    # A thief replays the first token: refused, and the whole chain is revoked.
    r = await refresh(server, first)
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_reused"
    r = await refresh(server, newest)
    assert r.status_code == 401
    assert r.json()["code"] in ("refresh_token_invalid", "refresh_token_reused")

    # The other device's session is a different family and keeps working.
    r = await refresh(server, other_refresh)
    assert r.status_code == 200, r.text
    r = await refresh(server, r.json()["refresh_token"])
    assert r.status_code == 200, r.text


async def test_expired_tokens_stop_working(start_server):
    server = start_server(access_token_ttl_s=1, refresh_token_ttl_s=1)
    alice = await register(server.base_url, "alice")
    await alice.http.aclose()
    await asyncio.sleep(2.1)
    r = await get(server, "/api/me", headers=bearer(alice.token))
    assert r.status_code == 401
    assert r.json()["code"] == "token_expired"
    r = await refresh(server, alice.refresh_token)
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_invalid"


async def test_unknown_or_missing_refresh_token_is_401(server):
    r = await refresh(server, "not-a-token")
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_invalid"
    r = await post(server, "/api/auth/refresh")
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_invalid"


async def test_logout_revokes_the_session_and_clears_cookies(server, users):
    alice = await users("alice")
    r = await post(server, "/api/auth/logout", json={"refresh_token": alice.refresh_token})
    assert r.status_code == 204, r.text
    cleared = set_cookies(r)
    assert {ACCESS, REFRESH, CSRF} <= set(cleared)
    for name in (ACCESS, REFRESH, CSRF):
        assert cleared[name].value == ""
        assert cleared[name]["max-age"] == "0"
    assert cleared[REFRESH]["path"] == "/api/auth"

    r = await refresh(server, alice.refresh_token)
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_invalid"


# --- cookie sessions and CSRF -----------------------------------------------------------


async def test_cookie_session_reads_without_csrf_and_writes_only_with_it(server, db):
    async with client(server) as web:
        r = await web.post("/api/auth/register", json={"username": "alice", "password": PASSWORD})
        assert r.status_code == 201
        my_id = r.json()["user"]["id"]
        csrf = web.cookies[CSRF]
        assert "authorization" not in web.headers

        r = await web.get("/api/me")
        assert r.status_code == 200, r.text
        assert r.json()["username"] == "alice"

        r = await web.post("/api/rooms", json={"name": "general", "kind": "public"})
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "csrf_failed"
        r = await web.post(
            "/api/rooms",
            json={"name": "general", "kind": "public"},
            headers={"x-csrf-token": csrf + "x"},
        )
        assert r.status_code == 403
        assert r.json()["code"] == "csrf_failed"
        assert await db.fetchval("SELECT count(*) FROM rooms") == 0
        assert await db.fetchval("SELECT count(*) FROM room_events") == 0

        r = await web.post(
            "/api/rooms",
            json={"name": "general", "kind": "public"},
            headers={"x-csrf-token": csrf},
        )
        assert r.status_code == 201, r.text
        assert await db.fetchval("SELECT count(*) FROM rooms") == 1
        room_id = r.json()["id"]

        # Every unsafe method is covered, not only POST.
        for method, path, body in (
            ("PATCH", f"/api/rooms/{room_id}", {"name": "renamed"}),
            ("DELETE", f"/api/rooms/{room_id}/members/{my_id}", None),
            ("POST", f"/api/rooms/{room_id}/messages", {"client_msg_id": "c", "body": "hi"}),
        ):
            r = await web.request(method, path, json=body)
            assert r.status_code == 403, (method, path, r.text)
            assert r.json()["code"] == "csrf_failed"
        assert await db.fetchval("SELECT name FROM rooms") == "general"
        assert await db.fetchval("SELECT count(*) FROM messages") == 0
        assert await db.fetchval("SELECT count(*) FROM room_events") == 1


async def test_csrf_header_without_the_cookie_is_refused(server, db):
    async with client(server) as web:
        r = await web.post("/api/auth/register", json={"username": "alice", "password": PASSWORD})
        csrf = web.cookies[CSRF]
        web.cookies.delete(CSRF)
        r = await web.post("/api/rooms", json={"name": "general"}, headers={"x-csrf-token": csrf})
        assert r.status_code == 403
        assert r.json()["code"] == "csrf_failed"
    assert await db.fetchval("SELECT count(*) FROM rooms") == 0


async def test_bearer_requests_need_no_csrf_even_with_cookies_present(server):
    async with client(server) as web:
        r = await web.post("/api/auth/register", json={"username": "alice", "password": PASSWORD})
        token = r.json()["access_token"]
        r = await web.post("/api/rooms", json={"name": "general"}, headers=bearer(token))
        assert r.status_code == 201, r.text


async def test_cookie_refresh_and_logout_need_csrf(server):
    async with client(server) as web:
        r = await web.post("/api/auth/register", json={"username": "alice", "password": PASSWORD})
        first_refresh = r.json()["refresh_token"]

        r = await web.post("/api/auth/refresh")
        assert r.status_code == 403
        assert r.json()["code"] == "csrf_failed"
        r = await web.post("/api/auth/refresh", headers={"x-csrf-token": web.cookies[CSRF]})
        assert r.status_code == 200, r.text
        assert web.cookies[REFRESH] == r.json()["refresh_token"] != first_refresh

        r = await web.post("/api/auth/logout")
        assert r.status_code == 403
        assert r.json()["code"] == "csrf_failed"
        current = web.cookies[REFRESH]
        r = await web.post("/api/auth/logout", headers={"x-csrf-token": web.cookies[CSRF]})
        assert r.status_code == 204
        assert ACCESS not in web.cookies
        r = await web.get("/api/me")
        assert r.status_code == 401
        assert r.json()["code"] == "not_authenticated"
    r = await refresh(server, current)
    assert r.status_code == 401


# --- rate limits ------------------------------------------------------------------------


def retry_after(r: httpx.Response) -> int:
    value = r.headers.get("retry-after")
    assert value is not None, "429 without Retry-After"
    return int(value)


async def test_register_is_rate_limited_per_ip(start_server, db):
    server = start_server(register_limit_per_ip=(3, 3600))
    for i in range(3):
        r = await post(
            server, "/api/auth/register", json={"username": f"user{i}x", "password": PASSWORD}
        )
        assert r.status_code == 201, r.text
    r = await post(server, "/api/auth/register", json={"username": "onemore", "password": PASSWORD})
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "rate_limited"
    assert 1 <= retry_after(r) <= 3600
    assert await user_count(db) == 3


async def test_register_is_rate_limited_per_username(start_server, db):
    """Attempts on one name (in any case) are limited; other names are not."""
    server = start_server(register_limit_per_username=(2, 3600))
    r = await post(server, "/api/auth/register", json={"username": "probe", "password": PASSWORD})
    assert r.status_code == 201, r.text
    r = await post(server, "/api/auth/register", json={"username": "PROBE", "password": PASSWORD})
    assert r.status_code == 409, r.text  # taken: the second attempt on the name
    r = await post(server, "/api/auth/register", json={"username": "pRobe", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    r = await post(server, "/api/auth/register", json={"username": "other", "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert await user_count(db) == 2


async def test_login_is_rate_limited_per_ip_across_usernames(start_server):
    server = start_server(login_limit_per_ip=(3, 60))
    for name in ("alice", "bob", "carol"):
        r = await post(server, "/api/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 401, r.text
    async with client(server) as c:
        r = await c.post("/api/auth/register", json={"username": "dave", "password": PASSWORD})
        assert r.status_code == 201
    # Even correct credentials for a fresh username are refused from this IP now.
    r = await post(server, "/api/auth/login", json={"username": "dave", "password": PASSWORD})
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "rate_limited"
    assert 1 <= retry_after(r) <= 60
    assert "access_token" not in r.json()


async def test_login_is_rate_limited_per_username_with_the_shipped_default(start_server):
    limit, window = Settings.model_fields["login_limit_per_username"].default
    server = start_server(login_limit_per_username=(limit, window))
    alice = await register(server.base_url, "alice")
    bob = await register(server.base_url, "bob")
    await alice.http.aclose()
    await bob.http.aclose()

    for i in range(limit):
        # Changing the case of the name does not buy more guesses.
        name = "ALICE" if i % 2 else "alice"
        r = await post(server, "/api/auth/login", json={"username": name, "password": "guess" * 3})
        assert r.status_code == 401, (i, r.text)
    r = await post(server, "/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "rate_limited"
    assert 1 <= retry_after(r) <= window

    # Another username from the same IP still signs in.
    r = await post(server, "/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert r.status_code == 200, r.text


# --- user search ------------------------------------------------------------------------


async def test_user_search_by_case_insensitive_prefix_excluding_me(server, users):
    me = await users("premier")
    preston = await users("Preston")
    prelude = await users("prelude")
    await users("bob")
    await users("apre")
    for q in ("pre", "PRE", "Pre"):
        r = await me.http.get("/api/users", params={"q": q})
        assert r.status_code == 200, r.text
        found = {u["id"]: u["username"] for u in r.json()["users"]}
        assert found == {preston.id: "Preston", prelude.id: "prelude"}, q
    r = await me.http.get("/api/users", params={"q": "bo"})
    assert [u["username"] for u in r.json()["users"]] == ["bob"]


async def test_user_search_treats_like_wildcards_literally(server, users):
    me = await users("searcher")
    await users("pre_one")
    await users("prexone")
    r = await me.http.get("/api/users", params={"q": "pre_"})
    assert [u["username"] for u in r.json()["users"]] == ["pre_one"]
    r = await me.http.get("/api/users", params={"q": "%"})
    assert r.json()["users"] == []


async def test_user_search_bounds_and_auth(server, users):
    me = await users("searcher")
    for params in ({"q": ""}, {"q": "a" * 33}, {}):
        r = await me.http.get("/api/users", params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["code"] == "invalid_request"
    r = await me.http.get("/api/users", params={"q": "a" * 32})
    assert r.status_code == 200
    assert r.json()["users"] == []
    r = await get(server, "/api/users", params={"q": "sea"})
    assert r.status_code == 401


async def test_rotating_the_signing_key_logs_nobody_out(start_server):
    """Tokens signed with the old key keep working while it is listed as a previous key; new
    tokens name the new key; once the old key is dropped its tokens are refused."""
    old_key, new_key = "old-signing-key-" + "a" * 32, "new-signing-key-" + "b" * 32
    before = start_server(jwt_secret=old_key)
    alice = await register(before.base_url)
    assert jwt.get_unverified_header(alice.token)["kid"] == key_id(old_key)

    rotated = start_server(jwt_secret=new_key, jwt_previous_secrets=[old_key])
    async with httpx.AsyncClient(base_url=rotated.base_url, headers=alice.headers) as http:
        assert (await http.get("/api/me")).status_code == 200
        r = await http.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
        assert r.status_code == 200, r.text
        fresh = r.json()["access_token"]
    assert jwt.get_unverified_header(fresh)["kid"] == key_id(new_key)
    ws = await Ws.connect(rotated.ws_url, alice.token)  # sockets too
    await ws.close()

    dropped = start_server(jwt_secret=new_key)
    async with httpx.AsyncClient(base_url=dropped.base_url) as http:
        old = await http.get("/api/me", headers=alice.headers)
        assert old.status_code == 401 and old.json()["code"] == "invalid_token"
        new = await http.get("/api/me", headers={"authorization": f"Bearer {fresh}"})
        assert new.status_code == 200
    await alice.http.aclose()
