"""Prometheus metrics, process-wide (one app per process in production)."""

from collections.abc import Iterator

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
send_batch_size = Histogram(
    "tipchat_send_batch_size",
    "Sends written per group commit (chat/sending.py)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
