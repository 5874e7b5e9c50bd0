"""Sign-in with an OIDC provider, end to end: a real tipchat server and a real OpenID provider
(oidc-provider-mock, tests/integration/oidc_provider.py), the browser's part played by httpx
following the redirects by hand and submitting the provider's form."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from tests.conftest import RunningServer, ServerFactory
from tests.helpers import PASSWORD, User
from tests.integration.oidc_provider import Provider, run_provider

CLIENT_ID = "tipchat-test-client"
CLIENT_SECRET = "oidc-client-secret-for-tests"


@pytest.fixture(scope="module")
def _provider() -> Iterator[Provider]:
    with run_provider() as provider:
        yield provider


@pytest.fixture
def provider(_provider: Provider) -> Iterator[Provider]:
    _provider.tamper = None
    yield _provider
    _provider.tamper = None


def oidc_settings(provider: Provider, **overrides: object) -> dict[str, object]:
    return {
        "oidc_issuer": provider.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_name": "Mock",
        **overrides,
    }


@pytest.fixture
def server(start_server: ServerFactory, provider: Provider) -> RunningServer:
    return start_server(**oidc_settings(provider))


@pytest.fixture
async def browser(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        yield client


@dataclass
class Landing:
    """Where the callback sent the browser, and what it set."""

    response: httpx.Response
    query: dict[str, str]

    @property
    def error(self) -> str | None:
        return self.query.get("oidc_error")


def landing(response: httpx.Response) -> Landing:
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert location.path == "/" and not location.netloc, location
    return Landing(response, {k: v[0] for k, v in parse_qs(location.query).items()})


async def to_provider(browser: httpx.AsyncClient) -> str:
    r = await browser.get("/api/auth/oidc/start")
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def at_provider(authorize_url: str, sub: str, action: str | None = None) -> str:
    """Sign in at the provider's form as `sub`; the callback URL it redirects to."""
    async with httpx.AsyncClient() as person:
        form = {"action": action} if action else {"sub": sub}
        r = await person.post(authorize_url, data=form)
    assert r.status_code == 302, r.text
    return r.headers["location"]


async def sign_in(browser: httpx.AsyncClient, sub: str) -> Landing:
    callback = await at_provider(await to_provider(browser), sub)
    return landing(await browser.get(callback))


async def me(browser: httpx.AsyncClient) -> dict[str, object]:
    r = await browser.get("/api/me")  # the access cookie the callback set
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


async def count(db: asyncpg.Connection, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - test tables


async def events(db: asyncpg.Connection, user_id: int) -> list[str]:
    rows = await db.fetch("SELECT event FROM audit_events WHERE user_id = $1 ORDER BY id", user_id)
    return [r["event"] for r in rows]


# -- signing in and up ----------------------------------------------------------------------


async def test_the_sign_in_screen_learns_the_provider(browser: httpx.AsyncClient):
    r = await browser.get("/api/auth/oidc")
    assert r.json() == {"enabled": True, "name": "Mock"}


async def test_the_authorization_request(browser: httpx.AsyncClient, server: RunningServer):
    r = await browser.get("/api/auth/oidc/start")
    url = urlsplit(r.headers["location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == "/oauth2/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == server.base_url + "/api/auth/oidc/callback"
    assert query["scope"] == "openid profile email"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] != query["nonce"]
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("tipchat_oidc=")
    for attribute in ("HttpOnly", "Path=/api/auth/oidc", "SameSite=lax", "Max-Age=600"):
        assert attribute.lower() in cookie.lower(), cookie


async def test_a_first_sign_in_creates_an_account_and_the_next_reaches_it(
    browser: httpx.AsyncClient,
    provider: Provider,
    server: RunningServer,
    db: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level("DEBUG")
    provider.set_claims("sub-dana", preferred_username="dana", email="dana@example.com")
    callback = await at_provider(await to_provider(browser), "sub-dana")
    first = landing(await browser.get(callback))
    assert first.query == {}
    for cookie in ("tipchat_access", "tipchat_refresh", "tipchat_csrf"):
        assert cookie in browser.cookies
    account = await me(browser)
    assert account["username"] == "dana"
    user_id = int(str(account["id"]))
    identity = await db.fetchrow("SELECT * FROM user_identities WHERE user_id = $1", user_id)
    assert (identity["issuer"], identity["subject"]) == (provider.issuer, "sub-dana")
    assert identity["email"] == "dana@example.com"
    assert await events(db, user_id) == ["registered", "oidc_login_succeeded"]
    # The provider was asked with the PKCE verifier; nothing secret reached our log records.
    token_request = provider.token_requests[-1]
    assert token_request["code_verifier"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    # httpx and httpcore log the test's own requests (as a browser's history would), and
    # uvicorn's access log shows the callback's URL here; `tipchat serve` keeps that log off
    # (server.py, logs.py). A code alone is useless anyway: it needs the PKCE verifier and
    # the client secret.
    server_log = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore", "uvicorn.access"))
    )
    assert "oidc: fetched 1 signing keys" in server_log  # the capture works
    for secret in (CLIENT_SECRET, code, token_request["code_verifier"][0]):
        assert secret not in server_log

    async with httpx.AsyncClient(base_url=server.base_url) as other_browser:
        again = await sign_in(other_browser, "sub-dana")
        assert again.query == {}
        assert (await me(other_browser))["id"] == user_id
    assert await count(db, "users") == 1
    assert await events(db, user_id) == ["registered", "oidc_login_succeeded"] * 1 + [
        "oidc_login_succeeded"
    ]

    # The session is an ordinary one: it refreshes like a password session.
    csrf = browser.cookies["tipchat_csrf"]
    r = await browser.post("/api/auth/refresh", headers={"x-csrf-token": csrf})
    assert r.status_code == 200 and r.json()["user"]["id"] == user_id
    # The account has no password: password login refuses it like any wrong password.
    for password in (PASSWORD, "", "x" * 12):
        r = await browser.post("/api/auth/login", json={"username": "dana", "password": password})
        assert (r.status_code, r.json()["code"]) == (401, "invalid_credentials")


async def test_a_matching_username_or_email_is_never_merged(
    alice: User, browser: httpx.AsyncClient, provider: Provider, db: asyncpg.Connection
):
    provider.set_claims("sub-mallory", preferred_username="alice", email="alice@example.com")
    assert (await sign_in(browser, "sub-mallory")).query == {}
    account = await me(browser)
    assert account["id"] != alice.id
    assert account["username"] == "alice2"
    r = await alice.http.get("/api/me")
    assert r.json()["username"] == "alice"
    assert (
        await db.fetchval("SELECT count(*) FROM user_identities WHERE user_id = $1", alice.id) == 0
    )


async def test_two_first_sign_ins_at_once_make_one_account(
    server: RunningServer, db: asyncpg.Connection
):
    async with (
        httpx.AsyncClient(base_url=server.base_url) as laptop,
        httpx.AsyncClient(base_url=server.base_url) as phone,
    ):
        callbacks = [await at_provider(await to_provider(b), "sub-twice") for b in (laptop, phone)]
        results = await asyncio.gather(laptop.get(callbacks[0]), phone.get(callbacks[1]))
        assert [landing(r).query for r in results] == [{}, {}]
        assert (await me(laptop))["id"] == (await me(phone))["id"]
    assert await count(db, "users") == 1


async def test_names_are_made_valid_and_unique(
    browser: httpx.AsyncClient, provider: Provider, server: RunningServer
):
    provider.set_claims("sub-odd", preferred_username="9 José.Smith-Jr@corp", email="x@y")
    await sign_in(browser, "sub-odd")
    assert (await me(browser))["username"] == "Jose_Smith_Jr"
    async with httpx.AsyncClient(base_url=server.base_url) as second:
        provider.set_claims("sub-nameless", email="@@")  # nothing usable: "user"
        await sign_in(second, "sub-nameless")
        assert (await me(second))["username"] == "user"


# -- linking --------------------------------------------------------------------------------


async def link(user: User, sub: str) -> Landing:
    r = await user.http.post("/api/auth/oidc/link")
    assert r.status_code == 200, r.text
    callback = await at_provider(r.json()["url"], sub)
    return landing(await user.http.get(callback))  # the same browser: it holds the cookie


async def test_linking_lets_the_provider_sign_in_to_my_account(
    bob: User, provider: Provider, server: RunningServer, db: asyncpg.Connection
):
    provider.set_claims("sub-bob", preferred_username="someone_else")
    linked = await link(bob, "sub-bob")
    assert linked.query == {"oidc_linked": "1"}
    assert await events(db, bob.id) == ["registered", "oidc_identity_linked"]
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        assert (await sign_in(browser, "sub-bob")).query == {}
        assert (await me(browser))["id"] == bob.id
    assert await events(db, bob.id) == [
        "registered",
        "oidc_identity_linked",
        "oidc_login_succeeded",
    ]
    # Linking again is a no-op.
    assert (await link(bob, "sub-bob")).query == {"oidc_linked": "1"}
    assert await count(db, "user_identities") == 1


async def test_an_identity_of_another_account_cannot_be_linked(
    bob: User, browser: httpx.AsyncClient, provider: Provider, db: asyncpg.Connection
):
    await sign_in(browser, "sub-taken")
    owner = (await me(browser))["id"]
    refused = await link(bob, "sub-taken")
    assert refused.error == "oidc_identity_taken"
    row = await db.fetchrow("SELECT user_id FROM user_identities WHERE subject = 'sub-taken'")
    assert row["user_id"] == owner
    assert await events(db, bob.id) == ["registered"]  # (with his password) and nothing since


async def test_linking_needs_a_signed_in_user_and_csrf(browser: httpx.AsyncClient, bob: User):
    r = await browser.post("/api/auth/oidc/link")
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")
    # A cookie session must echo the CSRF cookie, like every write.
    await sign_in(browser, "sub-csrf")
    r = await browser.post("/api/auth/oidc/link")
    assert (r.status_code, r.json()["code"]) == (403, "csrf_failed")
    r = await browser.post(
        "/api/auth/oidc/link", headers={"x-csrf-token": browser.cookies["tipchat_csrf"]}
    )
    assert r.status_code == 200 and r.json()["url"].startswith("http://127.0.0.1:")


# -- refusals: state, browser, provider -----------------------------------------------------


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | params
    return parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())).geturl()


async def test_a_forged_state_is_refused_and_the_real_one_still_works(
    browser: httpx.AsyncClient, db: asyncpg.Connection
):
    callback = await at_provider(await to_provider(browser), "sub-forged")
    forged = await browser.get(with_query(callback, state="forged" + "x" * 40))
    assert landing(forged).error == "oidc_state_invalid"
    assert "tipchat_access" not in browser.cookies
    assert await count(db, "users") == 0
    missing = await browser.get("/api/auth/oidc/callback?code=abc")
    assert landing(missing).error == "oidc_state_invalid"
    assert landing(await browser.get(callback)).query == {}


async def test_a_state_is_spent_once(browser: httpx.AsyncClient, server: RunningServer):
    callback = await at_provider(await to_provider(browser), "sub-replay")
    assert landing(await browser.get(callback)).query == {}
    async with httpx.AsyncClient(base_url=server.base_url, cookies=browser.cookies) as replay:
        again = landing(await replay.get(callback))
    assert again.error == "oidc_state_invalid"
    assert "set-cookie" not in again.response.headers


async def test_a_flow_finishes_only_in_the_browser_that_began_it(
    browser: httpx.AsyncClient, server: RunningServer, db: asyncpg.Connection
):
    # No cookie at all (a link sent to a victim: login CSRF).
    callback = await at_provider(await to_provider(browser), "sub-attacker")
    async with httpx.AsyncClient(base_url=server.base_url) as victim:
        assert landing(await victim.get(callback)).error == "oidc_browser_mismatch"
    # A cookie of its own (the victim has a flow of their own going).
    callback = await at_provider(await to_provider(browser), "sub-attacker")
    async with httpx.AsyncClient(base_url=server.base_url) as victim:
        await to_provider(victim)
        assert landing(await victim.get(callback)).error == "oidc_browser_mismatch"
    # The flow was spent by the attempt: the right browser cannot finish it either.
    assert landing(await browser.get(callback)).error == "oidc_state_invalid"
    assert await count(db, "users") == 0


async def test_an_expired_flow_is_refused(browser: httpx.AsyncClient, db: asyncpg.Connection):
    callback = await at_provider(await to_provider(browser), "sub-slow")
    await db.execute("UPDATE oidc_flows SET expires_at = now() - interval '1 second'")
    assert landing(await browser.get(callback)).error == "oidc_state_invalid"
    assert await count(db, "users") == 0


async def test_the_providers_errors(browser: httpx.AsyncClient, db: asyncpg.Connection):
    denied = await at_provider(await to_provider(browser), "", action="deny")
    assert parse_qs(urlsplit(denied).query)["error"] == ["access_denied"]
    assert landing(await browser.get(denied)).error == "oidc_denied"

    authorize = urlsplit(await to_provider(browser))
    state = parse_qs(authorize.query)["state"][0]
    r = await browser.get(
        "/api/auth/oidc/callback",
        params={"state": state, "error": "server_error\r\nforged log line"},
    )
    assert landing(r).error == "oidc_provider_error"
    assert await count(db, "users") == 0


async def test_a_refused_code_exchange(
    browser: httpx.AsyncClient, provider: Provider, db: asyncpg.Connection
):
    provider.tamper = "verifier"  # the provider never sees our PKCE verifier: it refuses
    assert (await sign_in(browser, "sub-pkce")).error == "oidc_code_rejected"
    assert await count(db, "users") == 0


# -- refusals: the ID token -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tamper", "code", "reason"),
    [
        ("audience", "oidc_audience_mismatch", "issued to another client"),
        ("nonce", "oidc_nonce_mismatch", "nonce does not match"),
        ("signature", "oidc_id_token_invalid", "bad signature"),
        ("alg_none", "oidc_id_token_invalid", "algorithm 'none' is not accepted"),
        ("hs256", "oidc_id_token_invalid", "algorithm 'HS256' is not accepted"),
    ],
)
async def test_an_id_token_that_fails_a_check_is_refused(
    browser: httpx.AsyncClient,
    provider: Provider,
    db: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
    tamper: str,
    code: str,
    reason: str,
):
    provider.tamper = tamper
    refused = await sign_in(browser, f"sub-{tamper}")
    assert refused.error == code
    assert reason in caplog.text  # refused for this reason, not another one
    assert "tipchat_access" not in browser.cookies
    assert await count(db, "users") == 0
    assert await count(db, "audit_events") == 0


async def test_an_expired_id_token_is_refused(start_server: ServerFactory, db: asyncpg.Connection):
    # This provider issues ID tokens that expired two minutes before they were issued
    # (beyond the one-minute leeway for clock skew).
    with run_provider(token_max_age=timedelta(minutes=-2)) as stale:
        server = start_server(**oidc_settings(stale))
        async with httpx.AsyncClient(base_url=server.base_url) as browser:
            assert (await sign_in(browser, "sub-late")).error == "oidc_id_token_expired"
    assert await count(db, "users") == 0


async def test_a_deleted_account_cannot_sign_in(
    browser: httpx.AsyncClient, server: RunningServer, db: asyncpg.Connection
):
    await sign_in(browser, "sub-gone")
    user_id = (await me(browser))["id"]
    await db.execute("UPDATE users SET deleted_at = now() WHERE id = $1", user_id)
    async with httpx.AsyncClient(base_url=server.base_url) as again:
        refused = await sign_in(again, "sub-gone")
        assert refused.error == "account_deleted"
        assert "tipchat_access" not in again.cookies
    assert await count(db, "users") == 1


# -- configuration --------------------------------------------------------------------------


async def test_without_an_issuer_nothing_is_offered(start_server: ServerFactory, alice: User):
    server = start_server()
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        assert (await browser.get("/api/auth/oidc")).json() == {"enabled": False, "name": None}
        for path in ("/api/auth/oidc/start", "/api/auth/oidc/callback?state=x&code=y"):
            assert landing(await browser.get(path)).error == "oidc_not_configured"
    async with httpx.AsyncClient(base_url=server.base_url, headers=alice.headers) as signed_in:
        r = await signed_in.post("/api/auth/oidc/link")
        assert (r.status_code, r.json()["code"]) == (404, "oidc_not_configured")


async def test_starts_are_rate_limited_per_ip(start_server: ServerFactory, provider: Provider):
    server = start_server(**oidc_settings(provider, oidc_limit_per_ip=(2, 60)))
    async with httpx.AsyncClient(base_url=server.base_url) as browser:
        await to_provider(browser)
        await to_provider(browser)
        assert landing(await browser.get("/api/auth/oidc/start")).error == "rate_limited"


async def test_a_provider_that_is_down_or_names_another_issuer(
    start_server: ServerFactory, provider: Provider, db: asyncpg.Connection
):
    down = start_server(oidc_issuer="http://127.0.0.1:9", oidc_client_id=CLIENT_ID)
    # The discovery document names the issuer without the trailing slash: not ours, exactly.
    lookalike = start_server(**oidc_settings(provider, oidc_issuer=provider.issuer + "/"))
    for server in (down, lookalike):
        async with httpx.AsyncClient(base_url=server.base_url) as browser:
            r = await browser.get("/api/auth/oidc/start")
            assert landing(r).error == "oidc_provider_unavailable"
    assert await count(db, "oidc_flows") == 0
