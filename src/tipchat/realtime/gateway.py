"""The /ws endpoint: origin check, authentication, the frame loop, graceful drain."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from tipchat import metrics
from tipchat.auth import sessions, tokens
from tipchat.chat import access
from tipchat.chat import messages as chat_messages
from tipchat.chat import presence as chat_presence
from tipchat.chat.events import publish_ephemeral
from tipchat.chat.rooms import Actor
from tipchat.errors import Code, TipchatError, storage_unavailable
from tipchat.realtime import frames
from tipchat.realtime.connection import (
    CLOSE_AUTH,
    CLOSE_GOING_AWAY,
    CLOSE_POLICY,
    Connection,
    RoomState,
)
from tipchat.realtime.hub import Hub
from tipchat.realtime.throttle import FrameBudget
from tipchat.services import Services
from tipchat.storage import events as event_store
from tipchat.storage.database import is_connection_error

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
# One socket may follow this many rooms; more is a client bug or an attack.
MAX_ROOMS_PER_SOCKET = 2000
# A client must take each page of a replay within this time, or it is a slow consumer.
REPLAY_DRAIN_TIMEOUT_S = 10.0
# Typing notices from one socket to one room are passed on at most this often.
TYPING_INTERVAL_S = 2.0


def origin_allowed(ws: WebSocket, allowed: list[str]) -> bool:
    """Browsers always send Origin; it must be this server or a configured origin.
    Non-browser clients send none and authenticate with a token, which a page cannot steal."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    if origin in allowed:
        return True
    return urlsplit(origin).netloc.lower() == ws.headers.get("host", "").lower()


def _correlation(frame: frames.ClientFrame | None) -> dict[str, Any]:
    """What an error frame carries so the client knows which of its frames failed."""
    if frame is None:
        return {}
    if isinstance(frame, frames.Send):
        return {"id": frame.id, "room_id": frame.room_id, "client_msg_id": frame.client_msg_id}
    return {"id": frame.id}


class Gateway:
    def __init__(self, svc: Services, hub: Hub) -> None:
        self.svc = svc
        self.hub = hub
        self.connections: set[Connection] = set()
        self._sockets_of: Counter[int] = Counter()  # user id -> open sockets on this node
        self.draining = False
        self._busy: set[Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        svc.revoked.listeners.append(self._sessions_revoked)

    # -- lifecycle -----------------------------------------------------------------------

    async def serve(self, ws: WebSocket) -> None:
        settings = self.svc.settings
        if not origin_allowed(ws, settings.allowed_origins):
            await ws.send_denial_response(
                JSONResponse(
                    {"code": Code.origin_not_allowed.value, "message": "origin not allowed"}, 403
                )
            )
            return
        if self.draining:
            await ws.send_denial_response(
                JSONResponse(
                    {"code": Code.unavailable.value, "message": "server shutting down"},
                    503,
                    headers={"Retry-After": "1"},
                )
            )
            return
        await ws.accept()
        claims = await self._authenticate(ws)
        if claims is None:
            return
        if self.draining:  # the drain began while this socket was authenticating
            await ws.close(CLOSE_GOING_AWAY, "server shutting down")
            return
        limit = settings.ws_max_sockets_per_user
        socket_id = secrets.token_hex(8)
        if self._sockets_of[claims.user_id] >= limit or not await self._claim_socket(
            claims.user_id, socket_id, limit
        ):
            await ws.send_json(
                {
                    "type": "error",
                    "code": Code.too_many_sockets.value,
                    "message": f"at most {limit} open sockets per user; close one first",
                }
            )
            await ws.close(CLOSE_POLICY, Code.too_many_sockets.value)
            return
        conn = Connection(
            ws,
            user_id=claims.user_id,
            username=claims.username,
            queue_size=settings.ws_send_queue,
            backlog_limit=settings.ws_send_queue + settings.ws_replay_bound,
            on_room_lost=self._room_lost,
            socket_id=socket_id,
            session_id=claims.session_id,
        )
        conn.start_writer()
        self.connections.add(conn)
        self._sockets_of[conn.user_id] += 1
        metrics.open_sockets.inc()
        self._expire_at(conn, claims)
        try:
            await self.hub.attach_user(conn)
            await self._presence(conn, "online")
            conn.send(
                {
                    "type": "ready",
                    "protocol": PROTOCOL_VERSION,
                    "user": {"id": claims.user_id, "username": claims.username},
                    "expires_at": claims.expires_at,
                    "limits": {
                        "max_frame_bytes": settings.ws_max_frame_bytes,
                        "max_body_chars": chat_messages.MAX_BODY,
                        "replay_bound": settings.ws_replay_bound,
                    },
                }
            )
            await self._read_loop(conn)
        except asyncio.CancelledError:
            if not conn.closing:
                raise  # not our own abort of a stalled socket
        finally:
            if conn.expiry is not None:
                conn.expiry.cancel()
            self.connections.discard(conn)
            self._sockets_of[conn.user_id] -= 1
            if not self._sockets_of[conn.user_id]:
                del self._sockets_of[conn.user_id]
            metrics.open_sockets.dec()
            await conn.stop_writer()
            for room_id in list(conn.rooms):
                await self.hub.detach(conn, room_id)
            await self.hub.detach_user(conn)
            await self._presence(conn, None)

    async def _claim_socket(self, user_id: int, socket_id: str, limit: int) -> bool:
        """Count this socket against the user's limit across the cluster (presence entries
        are per socket on every node). Fails open: with Redis away the per-node limit holds."""
        try:
            return await self.svc.presence.claim(
                user_id, socket_id, limit=limit, ttl_s=self.svc.settings.presence_ttl_s
            )
        except Exception:
            log.warning("socket limit of user %s not checked cluster-wide", user_id, exc_info=True)
            return True

    def _sessions_revoked(self, user_id: int, session_ids: list[str]) -> None:
        """Signed out elsewhere (or the account deleted): close those sessions' sockets."""
        revoked = set(session_ids)
        for conn in list(self.connections):
            if conn.user_id == user_id and conn.session_id in revoked:
                conn.send(
                    {
                        "type": "error",
                        "code": Code.session_revoked.value,
                        "message": "this session was signed out",
                    }
                )
                conn.close_after_queue(CLOSE_AUTH, Code.session_revoked.value)

    async def _presence(self, conn: Connection, status: str | None) -> None:
        """Record this socket as online/away (None: gone). Presence is a courtesy: a failure
        (Redis away) is logged and never fails the socket."""
        actor = Actor(conn.user_id, conn.username)
        try:
            if status is None:
                await chat_presence.do_clear_presence(
                    self.svc, actor=actor, socket_id=conn.socket_id
                )
            else:
                conn.presence = status
                await chat_presence.do_set_presence(
                    self.svc, actor=actor, socket_id=conn.socket_id, status=status
                )
        except Exception:
            log.warning("presence of user %s not recorded", conn.user_id, exc_info=True)

    async def refresh_presence(self) -> None:
        """Keep this node's sockets' presence entries alive; runs every third of their TTL."""
        while True:
            await asyncio.sleep(self.svc.settings.presence_ttl_s / 3)
            for conn in list(self.connections):
                try:
                    await chat_presence.do_refresh_presence(
                        self.svc,
                        actor=Actor(conn.user_id, conn.username),
                        socket_id=conn.socket_id,
                        status=conn.presence,
                    )
                except Exception:
                    log.warning("presence refresh failed", exc_info=True)
                    break  # the next round tries again
            try:
                await chat_presence.do_sweep_dead_nodes(self.svc)
            except Exception:
                log.warning("sweeping dead nodes' presence failed", exc_info=True)

    def _room_lost(self, conn: Connection, room_id: int) -> None:
        task = asyncio.get_running_loop().create_task(self.hub.detach(conn, room_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout_s: float) -> None:
        """Graceful shutdown: refuse new sockets, let in-flight frames finish (their acks are
        sent), then close every socket with 1001 so clients reconnect to another node."""
        self.draining = True
        for conn in list(self.connections):
            if conn not in self._busy:
                conn.close_after_queue(CLOSE_GOING_AWAY, "server shutting down")
        deadline = time.monotonic() + timeout_s
        while self.connections and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    # -- authentication ------------------------------------------------------------------

    def _decode(self, token: str) -> tokens.AccessClaims:
        return sessions.decode_live(self.svc, token)

    async def _authenticate(self, ws: WebSocket) -> tokens.AccessClaims | None:
        """The session cookie, or else a first frame {"type": "auth", "token": ...}."""
        cookie = ws.cookies.get(tokens.ACCESS_COOKIE)
        if cookie:
            try:
                return self._decode(cookie)
            except TipchatError:
                pass  # a stale cookie: the client can still authenticate with a frame
        deadline = time.monotonic() + self.svc.settings.ws_auth_timeout_s
        while True:
            try:
                message = await asyncio.wait_for(
                    ws.receive(), max(0.0, deadline - time.monotonic())
                )
            except TimeoutError:
                await self._refuse(ws, Code.not_authenticated, "authenticate within the time limit")
                return None
            if message["type"] == "websocket.disconnect":
                return None
            try:
                frame = frames.parse(self._text_of(message))
                if not isinstance(frame, frames.Auth):
                    raise TipchatError(
                        Code.not_authenticated,
                        "send an auth frame first",
                        id=getattr(frame, "id", None),
                    )
                return self._decode(frame.token)
            except TipchatError as exc:
                if exc.code in (Code.invalid_token, Code.token_expired, Code.session_revoked):
                    await self._refuse(ws, exc.code, exc.message)
                    return None
                await ws.send_json({"type": "error", **exc.to_dict()})

    async def _refuse(self, ws: WebSocket, code: Code, message: str) -> None:
        await ws.send_json({"type": "error", "code": code.value, "message": message})
        await ws.close(CLOSE_AUTH, code.value)

    def _expire_at(self, conn: Connection, claims: tokens.AccessClaims) -> None:
        """A socket lives as long as its access token; a fresh auth frame extends it."""

        def expire() -> None:
            conn.send(
                {
                    "type": "error",
                    "code": Code.token_expired.value,
                    "message": "access token expired; reconnect with a fresh one",
                }
            )
            conn.close_after_queue(CLOSE_AUTH, Code.token_expired.value)

        if conn.expiry is not None:
            conn.expiry.cancel()
        delay = max(0.0, claims.expires_at - time.time())
        conn.expiry = asyncio.get_running_loop().call_later(delay, expire)

    def _text_of(self, message: Any) -> str:
        text = message.get("text")
        if text is None:
            raise TipchatError(Code.invalid_frame, "frames are JSON text, not binary")
        # len() counts characters; only a long string can be over the byte limit.
        limit = self.svc.settings.ws_max_frame_bytes
        if len(text) * 4 > limit and len(text.encode()) > limit:
            raise TipchatError(Code.frame_too_large, f"frames are at most {limit} bytes")
        return str(text)

    # -- the frame loop ------------------------------------------------------------------

    async def _read_loop(self, conn: Connection) -> None:
        settings = self.svc.settings
        budget = FrameBudget(settings.ws_frames_per_s, settings.ws_frame_burst)
        while True:
            message = await conn.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if conn.closing:
                continue
            self._busy.add(conn)
            frame: frames.ClientFrame | None = None
            try:
                wait = budget.take()  # every frame counts, valid or not
                if wait:
                    self._over_budget(conn, budget)
                frame = frames.parse(self._text_of(message))
                if wait:
                    raise TipchatError(
                        Code.rate_limited,
                        "too many frames; slow down",
                        retry_after=round(wait, 3),
                    )
                await self._dispatch(conn, frame)
            except TipchatError as exc:
                conn.send({"type": "error", **_correlation(frame), **exc.to_dict()})
            except Exception as exc:
                if is_connection_error(exc):
                    error = storage_unavailable()
                else:
                    log.exception("frame handler failed")
                    error = TipchatError(Code.internal_error, "internal error")
                conn.send({"type": "error", **_correlation(frame), **error.to_dict()})
            finally:
                self._busy.discard(conn)
            if self.draining:
                conn.close_after_queue(CLOSE_GOING_AWAY, "server shutting down")
            # Let the other sockets' frames in: a client's buffered flood would otherwise be
            # read without ever giving the loop back when its frames need no I/O.
            await asyncio.sleep(0)

    def _over_budget(self, conn: Connection, budget: FrameBudget) -> None:
        """A socket that keeps sending after being told to slow down is closed."""
        if budget.refused_in_a_row > self.svc.settings.ws_frame_burst:
            conn.close_after_queue(CLOSE_POLICY, Code.rate_limited.value)

    async def _dispatch(self, conn: Connection, frame: frames.ClientFrame) -> None:
        actor = Actor(conn.user_id, conn.username)
        match frame:
            case frames.Send():
                ack = await chat_messages.do_send_message(
                    self.svc,
                    actor=actor,
                    room_id=frame.room_id,
                    client_msg_id=frame.client_msg_id,
                    body=frame.body,
                    reply_to=frame.reply_to,
                    attachments=tuple(frame.attachments),
                )
                conn.send({**ack.frame(), "id": frame.id})
            case frames.Subscribe():
                await self._subscribe_all(conn, frame.id, {r: None for r in frame.room_ids})
            case frames.Resume():
                await self._subscribe_all(conn, frame.id, dict(frame.rooms))
            case frames.Unsubscribe():
                for room_id in frame.room_ids:
                    if conn.rooms.pop(room_id, None) is not None:
                        await self.hub.detach(conn, room_id)
                conn.send({"type": "unsubscribed", "id": frame.id, "room_ids": frame.room_ids})
            case frames.Read():
                await chat_messages.do_mark_read(
                    self.svc, actor=actor, room_id=frame.room_id, seq=frame.seq
                )
            case frames.Typing():
                await self._typing(conn, frame)
            case frames.Presence():
                await self._presence(conn, frame.status)
            case frames.Ping():
                conn.send({"type": "pong", "id": frame.id})
            case frames.Auth():
                claims = self._decode(frame.token)
                if claims.user_id != conn.user_id:
                    raise TipchatError(
                        Code.already_authenticated,
                        "this socket belongs to another user",
                        id=frame.id,
                    )
                self._expire_at(conn, claims)
                conn.session_id = claims.session_id
                conn.send(
                    {
                        "type": "ready",
                        "protocol": PROTOCOL_VERSION,
                        "id": frame.id,
                        "user": {"id": conn.user_id, "username": conn.username},
                        "expires_at": claims.expires_at,
                    }
                )

    # -- subscriptions -------------------------------------------------------------------

    async def _subscribe_all(
        self, conn: Connection, frame_id: str | int | None, rooms: dict[int, int | None]
    ) -> None:
        subscribed: dict[str, int] = {}
        for room_id, from_seq in rooms.items():
            try:
                at = await self._subscribe(conn, room_id, from_seq)
                if at is not None:
                    subscribed[str(room_id)] = at
            except TipchatError as exc:
                exc.extra.update(id=frame_id, room_id=room_id)
                conn.send({"type": "error", **exc.to_dict()})
        conn.send({"type": "subscribed", "id": frame_id, "rooms": subscribed})

    async def _subscribe(self, conn: Connection, room_id: int, from_seq: int | None) -> int | None:
        """Follow a room from now (from_seq None) or replay every event after from_seq first.

        Order matters: join the live feed (live events wait in the backlog), then check
        membership and read storage, then flush the backlog deduplicated by seq. Whatever
        commits meanwhile is in storage, in the backlog or in both; never in neither.
        Returns the seq the replay reached (live events follow it), or None if the replay
        ended the subscription (it contained our own removal)."""
        if room_id in conn.rooms:
            conn.rooms.pop(room_id)  # a resume of a followed room starts over from from_seq
            await self.hub.detach(conn, room_id)
        if len(conn.rooms) >= MAX_ROOMS_PER_SOCKET:
            raise TipchatError(
                Code.invalid_request, f"at most {MAX_ROOMS_PER_SOCKET} rooms per socket"
            )
        state = conn.rooms[room_id] = RoomState()
        missed: list[tuple[int, str]] = []
        try:
            await self.hub.attach(conn, room_id)
            # One snapshot for the membership check and the replay: a removal committed
            # after it arrives live (and ends the subscription), never half in each.
            async with (
                self.svc.db.acquire() as db,
                db.transaction(isolation="repeatable_read", readonly=True),
            ):
                room, _ = await access.require_member(db, room_id=room_id, user_id=conn.user_id)
                last_seq = room["last_seq"]
                if from_seq is None:
                    state.last_seq = last_seq
                else:
                    bound = self.svc.settings.ws_replay_bound
                    if from_seq > last_seq:
                        raise TipchatError(
                            Code.invalid_seq,
                            f"room {room_id} is at seq {last_seq}",
                            last_seq=last_seq,
                        )
                    if last_seq - from_seq > bound:
                        raise TipchatError(
                            Code.resume_too_far,
                            f"more than {bound} events missed; page history over REST",
                            last_seq=last_seq,
                        )
                    state.last_seq = from_seq
                    missed = await event_store.events_after(
                        conn=db, room_id=room_id, after_seq=from_seq, limit=bound
                    )
            await self._replay(conn, room_id, missed)
        except BaseException:
            if conn.rooms.get(room_id) is state:
                del conn.rooms[room_id]
            await self.hub.detach(conn, room_id)
            raise
        at = state.last_seq
        conn.finish_replay(room_id)
        return at if room_id in conn.rooms else None

    async def _replay(self, conn: Connection, room_id: int, missed: list[tuple[int, str]]) -> None:
        """Queue the missed events a page at a time (half the send queue), each page once the
        writer has made room: live frames of other rooms keep flowing meanwhile."""
        page = max(1, self.svc.settings.ws_send_queue // 2)
        for start in range(0, len(missed), page):
            if not await conn.wait_for_room(REPLAY_DRAIN_TIMEOUT_S):
                return  # closed as a slow consumer; the client resumes again
            for seq, text in missed[start : start + page]:
                conn.deliver_replayed(room_id, seq, text)

    async def _typing(self, conn: Connection, frame: frames.Typing) -> None:
        state = conn.rooms.get(frame.room_id)
        if state is None:
            async with self.svc.db.acquire() as db:
                await access.require_member(db, room_id=frame.room_id, user_id=conn.user_id)
        now = time.monotonic()
        last = conn.typing_sent.get(frame.room_id, 0.0)
        if now - last < TYPING_INTERVAL_S:
            return
        conn.typing_sent[frame.room_id] = now
        await publish_ephemeral(
            self.svc,
            frame.room_id,
            {
                "type": "typing",
                "room_id": frame.room_id,
                "user_id": conn.user_id,
                "username": conn.username,
            },
        )
