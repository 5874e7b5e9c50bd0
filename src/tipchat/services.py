"""What the rules need from the outside world, passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tipchat.bus import Bus
from tipchat.config import Settings
from tipchat.presence import PresenceStore
from tipchat.ratelimit import RateLimiter
from tipchat.storage.database import Database
from tipchat.storage.objects import ObjectStore

if TYPE_CHECKING:
    from tipchat.auth.oidc import OidcClient
    from tipchat.auth.sessions import RevokedSessions
    from tipchat.chat.sending import SendBatcher


@dataclass
class Services:
    settings: Settings
    db: Database
    bus: Bus
    limiter: RateLimiter
    presence: PresenceStore
    # Set by the app right after construction: the batcher needs the finished Services.
    sends: SendBatcher = field(init=False)
    # Attachments' object storage (storage.objects): a local directory or an S3 bucket.
    objects: ObjectStore = field(init=False)
    # Sessions signed out before their access tokens expire (auth.sessions), on app nodes.
    revoked: RevokedSessions = field(init=False)
    # Sign-in with an OIDC provider (auth.oidc); None while TIPCHAT_OIDC_ISSUER is unset.
    oidc: OidcClient | None = None
