"""A budget of frames per socket: a token bucket, so a burst is fine and a flood is not.

A socket over its budget gets `rate_limited` (with `retry_after`) for each frame it sends too
soon, and nothing of those frames is done; a socket that keeps flooding is closed with 1008.
Every socket is read in turn, so one flooding socket delays the others by its own budget's
worth of frames, not by its whole flood.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class FrameBudget:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate, self._burst, self._clock = rate, float(burst), clock
        self._tokens, self._at = float(burst), clock()
        self.refused_in_a_row = 0

    def take(self) -> float:
        """0.0 when the frame may be handled now, else the seconds until one may."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens > 1.0 - 1e-9:  # refills are float sums: 0.1 s x 10/s is 0.999...
            self._tokens = max(0.0, self._tokens - 1.0)
            self.refused_in_a_row = 0
            return 0.0
        self.refused_in_a_row += 1
        return (1.0 - self._tokens) / self._rate
