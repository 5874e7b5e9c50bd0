"""Room feeds: this node's view of each room that has local subscribers.

A feed turns bus notifications into a gap-free, in-order stream. Notifications can arrive out
of order (two senders commit seq 7 and 8; 8's publish runs first) or not at all (a lost bus
message); the feed holds what is early, and if the missing seq does not arrive within
`gap_fill_delay_s` it reads it from the event log, which is always complete.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson

from tipchat import metrics
from tipchat.bus import Bus
from tipchat.chat.events import EPHEMERAL_TYPES, room_channel, user_channel

if TYPE_CHECKING:
    from tipchat.realtime.connection import Connection

log = logging.getLogger(__name__)

# Reads a room's state from storage: last_seq(room_id), events_after(room_id, seq, limit).
LastSeq = Callable[[int], Awaitable[int]]
EventsAfter = Callable[[int, int, int], Awaitable[list[tuple[int, str]]]]

_GAP_READ_LIMIT = 500
_GAP_RETRY_MAX_S = 5.0


class RoomFeed:
    def __init__(self, hub: Hub, room_id: int) -> None:
        self.hub = hub
        self.room_id = room_id
        self.subscribers: set[Connection] = set()
        self.delivered = 0  # last seq handed to subscribers
        self.ready = asyncio.get_running_loop().create_future()
        self._early: dict[int, tuple[str, dict[str, Any]]] = {}
        self._gap_task: asyncio.Task[None] | None = None

    def on_message(self, data: bytes) -> None:
        frame = orjson.loads(data)
        text = data.decode()
        if frame.get("type") in EPHEMERAL_TYPES:  # no order to keep
            for conn in tuple(self.subscribers):
                conn.deliver_ephemeral(self.room_id, text)
            return
        seq = frame["seq"]
        if seq <= self.delivered:
            return
        self._early[seq] = (text, frame)
        if self.ready.done():
            self._drain()

    def start(self, last_seq: int) -> None:
        self.delivered = last_seq
        self._early = {s: v for s, v in self._early.items() if s > last_seq}
        self.ready.set_result(None)
        self._drain()

    def _drain(self) -> None:
        while (nxt := self._early.pop(self.delivered + 1, None)) is not None:
            self.delivered += 1
            self._hand_on(self.delivered, *nxt)
        if self._early and self._gap_task is None:
            self._gap_task = asyncio.create_task(self._fill_gap())

    def _hand_on(self, seq: int, text: str, frame: dict[str, Any]) -> None:
        for conn in tuple(self.subscribers):
            conn.deliver_event(self.room_id, seq, text, frame)

    async def _fill_gap(self) -> None:
        """Read the missing seqs from storage until the early events connect again. Storage
        being down delays delivery (retried with backoff); it never skips a seq."""
        delay = self.hub.gap_fill_delay_s
        await asyncio.sleep(delay)
        while self._early and (self.delivered + 1) not in self._early:
            missing = min(self._early) - self.delivered - 1
            try:
                rows = await self.hub.events_after(
                    self.room_id, self.delivered, min(missing, _GAP_READ_LIMIT)
                )
            except Exception:
                log.exception("room %s: reading a gap from storage failed", self.room_id)
                rows = []
            if not rows:  # not readable yet (or storage is down): wait longer each time
                delay = min(delay * 2, _GAP_RETRY_MAX_S)
                await asyncio.sleep(delay)
                continue
            metrics.gap_fills.inc()
            for seq, text in rows:
                if seq == self.delivered + 1:
                    self._early.pop(seq, None)
                    self.delivered = seq
                    self._hand_on(seq, text, orjson.loads(text))
        self._gap_task = None
        self._drain()  # hands on what now connects; a further gap starts a new fill

    async def catch_up(self) -> None:
        """Hand on every stored event after `delivered` (the bus may have lost some)."""
        while True:
            rows = await self.hub.events_after(self.room_id, self.delivered, _GAP_READ_LIMIT)
            for seq, text in rows:
                if seq == self.delivered + 1:
                    self._early.pop(seq, None)
                    self.delivered = seq
                    self._hand_on(seq, text, orjson.loads(text))
            if len(rows) < _GAP_READ_LIMIT:
                break
        self._drain()

    def close(self) -> None:
        if self._gap_task is not None:
            self._gap_task.cancel()


class Hub:
    def __init__(
        self, *, bus: Bus, last_seq: LastSeq, events_after: EventsAfter, gap_fill_delay_s: float
    ) -> None:
        self.bus = bus
        self.last_seq = last_seq
        self.events_after = events_after
        self.gap_fill_delay_s = gap_fill_delay_s
        self.feeds: dict[int, RoomFeed] = {}
        self._users: dict[int, tuple[set[Connection], Callable[[bytes], None]]] = {}

    async def resync(self) -> None:
        """After the bus reconnected: notifications sent meanwhile are lost, so every feed
        reads what it missed from storage."""
        for feed in list(self.feeds.values()):
            if feed.ready.done() and not feed.ready.exception():
                try:
                    await feed.catch_up()
                except Exception:
                    log.exception("room %s: catching up from storage failed", feed.room_id)

    async def attach(self, conn: Connection, room_id: int) -> RoomFeed:
        """Add conn to the room's feed and return the feed once it knows the room's position."""
        feed = self.feeds.get(room_id)
        created = feed is None
        if feed is None:
            feed = self.feeds[room_id] = RoomFeed(self, room_id)
        feed.subscribers.add(conn)
        if created:
            await self._open(feed)
        try:
            await asyncio.shield(feed.ready)
        except BaseException:
            feed.subscribers.discard(conn)
            raise
        return feed

    async def _open(self, feed: RoomFeed) -> None:
        # Bus first, then storage: an event committed in between is both in last_seq and on
        # the bus, and the feed drops the copy it has already counted.
        channel = room_channel(feed.room_id)
        try:
            await self.bus.subscribe(channel, feed.on_message)
            feed.start(await self.last_seq(feed.room_id))
        except Exception as exc:
            if self.feeds.get(feed.room_id) is feed:
                del self.feeds[feed.room_id]
            await self.bus.unsubscribe(channel, feed.on_message)
            feed.ready.set_exception(exc)

    async def detach(self, conn: Connection, room_id: int) -> None:
        feed = self.feeds.get(room_id)
        if feed is None:
            return
        feed.subscribers.discard(conn)
        if not feed.subscribers:
            del self.feeds[room_id]
            feed.close()
            await self.bus.unsubscribe(room_channel(room_id), feed.on_message)

    async def attach_user(self, conn: Connection) -> None:
        """Personal notifications (being added to or removed from a room) for conn's user."""
        entry = self._users.get(conn.user_id)
        if entry is None:
            conns: set[Connection] = set()

            def handler(data: bytes) -> None:
                text, frame = data.decode(), orjson.loads(data)
                for each in tuple(conns):
                    each.deliver_personal(text, frame)

            entry = self._users[conn.user_id] = (conns, handler)
            await self.bus.subscribe(user_channel(conn.user_id), handler)
        entry[0].add(conn)

    async def detach_user(self, conn: Connection) -> None:
        entry = self._users.get(conn.user_id)
        if entry is None:
            return
        conns, handler = entry
        conns.discard(conn)
        if not conns:
            del self._users[conn.user_id]
            await self.bus.unsubscribe(user_channel(conn.user_id), handler)
