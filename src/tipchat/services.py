"""What the rules need from the outside world, passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from tipchat.bus import Bus
from tipchat.config import Settings
from tipchat.presence import PresenceStore
from tipchat.ratelimit import RateLimiter
from tipchat.storage.database import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    bus: Bus
    limiter: RateLimiter
    presence: PresenceStore
