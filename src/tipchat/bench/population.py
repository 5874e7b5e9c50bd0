"""Users, rooms and memberships of a run, made through the REST API of the nodes.

Accounts come one of two ways:
- "rest": POST /api/auth/register on the client's node. Each costs one Argon2id hash
  (t=3, m=64 MiB: ~0.2 s of CPU on this machine), so 1,000 users take minutes.
- "seeded": rows inserted with tipchat.storage.users.insert_user (one shared hash) and access
  tokens minted with the JWT secret the benchmark gave its nodes. Rooms and memberships
  still go through REST in both modes.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import asyncpg
import httpx

from tipchat.bench.cluster import TOKEN_TTL_S, Cluster
from tipchat.bench.plan import Plan

PASSWORD = "bench passphrase, long enough 42"  # noqa: S105 - throwaway test users
_RETRIES = 5
Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass(frozen=True)
class Account:
    user_id: int
    username: str
    token: str


@dataclass
class Population:
    accounts: list[Account]
    room_ids: list[int]  # by plan room index
    timings: dict[str, float]  # seconds per setup phase


class SetupError(RuntimeError):
    pass


async def _call(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    token: str | None = None,
    json: dict[str, Any] | None = None,
    ok: Sequence[int] = (200, 201),
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    last = ""
    for attempt in range(_RETRIES):
        try:
            r = await http.request(method, path, json=json, headers=headers)
        except httpx.TransportError as exc:
            last = repr(exc)
        else:
            if r.status_code in ok:
                body: dict[str, Any] = r.json()
                return body
            if r.status_code not in (429, 503):
                raise SetupError(f"{method} {path}: {r.status_code} {r.text[:200]}")
            last = f"{r.status_code} {r.text[:200]}"
        await asyncio.sleep(0.2 * (attempt + 1))
    raise SetupError(f"{method} {path} failed {_RETRIES} times: {last}")


async def _bounded(
    jobs: Sequence[Callable[[], Awaitable[Any]]], limit: int, phase: str, progress: Progress
) -> list[Any]:
    sem = asyncio.Semaphore(limit)
    done = 0

    async def run(job: Callable[[], Awaitable[Any]]) -> Any:
        nonlocal done
        async with sem:
            result = await job()
        done += 1
        progress(phase, done, len(jobs))
        return result

    return list(await asyncio.gather(*(run(job) for job in jobs)))


async def _register(http: httpx.AsyncClient, username: str) -> Account:
    body = await _call(
        http,
        "POST",
        "/api/auth/register",
        json={"username": username, "password": PASSWORD},
        ok=(201,),
    )
    return Account(int(body["user"]["id"]), username, str(body["access_token"]))


async def _seed(cluster: Cluster, usernames: list[str], progress: Progress) -> list[Account]:
    from tipchat.auth.passwords import hash_password
    from tipchat.auth.tokens import issue_access_token
    from tipchat.storage.users import insert_user

    password_hash = await hash_password(PASSWORD)
    accounts = []
    conn = await asyncpg.connect(cluster.db_url, timeout=30)
    try:
        for start in range(0, len(usernames), 500):
            async with conn.transaction():
                for username in usernames[start : start + 500]:
                    user_id = await insert_user(
                        conn=conn, username=username, password_hash=password_hash
                    )
                    if user_id is None:
                        raise SetupError(f"username {username} is taken")
                    token, _ = issue_access_token(
                        secret=cluster.jwt_secret,
                        user_id=user_id,
                        username=username,
                        session_id=str(uuid.uuid4()),
                        ttl_s=TOKEN_TTL_S,
                    )
                    accounts.append(Account(user_id, username, token))
            progress("seed users", len(accounts), len(usernames))
    finally:
        await conn.close()
    return accounts


async def populate(
    plan: Plan, cluster: Cluster, *, accounts_mode: str, concurrency: int, progress: Progress
) -> Population:
    prefix = "b" + secrets.token_hex(3)  # unique per run: a given database may hold others
    usernames = [f"{prefix}_{i}" for i in range(plan.clients)]
    timings: dict[str, float] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = [
        httpx.AsyncClient(base_url=node.url, timeout=60, limits=limits) for node in cluster.nodes
    ]
    try:
        started = time.perf_counter()
        if accounts_mode == "seeded":
            accounts = await _seed(cluster, usernames, progress)
        else:
            accounts = await _bounded(
                [
                    partial(_register, clients[plan.node_of(i)], usernames[i])
                    for i in range(plan.clients)
                ],
                concurrency,
                "register users",
                progress,
            )
        timings["accounts_s"] = time.perf_counter() - started

        started = time.perf_counter()

        async def create(room_index: int) -> int:
            room = plan.rooms[room_index]
            owner = room.members[0]
            body = await _call(
                clients[plan.node_of(owner)],
                "POST",
                "/api/rooms",
                token=accounts[owner].token,
                json={"name": room.name, "kind": "public"},
                ok=(201,),
            )
            return int(body["id"])

        room_ids = await _bounded(
            [partial(create, r) for r in range(len(plan.rooms))],
            concurrency,
            "create rooms",
            progress,
        )
        timings["rooms_s"] = time.perf_counter() - started

        started = time.perf_counter()
        joins = [(member, room.index) for room in plan.rooms for member in room.members[1:]]

        async def join(member: int, room_index: int) -> None:
            await _call(
                clients[plan.node_of(member)],
                "POST",
                f"/api/rooms/{room_ids[room_index]}/join",
                token=accounts[member].token,
            )

        await _bounded(
            [partial(join, m, r) for m, r in joins],
            concurrency,
            "join rooms",
            progress,
        )
        timings["joins_s"] = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    return Population(accounts=accounts, room_ids=room_ids, timings=timings)
