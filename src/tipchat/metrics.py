"""Prometheus metrics, process-wide (one app per process in production)."""

import gc
import logging
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector


class HotCounter(Collector):
    """A counter for the hottest path, one increment per frame per socket: a plain int that
    Prometheus reads when it scrapes. prometheus_client's Counter takes a lock on every
    inc(), which cost a node 15% of its CPU at 30,000 deliveries/s (docs/scaling.md)."""

    def __init__(self, name: str, documentation: str) -> None:
        self.value = 0
        self._name, self._documentation = name, documentation
        REGISTRY.register(self)

    def inc(self, amount: int = 1) -> None:
        self.value += amount

    def collect(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(self._name, self._documentation, value=self.value)


open_sockets = Gauge("tipchat_open_sockets", "WebSocket connections currently open")
events_committed = Counter(
    "tipchat_events_committed_total", "Room events committed to PostgreSQL", ["type"]
)
deliveries = HotCounter("tipchat_deliveries", "Room event frames queued to sockets")
slow_consumer_closes = Counter(
    "tipchat_slow_consumer_closes_total", "Sockets closed with 4008 after their queue overflowed"
)
gap_fills = Counter("tipchat_gap_fills_total", "Room event gaps filled from storage")
send_to_ack = Histogram(
    "tipchat_send_to_ack_seconds",
    "Time from receiving a send to queueing its ack (includes the commit)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
send_batch_seconds = Histogram(
    "tipchat_send_batch_seconds",
    "Time to write one batch of sends: checks, inserts and COMMIT",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
send_batch_size = Histogram(
    "tipchat_send_batch_size",
    "Sends written per group commit (chat/sending.py)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
gc_pause = Histogram(
    "tipchat_gc_pause_seconds",
    "Pauses of Python's cyclic garbage collector (the event loop stands still meanwhile)",
    ["generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
_GC_PAUSE_LOGGED_S = 0.05


def watch_gc() -> None:
    """Time every garbage collection (idempotent): a long one stalls every socket at once."""
    if _on_gc in gc.callbacks:
        return
    gc.callbacks.append(_on_gc)


_gc_started = 0.0


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
        return
    pause = time.perf_counter() - _gc_started
    gc_pause.labels(str(info["generation"])).observe(pause)
    if pause > _GC_PAUSE_LOGGED_S:
        logging.getLogger(__name__).warning(
            "gc pause %.0f ms (generation %d, %d collected)",
            pause * 1000,
            info["generation"],
            info["collected"],
        )
