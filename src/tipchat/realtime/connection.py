"""One WebSocket: a bounded send queue drained by a single writer task.

Nothing that publishes ever awaits a socket: the hub calls `deliver_*`, which only appends to
the queue. A socket whose queue overflows is a slow consumer: it is closed with 4008 and its
client resumes from its last seq, while everyone else carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.websockets import WebSocket

from tipchat import metrics

log = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1001
CLOSE_AUTH = 4001  # not authenticated, token invalid or expired
CLOSE_SLOW_CONSUMER = 4008
CLOSE_POLICY = 1008  # flooding past the frame budget, or too many sockets for one user

# How long a close may wait for a stalled socket to take the close frame before giving up.
_CLOSE_TIMEOUT_S = 5.0


@dataclass
class RoomState:
    """Where this socket is in one room's event stream."""

    last_seq: int = 0
    # While a resume replays from storage, live events wait here (then dedupe by seq).
    replaying: bool = True
    backlog: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str = ""


class Connection:
    def __init__(
        self,
        ws: WebSocket,
        *,
        user_id: int,
        username: str,
        queue_size: int,
        backlog_limit: int | None = None,
        on_room_lost: Callable[[Connection, int], None] | None = None,
        socket_id: str | None = None,
        session_id: str | None = None,
    ) -> None:
        self.ws = ws
        self.user_id = user_id
        self.username = username
        self.rooms: dict[int, RoomState] = {}
        # Called when a room stops reaching this socket from the inside (our own removal).
        self.on_room_lost = on_room_lost
        self._removed_at: dict[int, int] = {}  # room id -> seq of our removal event
        self.closing = False
        self.close_code: int | None = None
        self._queue: asyncio.Queue[str | _Close] = asyncio.Queue(maxsize=queue_size)
        self._queue_size = queue_size
        # Live events held while this socket replays a room (default: one queue's worth).
        self._backlog_limit = backlog_limit or queue_size
        # A replay waits until the queue is down to a quarter before it adds another page.
        self._low_watermark = queue_size // 4
        self._has_room = asyncio.Event()
        self.expiry: asyncio.TimerHandle | None = None  # when the access token runs out
        self.socket_id = socket_id or secrets.token_hex(8)  # this socket's presence entry
        self.session_id = session_id  # the sign-in it was authenticated under
        self.presence = "online"
        self.typing_sent: dict[int, float] = {}  # room id -> when we last passed typing on
        self._writer: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[Any] | None = None

    # -- producing -----------------------------------------------------------------------

    def send(self, frame: dict[str, Any]) -> None:
        self._put(orjson.dumps(frame, option=orjson.OPT_UTC_Z).decode())

    def _put(self, text: str) -> None:
        if self.closing:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self._overflow()

    def deliver_event(self, room_id: int, seq: int, text: str, frame: dict[str, Any]) -> None:
        """A room event, in seq order, from the room's feed."""
        state = self.rooms.get(room_id)
        if state is None:
            return
        if state.replaying:
            state.backlog.append((seq, text, frame))
            if len(state.backlog) > self._backlog_limit:
                self._overflow()
            return
        self._forward(room_id, state, seq, text, frame)

    def _forward(
        self, room_id: int, state: RoomState, seq: int, text: str, frame: dict[str, Any]
    ) -> None:
        if seq <= state.last_seq:
            return  # already sent (replay and live overlap)
        state.last_seq = seq
        self._put(text)
        metrics.deliveries.inc()
        if self._removes_me(frame):
            # Nothing after our own removal may reach us.
            self.rooms.pop(room_id, None)
            self._removed_at[room_id] = seq
            if self.on_room_lost is not None:
                self.on_room_lost(self, room_id)

    def deliver_replayed(self, room_id: int, seq: int, text: str) -> None:
        """An event read from storage during a resume (live events wait in the backlog)."""
        state = self.rooms.get(room_id)
        if state is not None:
            self._forward(room_id, state, seq, text, orjson.loads(text))

    def finish_replay(self, room_id: int) -> None:
        state = self.rooms.get(room_id)
        if state is None:
            return
        state.replaying = False
        backlog, state.backlog = state.backlog, []
        for seq, text, frame in backlog:
            if room_id not in self.rooms:
                break
            self._forward(room_id, state, seq, text, frame)

    def deliver_ephemeral(self, room_id: int, text: str) -> None:
        state = self.rooms.get(room_id)
        if state is not None and not state.replaying:
            self._put(text)

    def deliver_personal(self, text: str, frame: dict[str, Any]) -> None:
        """A membership change about this user, sent to their own channel so a socket that is
        not subscribed to the room still learns of it (e.g. "you were added to room 12")."""
        room_id, seq = frame.get("room_id", 0), frame.get("seq")
        if room_id in self.rooms or (seq is not None and self._removed_at.get(room_id) == seq):
            return  # the room's own feed brings (or brought) it
        self._put(text)

    async def wait_for_room(self, timeout_s: float) -> bool:
        """Wait until the writer has drained the queue to a quarter. A long replay adds its
        pages this way, so it never overflows the queue it shares with live frames; a client
        that does not read within timeout_s is a slow consumer (closed with 4008)."""
        while not self.closing:
            self._has_room.clear()
            if self._queue.qsize() <= self._low_watermark:
                return True
            try:
                await asyncio.wait_for(self._has_room.wait(), timeout_s)
            except TimeoutError:
                self._overflow()
        return False

    def _removes_me(self, frame: dict[str, Any]) -> bool:
        return (
            frame.get("type") == "member"
            and frame.get("action") in ("left", "removed")
            and frame.get("user", {}).get("id") == self.user_id
        )

    # -- closing -------------------------------------------------------------------------

    def _overflow(self) -> None:
        if self.closing:
            return
        log.info("slow consumer: closing socket of user %s", self.user_id)
        metrics.slow_consumer_closes.inc()
        self.abort(CLOSE_SLOW_CONSUMER, "send queue overflow; resume from your last seq")

    def abort(self, code: int, reason: str) -> None:
        """Close now, dropping whatever is still queued (the client resumes from storage)."""
        if self.closing:
            return
        self.closing = True
        self.close_code = code
        if self._writer is not None:
            self._writer.cancel()
        asyncio.get_running_loop().create_task(self._close_now(code, reason))

    def close_after_queue(self, code: int, reason: str = "") -> None:
        """Close once every frame queued so far is sent (graceful: acks are not dropped)."""
        if self.closing:
            return
        try:
            self._queue.put_nowait(_Close(code, reason))
        except asyncio.QueueFull:
            self.abort(code, reason)
            return
        self.closing = True
        self.close_code = code

    async def _close_now(self, code: int, reason: str) -> None:
        try:
            await asyncio.wait_for(self.ws.close(code, reason), _CLOSE_TIMEOUT_S)
        except (TimeoutError, RuntimeError, OSError):
            # The peer is not reading; stop serving it. The transport is closed by the server
            # once the handler returns.
            if self._reader is not None:
                self._reader.cancel()
        except Exception:
            log.debug("close of a socket failed", exc_info=True)

    # -- the writer ----------------------------------------------------------------------

    def start_writer(self) -> None:
        self._reader = asyncio.current_task()
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def _write_loop(self) -> None:
        send = self.ws.send
        try:
            while True:
                item = await self._queue.get()
                if isinstance(item, _Close):
                    await self.ws.close(item.code, item.reason)
                    return
                await send({"type": "websocket.send", "text": item})
                if self._queue.qsize() <= self._low_watermark:
                    self._has_room.set()
        except asyncio.CancelledError:
            raise
        except Exception:
            # The peer went away; the reader sees the disconnect and cleans up.
            log.debug("socket write failed", exc_info=True)
            self.closing = True
            self._has_room.set()

    async def stop_writer(self) -> None:
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
