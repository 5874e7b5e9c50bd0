"""What the rules need from the outside world, passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from tipchat.bus import Bus
from tipchat.config import Settings
from tipchat.ratelimit import RateLimiter


@dataclass
class Services:
    settings: Settings
    db: asyncpg.Pool
    bus: Bus
    limiter: RateLimiter
