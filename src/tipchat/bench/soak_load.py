"""One load-generator process of the soak: churning WebSocket clients.

Each client slot is one user. Over and over, until the end of the run, a slot connects,
authenticates, follows its rooms (with `resume` from the last seq it saw, or a fresh
`subscribe`), chats at a modest rate, and after a random lifetime waits for its acks and
closes; a moment later a new socket takes its place. Sockets, subscriptions, presence entries
and server tasks are therefore created and destroyed all the time.

It speaks the same pipe protocol as tipchat.bench.load (driven by tipchat.bench.workers):
"connected" at once (nothing is opened before "go"), "tick" every 0.5 s, "result" at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from typing import Any

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

from tipchat.bench.load import HANDSHAKE_TIMEOUT_S, Worker, worker_main

ACK_WAIT_S = 5.0  # a leaving client waits this long for the acks of what it sent
CLOSE_TIMEOUT_S = 5.0
RECONNECT_GAP_S = (0.1, 1.0)  # between one life of a slot and the next
STOP_GRACE_S = 30.0  # after t_end: lives end, acks come back, sockets close
# What a soak worker counts (load.Worker's counters plus the lives of its slots).
COUNTER_KEYS = (
    "open", "connects", "connected", "closed_by_client", "unexpected_closes", "resumes",
    "fresh_subscribes", "sent", "acked", "send_errors", "send_failed", "unacked_at_close",
    "delivered", "replayed", "seq_gaps", "seq_duplicates",
)  # fmt: skip


@dataclass
class _Slot:
    i: int
    url: str
    token: str
    rooms: list[int]
    last_seq: dict[int, int] = field(default_factory=dict)  # room -> last event seq seen
    mine: set[str] = field(default_factory=set)  # client_msg_ids of the current life
    closing: bool = False
    drained: asyncio.Event = field(default_factory=asyncio.Event)  # no ack outstanding


class SoakWorker(Worker):
    """load.Worker's pipe, counters and frame handling, with lives instead of one connect."""

    def _track(self, slot: _Slot, frame: dict[str, Any], *, replay: bool) -> None:
        seq, room = frame.get("seq"), frame.get("room_id")
        if not isinstance(seq, int) or not isinstance(room, int):
            return
        last = slot.last_seq.get(room)
        if last is not None and seq <= last:
            self.c["seq_duplicates"] += 1
            return
        if last is not None and seq != last + 1:
            self.c["seq_gaps"] += 1
        slot.last_seq[room] = seq
        if replay:
            self.c["replayed"] += 1

    async def _handshake(self, slot: _Slot, conn: ClientConnection, resume: bool) -> None:
        await conn.send(orjson.dumps({"type": "auth", "token": slot.token}).decode())
        await self._until(conn, "ready")
        known = {str(r): slot.last_seq[r] for r in slot.rooms if r in slot.last_seq}
        if resume and known:
            frame: dict[str, Any] = {"type": "resume", "id": 1, "rooms": known}
            self.c["resumes"] += 1
        else:
            frame = {"type": "subscribe", "id": 1, "room_ids": slot.rooms}
            self.c["fresh_subscribes"] += 1
            slot.last_seq.clear()
        await conn.send(orjson.dumps(frame).decode())
        while True:
            reply: dict[str, Any] = orjson.loads(await conn.recv())
            kind = reply.get("type")
            if kind == "subscribed":
                for room, seq in reply.get("rooms", {}).items():
                    slot.last_seq.setdefault(int(room), int(seq))
                return
            if kind == "error":
                self.errors[str(reply.get("code"))] += 1
                if reply.get("room_id") is not None:  # e.g. resume_too_far: start over
                    slot.last_seq.pop(int(reply["room_id"]), None)
            elif "seq" in reply:  # replayed room events come before `subscribed`
                self._track(slot, reply, replay=True)
            else:
                self.other_frames[str(kind)] += 1

    async def _read_slot(self, slot: _Slot, conn: ClientConnection) -> None:
        try:
            async for raw in conn:
                try:
                    frame = orjson.loads(raw)
                    if "seq" in frame and frame.get("type") != "ack":
                        self._track(slot, frame, replay=False)
                    self._on_chat_frame(raw)
                    settled = frame.get("type") in ("ack", "error")
                    if settled and not slot.mine & self.pending.keys():
                        slot.drained.set()
                except Exception as exc:  # a frame we cannot read: count it, read on
                    self.errors["client:" + type(exc).__name__] += 1
        except websockets.ConnectionClosed:
            pass
        finally:
            self.conns.pop(slot.i, None)
            if not slot.closing:
                self.c["unexpected_closes"] += 1
                self.close_codes[str(conn.close_code)] += 1

    async def _chat(self, slot: _Slot, conn: ClientConnection, until: float) -> None:
        rng = random.Random()
        interval: float = self.spec["send_interval_s"]
        pad = "x" * self.spec["body_bytes"]
        n = 0
        while slot.i in self.conns:
            wait = rng.expovariate(1.0 / interval)
            if time.monotonic() + wait >= until:
                await asyncio.sleep(max(0.0, until - time.monotonic()))
                return
            await asyncio.sleep(wait)
            n += 1
            at = time.monotonic()
            cmid = f"s{slot.i}-{at:.6f}-{n}"
            body = f"{at:.6f} " + pad  # receivers read the send time from the body
            frame = {"type": "send", "room_id": rng.choice(slot.rooms), "client_msg_id": cmid}
            frame["body"] = body[: self.spec["body_bytes"]]
            self.pending[cmid] = at
            slot.mine.add(cmid)
            try:
                await conn.send(orjson.dumps(frame).decode())
            except websockets.ConnectionClosed:
                self.pending.pop(cmid, None)
                self.c["send_failed"] += 1
                return
            self.c["sent"] += 1
            self.bins.add("sent", at)

    async def _life(self, slot: _Slot, until: float, resume: bool) -> None:
        """One socket from connect to close."""
        self.c["connects"] += 1
        try:
            conn = await asyncio.wait_for(
                websockets.connect(
                    slot.url,
                    open_timeout=30,
                    close_timeout=CLOSE_TIMEOUT_S,
                    compression=None,
                    ping_interval=None,
                    max_size=2**20,
                ),
                HANDSHAKE_TIMEOUT_S,
            )
        except Exception as exc:
            self.connect_errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1
            return
        slot.closing, slot.mine = False, set()
        reader: asyncio.Task[None] | None = None
        try:
            await asyncio.wait_for(self._handshake(slot, conn, resume), HANDSHAKE_TIMEOUT_S)
            self.c["connected"] += 1
            self.conns[slot.i] = conn
            reader = asyncio.create_task(self._read_slot(slot, conn))
            await self._chat(slot, conn, until)
            if slot.mine & self.pending.keys():
                slot.drained.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(slot.drained.wait(), ACK_WAIT_S)
        except Exception as exc:
            self.connect_errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1
        finally:
            unacked = slot.mine & self.pending.keys()
            self.c["unacked_at_close"] += len(unacked)
            for cmid in unacked:
                del self.pending[cmid]
            slot.closing = True
            self.conns.pop(slot.i, None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), CLOSE_TIMEOUT_S)
            self.c["closed_by_client"] += 1
            if reader is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(reader, CLOSE_TIMEOUT_S)

    async def _slot(self, slot: _Slot, t_start: float, t_end: float) -> None:
        rng = random.Random(slot.i)
        low, high = self.spec["lifetime_s"]
        share: float = self.spec["resume_share"]
        first = True
        # Spread the first connects over the first seconds instead of one burst.
        await asyncio.sleep(max(0.0, t_start - time.monotonic()) + rng.uniform(0, min(5.0, low)))
        while (now := time.monotonic()) < t_end:
            until = min(now + rng.uniform(low, high), t_end)
            await self._life(slot, until, resume=not first and rng.random() < share)
            first = False
            await asyncio.sleep(rng.uniform(*RECONNECT_GAP_S))

    async def churn(self, t_start: float, t_end: float) -> None:
        slots = [
            _Slot(c["i"], c["url"], c["token"], list(c["rooms"])) for c in self.spec["clients"]
        ]
        await asyncio.gather(*(self._slot(slot, t_start, t_end) for slot in slots))

    async def drive(self, life: float) -> None:
        """Nothing to open before "go"; then churn until t_end or an early "close"."""
        self._send_up("connected", self.spec["index"], {"open": 0, "room_subs": {}})
        command = await self._command(life)
        if command[0] != "go":
            return
        _, t_start, t_end = command
        self.bins.t_start = t_start
        churn = asyncio.create_task(self.churn(t_start, t_end))
        stop = asyncio.create_task(self._command(t_end - time.monotonic() + life))
        await asyncio.wait({churn, stop}, return_when=asyncio.FIRST_COMPLETED)
        if not churn.done():  # told to close early (or the parent went away)
            churn.cancel()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(churn, STOP_GRACE_S)
        if not stop.done():
            await stop
        self.closing = True


def soak_worker_main(spec: dict[str, Any], pipe: Pipe) -> None:
    """The process entry point (multiprocessing, spawn)."""
    worker_main(spec, pipe, SoakWorker)
