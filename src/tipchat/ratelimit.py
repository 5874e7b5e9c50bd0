"""Fixed-window rate limits keyed by strings ("login:ip:1.2.3.4").

In-process on a single node; a cluster counts in Redis (the same `hit`), so a limit holds
however requests are spread over the nodes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


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


# One round trip: count the attempt, start the window on the first one, report its time left.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
"""


class RedisRateLimiter:
    """The same fixed windows, counted in Redis so every node of a cluster shares them.

    While Redis is unreachable the limits fall back to this node's own counters: limits stay
    on (per node) and chat keeps working."""

    def __init__(self, url: str, *, prefix: str = "tipchat:") -> None:
        from tipchat.bus.redis import connect_client

        self._client = connect_client(url, timeout_s=1)
        self._prefix = prefix + "rl:"
        self._fallback = InMemoryRateLimiter()

    async def hit(self, key: str, limit: int, window_s: int) -> float | None:
        from redis.exceptions import RedisError

        try:
            count, ttl_ms = await self._client.eval(_HIT, 1, self._prefix + key, window_s * 1000)
        except (RedisError, OSError):
            log.warning("rate limits: Redis unreachable, counting on this node only")
            return await self._fallback.hit(key, limit, window_s)
        if int(count) > limit:
            return max(0.001, int(ttl_ms) / 1000)
        return None

    async def close(self) -> None:
        await self._client.aclose()
