"""Group commit for sends: the sends that arrive while one batch is being written go
together into the next, as one transaction of five set-based statements.

Under light load a batch holds one send and costs what a lone transaction did; under heavy
load, N sends share one commit (one fsync) and five round trips instead of N of each, which
is what lets one node accept thousands of durable messages per second (docs/scaling.md).

Each send keeps single-send semantics: its own checks and its own error, and an ack only
after its own event committed. Sends in one batch are written in arrival order; rooms are
locked in id order, so batches on any number of nodes never wait for each other in a cycle.
When a batch fails for a reason that is not one send's fault (a constraint, a trigger), its
sends are written again one by one, so a bad send cannot fail the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tipchat import metrics
from tipchat.chat import access, attachments, blocks, events, mentions
from tipchat.errors import Code, TipchatError, storage_unavailable
from tipchat.storage import attachments as attachment_store
from tipchat.storage import sends as send_store
from tipchat.storage.database import is_connection_error

if TYPE_CHECKING:
    from tipchat.chat.rooms import Actor
    from tipchat.services import Services

log = logging.getLogger(__name__)

# A batch is capped so that one commit stays a few milliseconds even when thousands of
# sends wait: the sends behind it go in the next batch rather than in a longer transaction.
MAX_BATCH = 256
# Two batches in flight: while one waits for its fsync, the next is being checked.
WRITERS = 2
# A send is retried this often when another transaction took its client_msg_id meanwhile;
# the retry finds that message and answers with its ack.
_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Ack:
    room_id: int
    client_msg_id: str
    seq: int
    duplicate: bool  # True when this send repeated an earlier one (nothing new was written)

    def frame(self) -> dict[str, Any]:
        # message_id: a message is identified by the seq of the event that created it.
        return {
            "type": "ack",
            "room_id": self.room_id,
            "client_msg_id": self.client_msg_id,
            "message_id": self.seq,
            "seq": self.seq,
        }


@dataclass(eq=False)
class _Send:
    actor: Actor
    room_id: int
    client_msg_id: str
    body: str
    reply_to: int | None
    started: float
    future: asyncio.Future[Ack]
    attempts: int = 0
    attachments: tuple[int, ...] = ()  # ids of completed uploads (chat.attachments)

    @property
    def key(self) -> tuple[int, str]:
        return self.actor.user_id, self.client_msg_id

    def settle(self, outcome: Ack | BaseException) -> None:
        if self.future.done():  # the sender went away; the outcome stands all the same
            return
        if isinstance(outcome, Ack):
            self.future.set_result(outcome)
        else:
            self.future.set_exception(outcome)


class _Raced(Exception):
    """Another transaction took one of the batch's (sender, client_msg_id) pairs meanwhile."""


@dataclass
class SendBatcher:
    svc: Services
    _pending: deque[_Send] = field(default_factory=deque)
    _active: int = 0  # writers running
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)  # held so they are not GCed

    async def send(
        self,
        *,
        actor: Actor,
        room_id: int,
        client_msg_id: str,
        body: str,
        reply_to: int | None,
        attachments: tuple[int, ...] = (),
    ) -> Ack:
        loop = asyncio.get_running_loop()
        request = _Send(
            actor,
            room_id,
            client_msg_id,
            body,
            reply_to,
            time.perf_counter(),
            loop.create_future(),
            attachments=attachments,
        )
        self._pending.append(request)
        if self._active < WRITERS:
            self._active += 1
            task = asyncio.create_task(self._write_while_pending())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await request.future

    async def _write_while_pending(self) -> None:
        # A writer counts as active until the moment it finds nothing pending: no await lies
        # between that check and the decrement, so a send never waits without a writer.
        try:
            while self._pending:
                batch = self._take_batch()
                try:
                    await self._write(batch)
                except BaseException as exc:  # a bug, or cancelled at shutdown: nobody waits
                    if not isinstance(exc, asyncio.CancelledError):
                        log.exception("writing a batch of sends failed")
                    for request in batch:
                        request.settle(TipchatError(Code.internal_error, "internal error"))
                    raise
        finally:
            self._active -= 1

    def _take_batch(self) -> list[_Send]:
        """Up to MAX_BATCH sends in arrival order. A repeat of a send already in the batch waits
        for the next one, where it finds the first one's message and gets its ack."""
        batch: list[_Send] = []
        keys: set[tuple[int, str]] = set()
        repeats: list[_Send] = []
        while self._pending and len(batch) < MAX_BATCH:
            request = self._pending.popleft()
            if request.key in keys:
                repeats.append(request)
            else:
                keys.add(request.key)
                batch.append(request)
        self._pending.extendleft(reversed(repeats))
        return batch

    async def _write(self, batch: list[_Send]) -> None:
        metrics.send_batch_size.observe(len(batch))
        try:
            with metrics.send_batch_seconds.time():
                outcomes, written = await self._commit(batch)
        except _Raced:
            for request in batch:
                request.attempts += 1
            retry = [r for r in batch if r.attempts < _MAX_ATTEMPTS]
            self._pending.extendleft(reversed(retry))
            for request in batch:
                if request.attempts >= _MAX_ATTEMPTS:
                    request.settle(TipchatError(Code.internal_error, "send kept conflicting"))
            return
        except Exception as exc:
            if isinstance(exc, TipchatError) or is_connection_error(exc):
                error = exc if isinstance(exc, TipchatError) else storage_unavailable()
                for request in batch:
                    request.settle(error)
            elif len(batch) > 1:
                for request in batch:  # find the one send at fault; the others go through
                    await self._write([request])
            else:
                batch[0].settle(exc)
            return
        await events.publish(self.svc, *written)
        now = time.perf_counter()
        for request, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Ack) and not outcome.duplicate:
                metrics.send_to_ack.observe(now - request.started)
            request.settle(outcome)

    async def _commit(
        self, batch: list[_Send]
    ) -> tuple[list[Ack | TipchatError], list[events.Event]]:
        async with self.svc.db.acquire() as conn, conn.transaction():
            rooms, now = await send_store.lock_rooms(conn=conn, room_ids=[r.room_id for r in batch])
            checks = await send_store.check_sends(
                conn=conn,
                room_ids=[r.room_id for r in batch],
                sender_ids=[r.actor.user_id for r in batch],
                client_msg_ids=[r.client_msg_id for r in batch],
                reply_tos=[r.reply_to for r in batch],
            )
            outcomes: list[Ack | TipchatError] = []
            accepted: list[tuple[_Send, int]] = []  # (send, its seq)
            last_seqs: dict[int, int] = {}
            # The batch's attachments, locked (one statement, none without attachments).
            wanted = [i for r in batch for i in r.attachments]
            found = await attachment_store.get_many(conn=conn, ids=wanted) if wanted else {}
            claimed: set[int] = set()
            for request, check in zip(batch, checks, strict=True):
                refusal = _answer_without_writing(request, check, rooms.get(request.room_id))
                if refusal is None and request.attachments:
                    refusal = attachments.refuse_attachments(
                        sender_id=request.actor.user_id,
                        room_id=request.room_id,
                        ids=request.attachments,
                        found=found,
                        used=claimed,
                    )
                if refusal is not None:
                    outcomes.append(refusal)
                    continue
                claimed.update(request.attachments)
                seq = last_seqs.get(request.room_id, rooms[request.room_id].last_seq) + 1
                last_seqs[request.room_id] = seq
                accepted.append((request, seq))
                outcomes.append(Ack(request.room_id, request.client_msg_id, seq, duplicate=False))
            # @mentions of the whole batch in one statement (none when no body names anyone);
            # members only, so they are read after the room locks like the checks above.
            mentioned = await mentions.resolve_many(
                conn, [(r.room_id, r.actor.user_id, r.body) for r, _ in accepted]
            )
            to_write = [
                (request, _message_event(request, seq, now, user_ids, found))
                for (request, seq), user_ids in zip(accepted, mentioned, strict=True)
            ]
            if to_write:
                inserted = await send_store.write_sends(
                    conn=conn,
                    last_seqs=last_seqs,
                    room_ids=[r.room_id for r, _ in to_write],
                    seqs=[e.seq for _, e in to_write],
                    payloads=[e.frame.decode() for _, e in to_write],
                    sender_ids=[r.actor.user_id for r, _ in to_write],
                    client_msg_ids=[r.client_msg_id for r, _ in to_write],
                    bodies=[r.body for r, _ in to_write],
                    reply_tos=[r.reply_to for r, _ in to_write],
                    created_at=now,
                    mentions=[
                        (r.room_id, e.seq, user_id)
                        for (r, e), user_ids in zip(to_write, mentioned, strict=True)
                        for user_id in user_ids
                    ],
                )
                if inserted != len(to_write):
                    raise _Raced
                if claimed:
                    pairs = [(i, e.seq) for r, e in to_write for i in r.attachments]
                    await attachment_store.attach(
                        conn=conn, ids=[i for i, _ in pairs], seqs=[s for _, s in pairs]
                    )
        return outcomes, [event for _, event in to_write]


def _answer_without_writing(
    request: _Send, check: send_store.SendCheck, room: send_store.LockedRoom | None
) -> Ack | TipchatError | None:
    """What this send gets instead of a new message, or None when it is to be written."""
    if check.existing_room_id is not None:
        if check.existing_room_id != request.room_id:
            return TipchatError(
                Code.client_msg_id_conflict, "this client_msg_id was already used in another room"
            )
        assert check.existing_seq is not None
        return Ack(request.room_id, request.client_msg_id, check.existing_seq, duplicate=True)
    if room is None:
        return access.not_found()
    if not check.member:
        return access.refuse_non_member(room.kind)
    if not check.reply_found:
        return TipchatError(Code.reply_not_found, "the message replied to is not here")
    if check.blocked:
        return blocks.cannot_message()
    return None


def _message_event(
    request: _Send, seq: int, now: datetime, mentioned: list[int], found: dict[int, Any]
) -> events.Event:
    snapshot = {
        "room_id": request.room_id,
        "seq": seq,
        "sender_id": request.actor.user_id,
        "sender": request.actor.username,
        "client_msg_id": request.client_msg_id,
        "kind": "text",
        "body": request.body,
        "reply_to": request.reply_to,
        "created_at": now,
        "edited_at": None,
        "deleted": False,
        "tip": None,
        "reactions": [],
        "mentions": mentioned,
        # As storage.attachments' ATTACHMENTS_SNAPSHOT shows them: in id order.
        "attachments": [
            {
                **{k: found[i][k] for k in ("id", "filename", "content_type", "size")},
                **{k: found[i][k] for k in ("width", "height")},
                "thumbnail": found[i]["thumbnail_key"] is not None,
            }
            for i in sorted(request.attachments)
        ],
    }
    return events.build(
        room_id=request.room_id, seq=seq, type="message", body={"message": snapshot}
    )
