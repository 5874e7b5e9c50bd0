"""One benchmark run, phase by phase; returns the raw results that tipchat.bench.figures reads.

    storage -> ceilings -> nodes -> users, rooms, members -> connect -> send -> drain -> stop

Every wait is bounded, and the processes it started are stopped on every path out.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from tipchat.bench import ceilings
from tipchat.bench.cluster import Cluster
from tipchat.bench.config import BenchConfig
from tipchat.bench.load import raise_fd_limit
from tipchat.bench.plan import Plan, make_plan
from tipchat.bench.population import Population, populate
from tipchat.bench.progress import ProgressLine
from tipchat.bench.sampler import Sampler, Snapshot, Target, machine_info
from tipchat.bench.workers import WorkerPool

SETTLE_S = 1.0  # after the last socket subscribed, before the idle RSS is read
START_DELAY_S = 0.5  # workers get t_start this far ahead, so they start together


def _worker_specs(
    config: BenchConfig, plan: Plan, pop: Population, cluster: Cluster
) -> list[dict[str, Any]]:
    rooms_of = plan.rooms_of()
    big = [pop.room_ids[r.index] for r in plan.rooms if r.big]
    specs = []
    life = config.seconds + config.drain_timeout + 600 + plan.clients * 0.05
    for w in range(plan.workers):
        mine = [i for i in range(plan.clients) if plan.worker_of(i) == w]
        members: dict[int, list[int]] = {}
        for i in mine:
            for r in rooms_of[i]:
                members.setdefault(pop.room_ids[r], []).append(i)
        specs.append(
            {
                "mode": "chat",
                "index": w,
                "clients": [
                    {
                        "i": i,
                        "url": cluster.nodes[plan.node_of(i)].ws_url,
                        "token": pop.accounts[i].token,
                        "rooms": [pop.room_ids[r] for r in rooms_of[i]],
                    }
                    for i in mine
                ],
                "room_members": members,
                "big_rooms": big,
                "rate": config.rate / plan.workers,
                "big_share": config.effective_big_share,
                "body_bytes": config.body_bytes,
                "max_life_s": life,
            }
        )
    return specs


def _expected(pool: WorkerPool, subs: dict[int, int]) -> int:
    acked: dict[int, int] = {}
    for tick in pool.ticks.values():
        for room, n in tick.get("room_acked", {}).items():
            acked[int(room)] = acked.get(int(room), 0) + int(n)
    return sum(n * subs.get(room, 0) for room, n in acked.items())


def _info(pool: WorkerPool, started: float) -> str:
    return (
        f"conns {pool.total('open')}  sent {pool.total('sent')}  acked {pool.total('acked')}"
        f"  delivered {pool.total('delivered')}  ({time.monotonic() - started:.0f}s)"
    )


async def _ceilings(
    config: BenchConfig, cluster: Cluster, progress: ProgressLine
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    seconds = config.ceiling_seconds
    progress.phase("ceiling: postgres", info=f"{seconds:g}s, {config.ceiling_pg_connections} conns")
    found["postgres"] = await ceilings.postgres(
        cluster.db_url,
        seconds=seconds,
        connections=config.ceiling_pg_connections,
        rooms=config.ceiling_pg_rooms,
        body_bytes=config.body_bytes,
    )
    if cluster.bus_url:
        progress.phase("ceiling: redis pub/sub", info=f"{seconds:g}s")
        found["redis"] = await ceilings.redis(
            cluster.bus_url, seconds=seconds, payload_bytes=300 + config.body_bytes
        )
    progress.phase("ceiling: ws broadcast", info=f"{config.ws_ceiling_clients} clients")
    found["ws_broadcast"] = await ceilings.ws_broadcast(
        cluster, clients=config.ws_ceiling_clients, seconds=seconds, workers=config.worker_count
    )
    return found


async def _load(
    config: BenchConfig,
    plan: Plan,
    pop: Population,
    cluster: Cluster,
    progress: ProgressLine,
    raw: dict[str, Any],
) -> None:
    pool = WorkerPool(_worker_specs(config, plan, pop, cluster))
    sampler = Sampler(cluster.sample_targets())
    snaps: dict[str, Snapshot] = {"base": sampler.snapshot()}
    sampling: asyncio.Task[None] | None = None
    try:
        pool.start()
        sampler.targets += [Target(f"load-{i}", pid) for i, pid in enumerate(pool.pids)]
        snaps["base"] = sampler.snapshot()
        progress.phase("connect", total=plan.clients)
        started = time.monotonic()
        waiting = asyncio.ensure_future(pool.connected(within_s=120 + plan.clients * 0.05))
        while not waiting.done():
            progress.update(completed=pool.total("open"), info=_info(pool, started))
            await asyncio.wait({waiting}, timeout=0.25)
        infos = waiting.result()
        raw["connect_s"] = time.monotonic() - started
        raw["connected"] = infos
        await asyncio.sleep(SETTLE_S)
        snaps["idle"] = sampler.snapshot()

        sampling = asyncio.create_task(sampler.run(0.5))
        t_start = time.monotonic() + START_DELAY_S
        t_end = t_start + config.seconds
        raw["t_start"] = t_start
        pool.go(t_start, t_end)
        progress.phase("send", total=config.seconds)
        await asyncio.sleep(START_DELAY_S)
        snaps["start"] = sampler.snapshot()
        while (now := time.monotonic()) < t_end:
            progress.update(completed=now - t_start, info=_info(pool, t_start))
            await asyncio.sleep(min(0.25, max(0.0, t_end - now)))
        snaps["end"] = sampler.snapshot()

        # Drain: until every ack came back and every expected delivery arrived, or time out.
        subs: dict[int, int] = {}
        for info in infos:
            for room, n in info["room_subs"].items():
                subs[int(room)] = subs.get(int(room), 0) + int(n)
        progress.phase("drain", total=config.drain_timeout)
        drain_start, last, still_since = time.monotonic(), -1, time.monotonic()
        while (waited := time.monotonic() - drain_start) < config.drain_timeout:
            delivered = pool.total("delivered")
            if delivered != last:
                last, still_since = delivered, time.monotonic()
            complete = pool.total("pending") == 0 and delivered >= _expected(pool, subs)
            if complete or time.monotonic() - still_since > 2.0:
                break
            progress.update(completed=waited, info=_info(pool, t_start))
            await asyncio.sleep(0.25)
        raw["drain_s"] = time.monotonic() - drain_start
        progress.phase("close", info="closing sockets")
        raw["results"] = await pool.results(within_s=120)
        raw["room_subs"] = subs
    finally:
        if sampling is not None:
            sampling.cancel()
            await asyncio.gather(sampling, return_exceptions=True)
        await pool.stop()
    raw["snapshots"] = snaps
    raw["samples"] = sampler.samples


async def run(config: BenchConfig) -> dict[str, Any]:
    """Run the benchmark; the raw results (tipchat.bench.figures turns them into a report)."""
    raise_fd_limit()
    config.out.mkdir(parents=True, exist_ok=True)
    plan = make_plan(config)
    raw: dict[str, Any] = {
        "config": config,
        "plan": plan,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
    }
    cluster = Cluster(
        nodes_wanted=config.nodes,
        use_redis=config.uses_redis,
        database_url=config.database_url,
        redis_url=config.redis_url,
        log_dir=config.out,
    )
    run_started = time.monotonic()
    with ProgressLine(config.progress) as progress:
        try:
            progress.phase("start storage")
            await cluster.start_storage()
            raw["ceilings"] = await _ceilings(config, cluster, progress) if config.ceilings else {}
            progress.phase("start nodes", info=f"{config.nodes} node(s)")
            await cluster.start_nodes()
            raw["node_pids"] = [node.pid for node in cluster.nodes]
            pop = await populate(
                plan,
                cluster,
                accounts_mode=config.accounts,
                concurrency=config.setup_concurrency,
                progress=progress.setup,
            )
            raw["setup"] = pop.timings
            raw["room_ids"] = pop.room_ids
            raw["node_urls"] = [node.ws_url for node in cluster.nodes]
            await _load(config, plan, pop, cluster, progress, raw)
            raw["node_exits"] = cluster.node_exits()
        finally:
            progress.phase("stop", info="stopping nodes and storage")
            raw["versions"] = _versions()
            await cluster.stop()
    raw["run_s"] = time.monotonic() - run_started
    return raw


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in (
        "tipchat",
        "uvicorn",
        "websockets",
        "fastapi",
        "asyncpg",
        "redis",
        "uvloop",
        "orjson",
    ):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    return found
