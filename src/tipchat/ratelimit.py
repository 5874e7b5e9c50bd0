"""Fixed-window rate limits keyed by strings ("login:ip:1.2.3.4").

In-process here; a cluster swaps in a Redis implementation of the same `hit` method.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: int) -> float | None:
        """Count one attempt; return None if allowed, else seconds until the window resets."""
        ...


class InMemoryRateLimiter:
    # Sweep expired windows once the table holds this many keys, so an attacker spraying
    # usernames cannot grow memory without bound.
    _SWEEP_AT = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, limit: int, window_s: int) -> float | None:
        now = self._clock()
        if len(self._windows) >= self._SWEEP_AT:
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        reset_at, count = self._windows.get(key, (0.0, 0))
        if reset_at <= now:
            reset_at, count = now + window_s, 0
        if count >= limit:
            return max(0.001, reset_at - now)
        self._windows[key] = (reset_at, count + 1)
        return None


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
