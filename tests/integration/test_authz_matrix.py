"""The authorization matrix: every HTTP route the app serves, and every WebSocket frame type,
against every kind of actor, with the outcome each must get.

Actors, around one private room: `anonymous` (no token), `non_member` (signed in, not in the
room), `member`, `admin` and `owner` of the room. An outcome is "ok" (any 2xx) or the error
code that must come back. A route (or frame type) the app serves without an entry here fails
the test, so a new route cannot ship without deciding who may call it. IDOR cases (another
room's message, another user's tip, wallet, attachment or read marker) are at the end.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from tests.conftest import TEST_SETTINGS, RunningServer, ServerFactory
from tests.helpers import PASSWORD, User, Ws, register
from tests.integration.oidc_provider import Provider, run_provider
from tipchat.app import create_app
from tipchat.config import Settings
from tipchat.realtime.frames import FRAME_TYPES

ACTORS = ("anonymous", "non_member", "member", "admin", "owner")
_names = itertools.count(1)


@dataclass
class World:
    base_url: str
    users: dict[str, User]  # non_member, member, admin, owner, victim
    room: int  # private; member, admin (promoted), owner, victim inside
    public_room: int  # for join
    # Per actor, a message by the victim (to delete or react to) and one by the actor itself.
    victim_messages: dict[str, int] = field(default_factory=dict)
    own_messages: dict[str, int] = field(default_factory=dict)

    def token(self, actor: str) -> str | None:
        return None if actor == "anonymous" else self.users[actor].token

    def user_id(self, name: str) -> int:
        return self.users[name].id


async def _send(user: User, room: int, body: str) -> int:
    r = await user.http.post(
        f"/api/rooms/{room}/messages", json={"client_msg_id": f"w{next(_names)}", "body": body}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["seq"])


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[Provider]:
    with run_provider() as provider:
        yield provider


@pytest.fixture
def server(start_server: ServerFactory, oidc_provider: Provider) -> RunningServer:
    # OIDC sign-in on, so that its routes are judged as they behave when configured.
    return start_server(oidc_issuer=oidc_provider.issuer, oidc_client_id="matrix-client")


@pytest.fixture
async def world(server) -> World:
    users = {
        name: await register(server.base_url)
        for name in ("owner", "admin", "member", "non_member", "victim")
    }
    owner = users["owner"]
    room = (await owner.http.post("/api/rooms", json={"name": "p", "kind": "private"})).json()["id"]
    public_room = (
        await owner.http.post("/api/rooms", json={"name": "pub", "kind": "public"})
    ).json()["id"]
    for name in ("admin", "member", "victim"):
        r = await owner.http.post(f"/api/rooms/{room}/members", json={"user_id": users[name].id})
        assert r.status_code == 201, r.text
    r = await owner.http.patch(
        f"/api/rooms/{room}/members/{users['admin'].id}", json={"role": "admin"}
    )
    assert r.status_code == 200, r.text
    world = World(server.base_url, users, room, public_room)
    for actor in ACTORS:
        world.victim_messages[actor] = await _send(users["victim"], room, f"for {actor}")
        if actor in ("member", "admin", "owner"):
            world.own_messages[actor] = await _send(users[actor], room, f"mine, {actor}")
    yield world
    for user in users.values():
        await user.http.aclose()


# -- the HTTP matrix ---------------------------------------------------------------------

# A request for one actor: (method, path, json body or None).
Build = Callable[[World, str], tuple[str, str, Any]]

OK = "ok"
ANY_SIGNED_IN = {"anonymous": "not_authenticated", **{a: OK for a in ACTORS[1:]}}
EVERYONE = dict.fromkeys(ACTORS, OK)
ROOM_MEMBERS = {
    "anonymous": "not_authenticated",
    "non_member": "room_not_found",
    "member": OK,
    "admin": OK,
    "owner": OK,
}
ROOM_ADMINS = {**ROOM_MEMBERS, "member": "forbidden"}
ROOM_OWNER = {**ROOM_ADMINS, "admin": "forbidden"}


def _same(method: str, path: str, body: Any = None) -> Build:
    return lambda w, actor: (method, path.format(room=w.room, pub=w.public_room), body)


def _victim_message(method: str, suffix: str = "", body: Any = None) -> Build:
    return lambda w, actor: (
        method,
        f"/api/rooms/{w.room}/messages/{w.victim_messages[actor]}{suffix}",
        body,
    )


def _own_message(method: str, body: Any = None) -> Build:
    # Outsiders aim at the victim's message: they have none of their own.
    return lambda w, actor: (
        method,
        f"/api/rooms/{w.room}/messages/{w.own_messages.get(actor, w.victim_messages[actor])}",
        body,
    )


def _member_target(method: str, body: Any = None) -> Build:
    """Aimed at the victim (a plain member)."""
    return lambda w, actor: (method, f"/api/rooms/{w.room}/members/{w.user_id('victim')}", body)


MATRIX: dict[tuple[str, str], tuple[Build, dict[str, str]]] = {
    # Accounts: open by nature; rate limits guard them (tests/integration/test_accounts.py).
    ("POST", "/api/auth/register"): (
        lambda w, a: (
            "POST",
            "/api/auth/register",
            {"username": f"new{next(_names)}", "password": PASSWORD},
        ),
        EVERYONE,
    ),
    ("POST", "/api/auth/login"): (
        lambda w, a: (
            "POST",
            "/api/auth/login",
            {"username": w.users["member"].username, "password": PASSWORD},
        ),
        EVERYONE,
    ),
    ("POST", "/api/auth/refresh"): (
        lambda w, a: (
            "POST",
            "/api/auth/refresh",
            {"refresh_token": "not-a-token" if a == "anonymous" else w.users[a].refresh_token},
        ),
        {**ANY_SIGNED_IN, "anonymous": "refresh_token_invalid"},
    ),
    ("POST", "/api/auth/logout"): (_same("POST", "/api/auth/logout"), EVERYONE),
    # OIDC sign-in (tests/integration/test_oidc.py): starting is open like a login form; the
    # callback without a flow begun in this browser refuses everyone; linking needs sign-in.
    ("GET", "/api/auth/oidc"): (_same("GET", "/api/auth/oidc"), EVERYONE),
    ("GET", "/api/auth/oidc/start"): (_same("GET", "/api/auth/oidc/start"), EVERYONE),
    ("GET", "/api/auth/oidc/callback"): (
        _same("GET", "/api/auth/oidc/callback?state=not-a-flow&code=abc"),
        dict.fromkeys(ACTORS, "oidc_state_invalid"),
    ),
    ("POST", "/api/auth/oidc/link"): (_same("POST", "/api/auth/oidc/link"), ANY_SIGNED_IN),
    ("GET", "/api/me"): (_same("GET", "/api/me"), ANY_SIGNED_IN),
    # My account: only ever my own. A wrong password shows the rule was reached without
    # changing (or deleting) the shared actors.
    ("GET", "/api/me/audit"): (_same("GET", "/api/me/audit"), ANY_SIGNED_IN),
    ("POST", "/api/me/password"): (
        _same(
            "POST",
            "/api/me/password",
            {"current_password": "wrong password here", "new_password": "a new long passphrase"},
        ),
        {**ANY_SIGNED_IN, **{a: "wrong_password" for a in ACTORS[1:]}},
    ),
    ("DELETE", "/api/me"): (
        _same("DELETE", "/api/me", {"password": "wrong password here", "messages": "keep"}),
        {**ANY_SIGNED_IN, **{a: "wrong_password" for a in ACTORS[1:]}},
    ),
    ("GET", "/api/users"): (_same("GET", "/api/users?q=us"), ANY_SIGNED_IN),
    # Rooms.
    ("GET", "/api/rooms"): (_same("GET", "/api/rooms"), ANY_SIGNED_IN),
    ("POST", "/api/rooms"): (
        _same("POST", "/api/rooms", {"name": "x", "kind": "public"}),
        ANY_SIGNED_IN,
    ),
    ("GET", "/api/rooms/public"): (_same("GET", "/api/rooms/public"), ANY_SIGNED_IN),
    ("GET", "/api/rooms/{room_id}"): (_same("GET", "/api/rooms/{room}"), ROOM_MEMBERS),
    ("PATCH", "/api/rooms/{room_id}"): (
        _same("PATCH", "/api/rooms/{room}", {"name": "renamed"}),
        ROOM_ADMINS,
    ),
    ("POST", "/api/rooms/{room_id}/join"): (
        # A private room lets no one in by joining; its members are in already (a no-op).
        _same("POST", "/api/rooms/{room}/join"),
        {**ROOM_MEMBERS},
    ),
    ("GET", "/api/rooms/{room_id}/members"): (
        _same("GET", "/api/rooms/{room}/members"),
        ROOM_MEMBERS,
    ),
    ("POST", "/api/rooms/{room_id}/members"): (
        lambda w, a: ("POST", f"/api/rooms/{w.room}/members", {"user_id": w.user_id("non_member")}),
        # Any member may invite; the first invitation lets the outsider in, and the later
        # callers pass the check and hear that they are in already.
        {**ROOM_MEMBERS, "admin": "already_member", "owner": "already_member"},
    ),
    ("PATCH", "/api/rooms/{room_id}/members/{user_id}"): (
        _member_target("PATCH", {"role": "member"}),
        ROOM_OWNER,
    ),
    ("DELETE", "/api/rooms/{room_id}/members/{user_id}"): (
        _member_target("DELETE"),
        {**ROOM_ADMINS, "owner": "user_not_found"},  # the admin removed the victim first
    ),
    ("POST", "/api/dms"): (
        lambda w, a: ("POST", "/api/dms", {"user_id": w.user_id("victim")}),
        ANY_SIGNED_IN,
    ),
    # Messages.
    ("GET", "/api/rooms/{room_id}/messages"): (
        _same("GET", "/api/rooms/{room}/messages"),
        ROOM_MEMBERS,
    ),
    ("POST", "/api/rooms/{room_id}/messages"): (
        lambda w, a: (
            "POST",
            f"/api/rooms/{w.room}/messages",
            {"client_msg_id": f"mx{next(_names)}", "body": "hello"},
        ),
        ROOM_MEMBERS,
    ),
    ("GET", "/api/rooms/{room_id}/messages/{seq}"): (_victim_message("GET"), ROOM_MEMBERS),
    ("PATCH", "/api/rooms/{room_id}/messages/{seq}"): (
        _own_message("PATCH", {"body": "edited"}),
        ROOM_MEMBERS,  # members edit their own; nobody edits another's (below, IDOR)
    ),
    ("DELETE", "/api/rooms/{room_id}/messages/{seq}"): (_victim_message("DELETE"), ROOM_ADMINS),
    ("POST", "/api/rooms/{room_id}/read"): (
        _same("POST", "/api/rooms/{room}/read", {"seq": 1}),
        ROOM_MEMBERS,
    ),
    ("PUT", "/api/rooms/{room_id}/messages/{seq}/reactions/{emoji}"): (
        _victim_message("PUT", "/reactions/%F0%9F%91%8D"),
        ROOM_MEMBERS,
    ),
    ("DELETE", "/api/rooms/{room_id}/messages/{seq}/reactions/{emoji}"): (
        _victim_message("DELETE", "/reactions/%F0%9F%91%8D"),
        ROOM_MEMBERS,
    ),
    ("GET", "/api/mentions"): (_same("GET", "/api/mentions"), ANY_SIGNED_IN),
    ("GET", "/api/search"): (_same("GET", "/api/search?q=for"), ANY_SIGNED_IN),
    ("GET", "/api/blocks"): (_same("GET", "/api/blocks"), ANY_SIGNED_IN),
    ("PUT", "/api/blocks/{user_id}"): (
        lambda w, a: ("PUT", f"/api/blocks/{w.user_id('victim')}", None),
        ANY_SIGNED_IN,
    ),
    ("DELETE", "/api/blocks/{user_id}"): (
        lambda w, a: ("DELETE", f"/api/blocks/{w.user_id('victim')}", None),
        ANY_SIGNED_IN,
    ),
    ("PUT", "/api/rooms/{room_id}/mute"): (_same("PUT", "/api/rooms/{room}/mute"), ROOM_MEMBERS),
    ("DELETE", "/api/rooms/{room_id}/mute"): (
        _same("DELETE", "/api/rooms/{room}/mute"),
        ROOM_MEMBERS,
    ),
    # Attachments: members create upload slots in their room.
    ("POST", "/api/rooms/{room_id}/attachments"): (
        _same(
            "POST",
            "/api/rooms/{room}/attachments",
            {"filename": "a.png", "content_type": "image/png", "size": 100},
        ),
        ROOM_MEMBERS,
    ),
    ("POST", "/api/rooms/{room_id}/attachments/{attachment_id}/complete"): (
        # Nobody has this attachment: members learn it does not exist, outsiders not the room.
        _same("POST", "/api/rooms/{room}/attachments/999999/complete"),
        {**ROOM_MEMBERS, **dict.fromkeys(("member", "admin", "owner"), "attachment_not_found")},
    ),
    ("GET", "/api/rooms/{room_id}/attachments/{attachment_id}"): (
        _same("GET", "/api/rooms/{room}/attachments/999999"),
        {**ROOM_MEMBERS, **dict.fromkeys(("member", "admin", "owner"), "attachment_not_found")},
    ),
    # Chains, wallets, tips (no chain is configured in the test server).
    ("GET", "/api/chains"): (_same("GET", "/api/chains"), EVERYONE),
    ("GET", "/api/wallets/nonce"): (_same("GET", "/api/wallets/nonce"), ANY_SIGNED_IN),
    ("GET", "/api/wallets"): (_same("GET", "/api/wallets"), ANY_SIGNED_IN),
    ("POST", "/api/wallets"): (
        _same("POST", "/api/wallets", {"message": "not siwe", "signature": "0x00"}),
        {**ANY_SIGNED_IN, **{a: "siwe_message_invalid" for a in ACTORS[1:]}},
    ),
    ("DELETE", "/api/wallets/{address}"): (
        _same("DELETE", "/api/wallets/0x0000000000000000000000000000000000000001"),
        {**ANY_SIGNED_IN, **{a: "wallet_not_found" for a in ACTORS[1:]}},
    ),
    ("GET", "/api/rooms/{room_id}/members/{user_id}/wallets"): (
        lambda w, a: ("GET", f"/api/rooms/{w.room}/members/{w.user_id('victim')}/wallets", None),
        ROOM_MEMBERS,
    ),
    ("POST", "/api/tips"): (
        lambda w, a: (
            "POST",
            "/api/tips",
            {
                "room_id": w.room,
                "to_user_id": w.user_id("victim"),
                "chain_id": 31337,
                "token": "0x0000000000000000000000000000000000000000",
                "amount": "1",
            },
        ),
        # No chain is configured here, and the chain is checked first: everyone signed in
        # hears that, outsiders included (it says nothing about the room). Room checks on
        # tips run against a real chain in test_tips.py.
        {**ANY_SIGNED_IN, **{a: "tip_chain_unknown" for a in ACTORS[1:]}},
    ),
    ("POST", "/api/tips/{tip_id}/tx"): (
        _same("POST", "/api/tips/999999/tx", {"tx_hash": "0x" + "ab" * 32}),
        {**ANY_SIGNED_IN, **{a: "tip_not_found" for a in ACTORS[1:]}},
    ),
    ("GET", "/api/tips/{tip_id}"): (
        _same("GET", "/api/tips/999999"),
        {**ANY_SIGNED_IN, **{a: "tip_not_found" for a in ACTORS[1:]}},
    ),
    ("GET", "/api/rooms/{room_id}/tips"): (_same("GET", "/api/rooms/{room}/tips"), ROOM_MEMBERS),
    ("POST", "/api/dev/faucet"): (
        _same("POST", "/api/dev/faucet", {"address": "0x0000000000000000000000000000000000000001"}),
        {**ANY_SIGNED_IN, **{a: "no_dev_chain" for a in ACTORS[1:]}},
    ),
    # Operations: public by design (/metrics is kept from the internet by the load balancer).
    ("GET", "/healthz"): (_same("GET", "/healthz"), EVERYONE),
    ("GET", "/readyz"): (_same("GET", "/readyz"), EVERYONE),
    ("GET", "/metrics"): (_same("GET", "/metrics"), EVERYONE),
    ("GET", "/openapi.json"): (_same("GET", "/openapi.json"), EVERYONE),
    # Local object storage: only a valid signature opens it (test_attachments*.py signs).
    ("PUT", "/api/media/{key:path}"): (
        _same("PUT", "/api/media/uploads/1/x.png?expires=1&sig=forged"),
        dict.fromkeys(ACTORS, "forbidden"),
    ),
    ("GET", "/api/media/{key:path}"): (
        _same("GET", "/api/media/uploads/1/x.png?expires=1&sig=forged"),
        dict.fromkeys(ACTORS, "forbidden"),
    ),
    # The web client's page and assets.
    ("GET", "/{path:path}"): (_same("GET", "/rooms/1"), EVERYONE),
}


def _served_routes() -> set[tuple[str, str]]:
    app = create_app(Settings(**TEST_SETTINGS))
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's included router
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute | Route) and not isinstance(route, Mount):
                for method in route.methods or ():
                    if method != "HEAD":
                        found.add((method, prefix + route.path))

    walk(app.routes, "")
    return found


def test_every_route_has_an_entry():
    missing = sorted(_served_routes() - set(MATRIX))
    assert missing == [], f"decide who may call these and add them to MATRIX: {missing}"
    stale = sorted(set(MATRIX) - _served_routes())
    assert stale == [], f"MATRIX names routes the app no longer serves: {stale}"


def _outcome(r: httpx.Response) -> str:
    if 200 <= r.status_code < 300:
        return OK
    if r.is_redirect:  # browser routes (OIDC) report refusals as /?oidc_error=<code>
        query = parse_qs(urlsplit(r.headers["location"]).query)
        return query["oidc_error"][0] if "oidc_error" in query else OK
    try:
        return str(r.json()["code"])
    except ValueError:
        return f"HTTP {r.status_code}"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
async def test_who_may_call_each_route(world: World, route: tuple[str, str]):
    build, expected = MATRIX[route]
    got = {}
    for actor in ACTORS:  # least privileged first: a refused call must change nothing
        method, path, body = build(world, actor)
        token = world.token(actor)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(base_url=world.base_url, headers=headers) as http:
            r = await http.request(method, path, json=body)
        got[actor] = _outcome(r)
    assert got == expected


# -- the WebSocket frame matrix ----------------------------------------------------------

FrameBuild = Callable[[World, str], dict[str, Any]]
FRAME_SIGNED_IN = {"anonymous": "not_authenticated", **{a: OK for a in ACTORS[1:]}}
FRAME_ROOM = {**FRAME_SIGNED_IN, "non_member": "room_not_found"}

FRAME_MATRIX: dict[str, tuple[FrameBuild, dict[str, str]]] = {
    "auth": (
        lambda w, a: {"type": "auth", "token": w.token(a) or "not-a-token"},
        {**FRAME_SIGNED_IN, "anonymous": "invalid_token"},
    ),
    "subscribe": (lambda w, a: {"type": "subscribe", "room_ids": [w.room]}, FRAME_ROOM),
    "unsubscribe": (lambda w, a: {"type": "unsubscribe", "room_ids": [w.room]}, FRAME_SIGNED_IN),
    "resume": (lambda w, a: {"type": "resume", "rooms": {str(w.room): 0}}, FRAME_ROOM),
    "send": (
        lambda w, a: {
            "type": "send",
            "room_id": w.room,
            "client_msg_id": f"f{next(_names)}",
            "body": "over the socket",
        },
        FRAME_ROOM,
    ),
    "typing": (lambda w, a: {"type": "typing", "room_id": w.room}, FRAME_ROOM),
    "read": (lambda w, a: {"type": "read", "room_id": w.room, "seq": 1}, FRAME_ROOM),
    "presence": (lambda w, a: {"type": "presence", "status": "away"}, FRAME_SIGNED_IN),
    "ping": (lambda w, a: {"type": "ping"}, FRAME_SIGNED_IN),
}


def test_every_frame_type_has_an_entry():
    assert set(FRAME_MATRIX) == set(FRAME_TYPES)


async def _frame_outcome(world: World, actor: str, frame: dict[str, Any]) -> str:
    ws = await Ws.connect(world.base_url.replace("http", "ws") + "/ws", world.token(actor))
    try:
        await ws.send({**frame, "id": "probe"})
        if actor != "anonymous":  # frames with no reply on success: a pong ends the wait
            await ws.send({"type": "ping", "id": "done"})
        while True:  # frames are handled in order: a probe's error comes before the pong
            reply = await ws.recv()
            if reply["type"] == "error" and (actor == "anonymous" or reply.get("id") == "probe"):
                return str(reply["code"])
            if reply.get("id") == "done":
                return OK
    finally:
        await ws.close()


@pytest.mark.parametrize("frame_type", sorted(FRAME_MATRIX))
async def test_who_may_send_each_frame(world: World, frame_type: str):
    build, expected = FRAME_MATRIX[frame_type]
    got = {actor: await _frame_outcome(world, actor, build(world, actor)) for actor in ACTORS}
    assert got == expected


# -- IDOR: ids that exist, but elsewhere ---------------------------------------------------


async def test_ids_from_another_room_or_user_lead_nowhere(world: World):
    owner, member = world.users["owner"], world.users["member"]
    # A message that exists only in the public room (the member is not in it)...
    for n in range(20):  # more than the private room holds
        await _send(owner, world.public_room, f"public {n}")
    beyond = (await owner.http.get(f"/api/rooms/{world.public_room}/messages")).json()
    far_seq = max(m["seq"] for m in beyond["messages"])
    mine = (await member.http.get(f"/api/rooms/{world.room}/messages")).json()["messages"]
    assert far_seq > max(m["seq"] for m in mine)
    # ...is not reachable through the member's own room, nor by its own id in the other room.
    r = await member.http.get(f"/api/rooms/{world.room}/messages/{far_seq}")
    assert (r.status_code, r.json()["code"]) == (404, "message_not_found")
    r = await member.http.get(f"/api/rooms/{world.public_room}/messages/{far_seq}")
    assert (r.status_code, r.json()["code"]) == (403, "not_a_member")

    # Another room's attachment through my room.
    slot = await owner.http.post(
        f"/api/rooms/{world.public_room}/attachments",
        json={"filename": "a.png", "content_type": "image/png", "size": 100},
    )
    assert slot.status_code == 201, slot.text
    other_id = slot.json()["id"]
    r = await member.http.get(f"/api/rooms/{world.room}/attachments/{other_id}")
    assert (r.status_code, r.json()["code"]) == (404, "attachment_not_found")
    r = await member.http.post(f"/api/rooms/{world.room}/attachments/{other_id}/complete")
    assert (r.status_code, r.json()["code"]) == (404, "attachment_not_found")

    # Someone else's message: admins may delete it, nobody may edit it.
    victims = world.victim_messages
    for actor in ("member", "admin", "owner"):
        r = await world.users[actor].http.patch(
            f"/api/rooms/{world.room}/messages/{victims[actor]}", json={"body": "mine now"}
        )
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), actor
    # Read markers of a room I am not in.
    r = await world.users["non_member"].http.post(f"/api/rooms/{world.room}/read", json={"seq": 1})
    assert (r.status_code, r.json()["code"]) == (404, "room_not_found")
