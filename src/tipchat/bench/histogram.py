"""Latency histograms with ~1% resolution that merge across processes (plain lists of ints).

Every delivery is counted (no sampling): at 100,000 deliveries per second a list of floats
would grow by 800 KB/s per process, while a histogram stays at ~1,100 counters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

_MIN_S = 1e-6  # values below 1 µs share the first bucket
_GROWTH = 1.02  # each bucket 2% wider than the last: percentiles within ±1%
_LOG_GROWTH = math.log(_GROWTH)
BUCKETS = int(math.log(1000.0 / _MIN_S) / _LOG_GROWTH) + 2  # up to 1000 s


def bucket_of(seconds: float) -> int:
    if seconds <= _MIN_S:
        return 0
    return min(BUCKETS - 1, int(math.log(seconds / _MIN_S) / _LOG_GROWTH) + 1)


def bucket_upper(index: int) -> float:
    """The upper bound of bucket index, in seconds."""
    return float(_MIN_S * _GROWTH**index)


def _bucket_mid(index: int) -> float:
    if index == 0:
        return _MIN_S
    return float(_MIN_S * _GROWTH ** (index - 0.5))


@dataclass
class Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * BUCKETS)
    count: int = 0
    total: float = 0.0
    max: float = 0.0
    negative: int = 0  # clock trouble; counted, never hidden

    def add(self, seconds: float) -> None:
        if seconds < 0:
            self.negative += 1
            seconds = 0.0
        self.counts[bucket_of(seconds)] += 1
        self.count += 1
        self.total += seconds
        if seconds > self.max:
            self.max = seconds

    def merge(self, other: Histogram) -> None:
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.count += other.count
        self.total += other.total
        self.max = max(self.max, other.max)
        self.negative += other.negative

    def percentile(self, p: float) -> float | None:
        """The p-th percentile (0-100) in seconds, None when empty."""
        if self.count == 0:
            return None
        rank = max(1, math.ceil(self.count * p / 100.0))
        seen = 0
        for index, n in enumerate(self.counts):
            seen += n
            if seen >= rank:
                return min(_bucket_mid(index), self.max)
        return self.max

    def cdf(self) -> list[tuple[float, float]]:
        """(upper bound in seconds, cumulative fraction) for each non-empty bucket."""
        if self.count == 0:
            return []
        points, seen = [], 0
        for index, n in enumerate(self.counts):
            if n:
                seen += n
                points.append((min(bucket_upper(index), max(self.max, _MIN_S)), seen / self.count))
        return points

    def summary_ms(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000.0, 3)

        return {
            "count": self.count,
            "p50": ms(self.percentile(50)),
            "p95": ms(self.percentile(95)),
            "p99": ms(self.percentile(99)),
            "max": ms(self.max if self.count else None),
            "mean": ms(self.total / self.count if self.count else None),
            "negative": self.negative,
        }

    def to_wire(self) -> dict[str, Any]:
        """A compact form for pipes and report.json: only the non-empty buckets."""
        return {
            "buckets": {i: n for i, n in enumerate(self.counts) if n},
            "count": self.count,
            "total": self.total,
            "max": self.max,
            "negative": self.negative,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Histogram:
        h = cls()
        for index, n in data["buckets"].items():
            h.counts[int(index)] = int(n)
        h.count, h.total, h.max = int(data["count"]), float(data["total"]), float(data["max"])
        h.negative = int(data.get("negative", 0))
        return h
