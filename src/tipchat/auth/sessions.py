"""Sessions that end before their access tokens do.

Access tokens are stateless JWTs that live about 15 minutes. When a session ends early (sign
out, a reused refresh token, a password change, a deleted account), every node must stop
honouring its access tokens at once and close its sockets. Each node keeps the ids of the
sessions revoked within the last access-token lifetime in memory, so the check costs a set
lookup per request and no round trip: loaded from PostgreSQL at start, kept current over the
bus (channel `sessions:revoked`).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable

import asyncpg
import orjson

from tipchat.auth import tokens
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import tokens as token_store

log = logging.getLogger(__name__)

CHANNEL = "sessions:revoked"
# Told of each revocation on this node: (user id, session ids). The gateway closes sockets.
Listener = Callable[[int, list[str]], None]


class RevokedSessions:
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._until: dict[str, float] = {}
        self.listeners: list[Listener] = []

    def add(self, user_id: int, session_ids: Iterable[str]) -> None:
        now = self._clock()
        if len(self._until) > 1000:  # forget what no live token can carry any more
            self._until = {sid: t for sid, t in self._until.items() if t > now}
        ids = list(session_ids)
        for sid in ids:
            self._until[sid] = now + self._ttl_s
        for listener in self.listeners:
            listener(user_id, ids)

    def __contains__(self, session_id: object) -> bool:
        until = self._until.get(str(session_id))
        return until is not None and until > self._clock()

    def on_message(self, data: bytes) -> None:
        """The bus handler: a revocation made on any node (this one included)."""
        try:
            message = orjson.loads(data)
            self.add(int(message["user_id"]), [str(s) for s in message["session_ids"]])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("ignored a malformed session revocation")


def decode_live(svc: Services, token: str) -> tokens.AccessClaims:
    """An access token's claims, if it verifies (current or previous key) and its session
    has not ended: the one check of REST requests and socket authentication."""
    claims = tokens.decode_access_token(
        token, secret=svc.settings.jwt_secret, previous=svc.settings.jwt_previous_secrets
    )
    if claims.session_id in svc.revoked:
        raise TipchatError(Code.session_revoked, "this session was signed out; sign in again")
    return claims


async def start(svc: Services) -> None:
    """Load the recent revocations and follow new ones; at app start."""
    async with svc.db.acquire() as conn:
        recent = await token_store.recently_revoked(
            conn=conn, within_s=svc.settings.access_token_ttl_s
        )
    for user_id, family in recent:
        svc.revoked.add(user_id, [str(family)])
    await svc.bus.subscribe(CHANNEL, svc.revoked.on_message)


async def publish(svc: Services, *, user_id: int, families: Iterable[uuid.UUID]) -> None:
    """Tell every node (after the revocation committed) to refuse these sessions now."""
    ids = [str(f) for f in families]
    if ids:
        await svc.bus.publish(CHANNEL, orjson.dumps({"user_id": user_id, "session_ids": ids}))


async def revoke_all(
    conn: asyncpg.Connection, *, user_id: int, keep: str | None = None
) -> list[uuid.UUID]:
    """Revoke every session of user_id but `keep` (in conn's transaction); publish the
    returned families once it commits."""
    return await token_store.revoke_user_families(
        conn=conn, user_id=user_id, keep=uuid.UUID(keep) if keep else None
    )
