"""Who is online: one entry per open socket, each with an expiry.

A user is `online` if any of their sockets says so, else `away` if any says that, else
`offline`. Entries expire unless their socket refreshes them, so the users of a node that dies
go offline by themselves. In-process on one node; a cluster keeps the entries in Redis
(`RedisPresenceStore`), so every node sees every node's sockets.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from typing import Protocol

STATUSES = ("online", "away", "offline")  # best first


def _best(statuses: Iterable[str]) -> str:
    found = set(statuses)
    return next((s for s in STATUSES if s in found), "offline")


class PresenceStore(Protocol):
    async def put(self, user_id: int, socket_id: str, status: str, ttl_s: float) -> None: ...

    async def remove(self, user_id: int, socket_id: str) -> None: ...

    async def claim(self, user_id: int, socket_id: str, *, limit: int, ttl_s: float) -> bool:
        """Hold a place for socket_id if the user has fewer than limit live sockets, in one
        step (two nodes cannot both take the last place); False when at the limit. The place
        says `offline` until the socket sets its status, so that change is still announced."""
        ...

    async def status(self, user_ids: list[int]) -> dict[int, str]: ...

    async def reap_dead_nodes(self) -> list[int]:
        """The users who had sockets on nodes that stopped refreshing (died), each such node
        claimed by exactly one caller; [] on a single node."""
        ...


class InMemoryPresenceStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[int, dict[str, tuple[str, float]]] = {}

    async def put(self, user_id: int, socket_id: str, status: str, ttl_s: float) -> None:
        self._entries.setdefault(user_id, {})[socket_id] = (status, self._clock() + ttl_s)

    async def claim(self, user_id: int, socket_id: str, *, limit: int, ttl_s: float) -> bool:
        now = self._clock()
        live = sum(1 for _, expires in self._entries.get(user_id, {}).values() if expires > now)
        if live >= limit:
            return False
        await self.put(user_id, socket_id, "offline", ttl_s)
        return True

    async def remove(self, user_id: int, socket_id: str) -> None:
        sockets = self._entries.get(user_id, {})
        sockets.pop(socket_id, None)
        if not sockets:
            self._entries.pop(user_id, None)

    async def reap_dead_nodes(self) -> list[int]:
        return []  # one node: when it dies, so do its watchers

    async def status(self, user_ids: list[int]) -> dict[int, str]:
        now = self._clock()
        return {
            uid: _best(s for s, expires in self._entries.get(uid, {}).values() if expires > now)
            for uid in user_ids
        }


# KEYS[1] the user's hash; ARGV: now (ms), limit, socket id, entry, ttl (ms). Counts the
# live entries and adds one only below the limit, atomically (a script runs alone).
_CLAIM = """
local live = 0
for _, value in ipairs(redis.call('HVALS', KEYS[1])) do
    local expires = tonumber(string.match(value, '|(%d+)$'))
    if expires and expires > tonumber(ARGV[1]) then live = live + 1 end
end
if live >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisPresenceStore:
    """A hash per user: socket id -> "status|expiry (ms since epoch)". The hash itself expires
    with its newest entry, so users of a dead node leave nothing behind.

    So that their watchers also hear that they went offline, each node keeps the set of users
    it holds sockets of, and a registry of nodes says until when each is alive (every put
    extends it past the entry it writes). A node whose time ran out died; the first node to
    claim it (HDEL, which only one caller wins) gets its users to announce."""

    def __init__(self, url: str, *, prefix: str = "tipchat:") -> None:
        from tipchat.bus.redis import connect_client

        self._client = connect_client(url, timeout_s=2)
        self._prefix = prefix + "presence:"
        self._nodes = prefix + "presence-nodes"  # node id -> alive until (ms since epoch)
        self._node = secrets.token_hex(8)
        self._claim = self._client.register_script(_CLAIM)

    def _users_of(self, node: str) -> str:
        return f"{self._prefix}node:{node}"

    async def put(self, user_id: int, socket_id: str, status: str, ttl_s: float) -> None:
        key = f"{self._prefix}{user_id}"
        ttl_ms = int(ttl_s * 1000)
        expires = int(time.time() * 1000) + ttl_ms
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.hset(key, socket_id, f"{status}|{expires}")
            pipe.pexpire(key, ttl_ms)
            pipe.sadd(self._users_of(self._node), user_id)
            pipe.pexpire(self._users_of(self._node), 3 * ttl_ms)  # gone if nobody reaps it
            pipe.hset(self._nodes, self._node, expires)
            await pipe.execute()

    async def reap_dead_nodes(self) -> list[int]:
        now = time.time() * 1000
        users: list[int] = []
        for key, alive_until in (await self._client.hgetall(self._nodes)).items():
            node = key.decode() if isinstance(key, bytes) else str(key)
            if int(alive_until) > now or node == self._node:
                continue
            # A node that refreshed between the read and this claim loses its user set too;
            # its next refresh (every third of the TTL) writes it again.
            if await self._client.hdel(self._nodes, node) == 1:
                members = await self._client.smembers(self._users_of(node))
                await self._client.delete(self._users_of(node))
                users += (int(m) for m in members)
        return users

    async def claim(self, user_id: int, socket_id: str, *, limit: int, ttl_s: float) -> bool:
        key = f"{self._prefix}{user_id}"
        now = int(time.time() * 1000)
        ttl_ms = int(ttl_s * 1000)
        entry = f"offline|{now + ttl_ms}"
        if not await self._claim(keys=[key], args=[now, limit, socket_id, entry, ttl_ms]):
            return False
        await self.put(user_id, socket_id, "offline", ttl_s)  # and the node's bookkeeping
        return True

    async def remove(self, user_id: int, socket_id: str) -> None:
        await self._client.hdel(f"{self._prefix}{user_id}", socket_id)

    async def status(self, user_ids: list[int]) -> dict[int, str]:
        now = time.time() * 1000
        async with self._client.pipeline(transaction=False) as pipe:
            for uid in user_ids:
                pipe.hvals(f"{self._prefix}{uid}")
            rows = await pipe.execute()
        result = {}
        for uid, values in zip(user_ids, rows, strict=True):
            live = []
            for value in values:
                status, _, expires = value.decode().partition("|")
                if int(expires) > now:
                    live.append(status)
            result[uid] = _best(live)
        return result

    async def close(self) -> None:
        await self._client.aclose()
