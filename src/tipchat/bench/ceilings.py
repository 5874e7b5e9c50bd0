"""This machine's ceilings, measured in the same run as the benchmark (short and bounded):

- PostgreSQL: transactions of the same shape as a tipchat send (take the room's next seq with
  an UPDATE ... RETURNING, insert the event row, insert the message row), on its own tables
  in a schema of its own, against the same server;
- Redis pub/sub through redis-py asyncio, publishes pipelined by 100, one subscriber counting;
- a bare WebSocket broadcast with the same server library (tipchat.bench.bare_ws), received
  by the same client code and processes as the benchmark's.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from typing import Any

import asyncpg
import httpx

from tipchat.bench.bare_ws import FRAME_BYTES
from tipchat.bench.cluster import Cluster
from tipchat.bench.histogram import Histogram
from tipchat.bench.sampler import Sampler, Target, cpu_percent
from tipchat.bench.workers import WorkerPool

_SCHEMA_SQL = """
CREATE SCHEMA {s};
CREATE TABLE {s}.rooms (
    id bigint PRIMARY KEY, last_seq bigint NOT NULL DEFAULT 0,
    last_event_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE {s}.room_events (
    room_id bigint NOT NULL REFERENCES {s}.rooms (id), seq bigint NOT NULL, type text NOT NULL,
    payload json NOT NULL, target_seq bigint, created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, seq));
CREATE TABLE {s}.messages (
    room_id bigint NOT NULL, seq bigint NOT NULL, sender_id bigint NOT NULL,
    client_msg_id text NOT NULL, kind text NOT NULL DEFAULT 'text', body text, reply_to bigint,
    created_at timestamptz NOT NULL DEFAULT now(), edited_at timestamptz, deleted_at timestamptz,
    PRIMARY KEY (room_id, seq),
    FOREIGN KEY (room_id, seq) REFERENCES {s}.room_events (room_id, seq),
    UNIQUE (sender_id, client_msg_id));
"""


async def postgres(
    url: str, *, seconds: float, connections: int, rooms: int, body_bytes: int
) -> dict[str, Any]:
    schema = f"bench_ceiling_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(url, timeout=30)
    pool: asyncpg.Pool | None = None
    try:
        for statement in _SCHEMA_SQL.format(s=schema).split(";\n"):
            if statement.strip():
                await admin.execute(statement)
        await admin.execute(f"INSERT INTO {schema}.rooms (id) SELECT generate_series(1, $1)", rooms)
        pool = await asyncpg.create_pool(url, min_size=connections, max_size=connections)
        # The schema name is ours (hex digits); every value is a $n parameter.
        take_seq = (
            f"UPDATE {schema}.rooms SET last_seq = last_seq + 1,"  # noqa: S608
            " last_event_at = now() WHERE id = $1 RETURNING last_seq, now()"
        )
        add_event = (
            f"INSERT INTO {schema}.room_events (room_id, seq, type, payload)"  # noqa: S608
            " VALUES ($1, $2, 'message', $3)"
        )
        add_message = (
            f"INSERT INTO {schema}.messages (room_id, seq, sender_id, client_msg_id,"  # noqa: S608
            " body, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (sender_id, client_msg_id) DO NOTHING"
        )
        latency = Histogram()
        body = "x" * body_bytes
        end = time.monotonic() + seconds
        done = 0

        async def writer(w: int) -> None:
            nonlocal done
            rng = random.Random(w)
            n = 0
            assert pool is not None
            async with pool.acquire() as conn:
                while time.monotonic() < end:
                    room, n = rng.randint(1, rooms), n + 1
                    started = time.monotonic()
                    async with conn.transaction():
                        seq, now = await conn.fetchrow(take_seq, room)
                        payload = (
                            f'{{"type":"message","room_id":{room},"seq":{seq},'
                            f'"message":{{"body":"{body}"}}}}'
                        )
                        await conn.execute(add_event, room, seq, payload)
                        await conn.execute(add_message, room, seq, w, f"c{n}", body, now)
                    latency.add(time.monotonic() - started)
                    done += 1

        started = time.monotonic()
        await asyncio.gather(*(writer(w) for w in range(connections)))
        elapsed = time.monotonic() - started
        return {
            "what": "transactions of UPDATE rooms.last_seq RETURNING + INSERT room_events"
            " + INSERT messages, random room",
            "connections": connections,
            "rooms": rooms,
            "seconds": round(elapsed, 2),
            "transactions": done,
            "rows_per_s": round(done / elapsed, 1),
            "txn_ms": latency.summary_ms(),
            "server_version": await admin.fetchval("SHOW server_version"),
        }
    finally:
        if pool is not None:
            await pool.close()
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


async def redis(
    url: str, *, seconds: float, payload_bytes: int, batch: int = 100
) -> dict[str, Any]:
    import redis.asyncio as aioredis

    for valkey, scheme in (("valkeys://", "rediss://"), ("valkey://", "redis://")):
        if url.startswith(valkey):  # redis-py knows only the redis schemes
            url = scheme + url.removeprefix(valkey)
    channel = f"bench-ceiling-{secrets.token_hex(4)}"
    publisher = aioredis.from_url(url)
    subscriber = aioredis.from_url(url)
    pubsub = subscriber.pubsub()
    received = 0
    window_end = float("inf")
    try:
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=5)  # the subscribe confirmation

        async def read() -> None:
            nonlocal received
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if (
                    message is not None
                    and message["type"] == "message"
                    and time.monotonic() < window_end
                ):
                    received += 1

        reader = asyncio.create_task(read())
        payload = b"x" * payload_bytes
        published = 0
        started = time.monotonic()
        window_end = started + seconds
        while time.monotonic() < window_end:
            pipe = publisher.pipeline(transaction=False)
            for _ in range(batch):
                pipe.publish(channel, payload)
            await pipe.execute()
            published += batch
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.2)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        info = await publisher.info("server")
        return {
            "what": f"PUBLISH pipelined x{batch} ({payload_bytes}-byte payload), one subscriber",
            "seconds": round(elapsed, 2),
            "published_per_s": round(published / elapsed, 1),
            "received_per_s": round(received / seconds, 1),
            "server": f"{'valkey' if 'valkey_version' in info else 'redis'} "
            f"{info.get('valkey_version') or info.get('redis_version')}",
        }
    finally:
        await pubsub.aclose()
        await subscriber.aclose()
        await publisher.aclose()


async def ws_broadcast(
    cluster: Cluster, *, clients: int, seconds: float, workers: int
) -> dict[str, Any]:
    bare = await cluster.start_bare_ws()
    specs = [
        {
            "mode": "listen",
            "index": w,
            "clients": [{"i": i, "url": bare.ws_url} for i in range(w, clients, workers)],
            "max_life_s": seconds + 180,
        }
        for w in range(workers)
    ]
    pool = WorkerPool(specs)
    try:
        pool.start()
        infos = await pool.connected(120)
        sampler = Sampler(
            [
                Target("bare-ws", bare.pid),
                *(Target(f"load-{i}", p) for i, p in enumerate(pool.pids)),
            ]
        )
        async with httpx.AsyncClient(base_url=bare.url, timeout=10) as http:
            (await http.get("/start", params={"seconds": seconds + 1.0})).raise_for_status()
        t_start = time.monotonic() + 0.5  # the first half second is warm-up
        t_end = t_start + seconds
        pool.go(t_start, t_end)
        await asyncio.sleep(t_start - time.monotonic())
        before = sampler.snapshot()
        await asyncio.sleep(t_end - time.monotonic())
        after = sampler.snapshot()
        results = await pool.results(60)
    finally:
        await pool.stop()
        await cluster.stop_bare_ws()
    delivered = sum(int(r["counters"].get("delivered", 0)) for r in results)
    cpu = cpu_percent(before, after)
    return {
        "what": f"uvicorn websockets-sansio, one {FRAME_BYTES}-byte frame to every client,"
        " round after round",
        "clients": sum(int(i["open"]) for i in infos),
        "seconds": seconds,
        "deliveries_per_s": round(delivered / seconds, 1),
        "server_cpu_percent": cpu.get("bare-ws"),
        "load_cpu_percent": round(sum(v for k, v in cpu.items() if k.startswith("load-")), 1),
        "outside_cpu_percent": cpu.get("outside this benchmark"),
    }
