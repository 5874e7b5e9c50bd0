"""Redis/Valkey pub/sub between the nodes of a cluster.

Pub/sub is at-most-once: a notification can be lost (a publish while Redis is away, a
subscriber dropped for a full output buffer). That is fine here because the bus only carries
notifications and PostgreSQL holds the events: after any reconnect the node is told
(`on_reconnect`) and re-reads what it follows from storage, and a publish that failed is
retried in the background. Receivers drop duplicates by seq.

A node hands its own publishes to its local handlers at once, without the round trip, and
skips its own echo from Redis (each message carries the publishing node's id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tipchat.bus.base import Handler

log = logging.getLogger(__name__)

# Failed publishes kept for a retry; beyond this the oldest go (receivers still fill the gap
# from storage when the room's next event arrives or when they reconnect).
_MAX_UNSENT = 10_000
_RETRY_MIN_S, _RETRY_MAX_S = 0.1, 5.0


def redis_url(url: str) -> str:
    """Valkey's own URL schemes mean the same as Redis's; redis-py knows only the latter."""
    for valkey, redis_scheme in (("valkeys://", "rediss://"), ("valkey://", "redis://")):
        if url.startswith(valkey):
            return redis_scheme + url.removeprefix(valkey)
    return url


# Connections per client pool. A burst beyond this waits for a free connection (a thousand
# sockets closing at once each clear their presence) instead of failing.
_POOL_SIZE = 32


def connect_client(url: str, *, timeout_s: float) -> aioredis.Redis:
    """A Redis client whose pool queues requests when all its connections are busy; redis-py's
    default pool raises MaxConnectionsError at 100 instead. timeout_s bounds both the wait
    for a connection and each command."""
    pool = aioredis.BlockingConnectionPool.from_url(
        redis_url(url),
        max_connections=_POOL_SIZE,
        timeout=timeout_s,
        socket_connect_timeout=min(timeout_s, 2),
        socket_timeout=timeout_s,
        health_check_interval=10,  # ping a connection idle this long before using it
    )
    return aioredis.Redis.from_pool(pool)  # the client owns the pool: aclose() closes both


class RedisBus:
    def __init__(self, url: str, *, prefix: str = "tipchat:") -> None:
        self._url = redis_url(url)
        self._prefix = prefix
        self._node = secrets.token_hex(8).encode()
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)
        self._client: aioredis.Redis | None = None
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._unsent: deque[tuple[str, bytes]] = deque(maxlen=_MAX_UNSENT)
        self._flusher: asyncio.Task[None] | None = None
        # Called after the subscription connection came back: notifications may be lost.
        self.on_reconnect: Callable[[], Awaitable[None]] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def connect(self) -> None:
        self._client = connect_client(self._url, timeout_s=5)
        await self._client.ping()  # fail fast at start when Redis is misconfigured
        self._reader = asyncio.create_task(self._read_loop())

    async def disconnect(self) -> None:
        for task in (self._reader, self._flusher):
            if task is not None:
                task.cancel()
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._client is not None:
            await self._client.aclose()
        self._handlers.clear()

    # -- the Bus interface ---------------------------------------------------------------

    async def publish(self, channel: str, message: bytes) -> None:
        await self.publish_many(((channel, message),))

    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None:
        for channel, message in messages:
            self._dispatch(channel, message)
        await self._send(messages)

    async def subscribe(self, channel: str, handler: Handler) -> None:
        first = channel not in self._handlers
        self._handlers[channel].append(handler)
        if first and self._pubsub is not None:
            try:
                await self._pubsub.subscribe(self._prefix + channel)
            except RedisError:
                log.warning("subscribe to %s failed; the reconnect subscribes again", channel)

    async def unsubscribe(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel)
        if not handlers or handler not in handlers:
            return
        handlers.remove(handler)
        if not handlers:
            del self._handlers[channel]
            if self._pubsub is not None:
                with contextlib.suppress(RedisError):  # gone with the connection anyway
                    await self._pubsub.unsubscribe(self._prefix + channel)

    # -- internals -----------------------------------------------------------------------

    def _dispatch(self, channel: str, message: bytes) -> None:
        for handler in tuple(self._handlers.get(channel, ())):
            try:
                handler(message)
            except Exception:
                log.exception("bus handler failed on %s", channel)

    async def _send(self, messages: Sequence[tuple[str, bytes]]) -> None:
        assert self._client is not None
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for channel, message in messages:
                    pipe.publish(self._prefix + channel, self._node + b"|" + message)
                await pipe.execute()
        except RedisError:
            # Some may have gone out before the error: sent again, they are dropped by seq.
            self._unsent.extend(messages)
            if self._flusher is None or self._flusher.done():
                self._flusher = asyncio.create_task(self._flush_unsent())

    async def _flush_unsent(self) -> None:
        """Publish what failed, oldest first, once Redis answers again."""
        assert self._client is not None
        delay = _RETRY_MIN_S
        while self._unsent:
            channel, message = self._unsent[0]
            try:
                await self._client.publish(self._prefix + channel, self._node + b"|" + message)
            except RedisError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX_S)
                continue
            self._unsent.popleft()
            delay = _RETRY_MIN_S

    async def _read_loop(self) -> None:
        """Receive other nodes' publishes; on a lost connection, reconnect with backoff,
        subscribe everything again and tell on_reconnect."""
        assert self._client is not None
        delay, connected_before = _RETRY_MIN_S, False
        control = self._prefix + "node:" + self._node.decode()  # keeps the pubsub non-empty
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(control, *(self._prefix + c for c in self._handlers))
                self._pubsub = pubsub
                # Channels added while that subscribe was in flight saw no connection yet.
                late = [
                    self._prefix + c
                    for c in self._handlers
                    if (self._prefix + c).encode() not in pubsub.channels
                ]
                if late:
                    await pubsub.subscribe(*late)
                if connected_before and self.on_reconnect is not None:
                    log.info("bus reconnected; catching up from storage")
                    await self.on_reconnect()
                connected_before, delay = True, _RETRY_MIN_S
                async for item in pubsub.listen():
                    self._receive(item)
            except (RedisError, OSError) as exc:
                log.warning("bus connection lost (%s); reconnecting in %.1fs", exc, delay)
            finally:
                self._pubsub = None
                await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX_S)

    def _receive(self, item: dict[str, Any]) -> None:
        if item.get("type") != "message":
            return
        data: bytes = item["data"]
        node, _, message = data.partition(b"|")
        if node == self._node:
            return  # our own publish, already handed to local handlers
        channel: bytes = item["channel"]
        self._dispatch(channel.decode().removeprefix(self._prefix), message)
