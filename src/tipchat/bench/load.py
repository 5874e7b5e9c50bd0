"""One load-generator process: it holds WebSocket clients, sends at a fixed rate and counts.

Runs in its own process (uvloop), driven by the parent over a pipe:

    parent -> worker   ("go", t_start, t_end)   start sending at t_start, stop at t_end
                       ("close",)               close every socket and send the result
    worker -> parent   ("connected", info)      after connect + auth + subscribe
                       ("tick", counters)       every 0.5 s
                       ("result", data)         last message

Times are time.monotonic(), which on Linux is one clock for every process of the machine: a
receiver subtracts the send time that the sender wrote into the message body.

Mode "chat" speaks the tipchat protocol (auth, subscribe, send -> ack, message events).
Mode "listen" only counts the frames of the bare broadcast server (the WebSocket ceiling).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import resource
import time
from collections import Counter
from multiprocessing.connection import Connection as Pipe
from typing import Any

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

from tipchat.bench.histogram import Histogram

CONNECT_CONCURRENCY = 64  # handshakes in flight per worker
HANDSHAKE_TIMEOUT_S = 60.0  # connect + auth + subscribe, per socket
TICK_S = 0.5
LAG_PROBE_S = 0.05  # event-loop lag of the generator itself: a slow client inflates latency


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class _Bins:
    """Counts per whole second since t_start."""

    def __init__(self) -> None:
        self.t_start = float("inf")
        self.counts: dict[str, list[int]] = {
            "sent": [],
            "acked": [],
            "delivered": [],
            "delivered_big": [],
        }

    def add(self, name: str, now: float) -> None:
        if now < self.t_start:
            return
        second = int(now - self.t_start)
        series = self.counts[name]
        if second >= len(series):
            series.extend([0] * (second + 1 - len(series)))
        series[second] += 1


class Worker:
    def __init__(self, spec: dict[str, Any], pipe: Pipe) -> None:
        self.spec = spec
        self.pipe = pipe
        self.mode: str = spec["mode"]
        self.big_rooms: set[int] = set(spec.get("big_rooms", ()))
        self.conns: dict[int, ClientConnection] = {}  # client index -> socket
        self.readers: list[asyncio.Task[None]] = []
        self.commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.closing = False
        self.pending: dict[str, float] = {}  # client_msg_id -> send time
        self.e2e = Histogram()
        self.ack = Histogram()
        self.lag = Histogram()
        self.bins = _Bins()
        self.window = (float("inf"), float("inf"))
        self.c: Counter[str] = Counter()  # sent, acked, delivered, delivered_big, ...
        self.room_acked: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.other_frames: Counter[str] = Counter()
        self.close_codes: Counter[str] = Counter()
        self.connect_errors: Counter[str] = Counter()
        self.room_subs: Counter[int] = Counter()  # room id -> sockets of ours that follow it
        self.open_by_url: Counter[str] = Counter()

    # -- pipe ------------------------------------------------------------------------------

    def _on_pipe(self) -> None:
        try:
            while self.pipe.poll():
                self.commands.put_nowait(self.pipe.recv())
        except (EOFError, OSError):  # the parent is gone: stop
            asyncio.get_running_loop().remove_reader(self.pipe.fileno())
            self.commands.put_nowait(("close",))

    def _send_up(self, *message: Any) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.pipe.send(message)

    async def _command(self, within_s: float) -> tuple[Any, ...]:
        try:
            return await asyncio.wait_for(self.commands.get(), within_s)
        except TimeoutError:
            return ("close",)  # bounded: a worker never waits for ever

    # -- sockets ---------------------------------------------------------------------------

    async def _open(self, client: dict[str, Any]) -> None:
        conn = await websockets.connect(
            client["url"],
            open_timeout=30,
            close_timeout=5,
            compression=None,
            ping_interval=None,
            max_size=2**20,
        )
        try:
            if self.mode == "chat":
                await conn.send(orjson.dumps({"type": "auth", "token": client["token"]}).decode())
                await self._until(conn, "ready")
            if self.mode == "chat" and client["rooms"]:  # a client in no room only holds on
                await conn.send(
                    orjson.dumps(
                        {"type": "subscribe", "id": 1, "room_ids": client["rooms"]}
                    ).decode()
                )
                subscribed = await self._until(conn, "subscribed")
                for room in subscribed.get("rooms", {}):
                    self.room_subs[int(room)] += 1
        except BaseException:
            await conn.close()
            raise
        self.conns[client["i"]] = conn
        self.open_by_url[client["url"]] += 1
        self.readers.append(asyncio.create_task(self._read(client["i"], conn)))

    async def _until(self, conn: ClientConnection, frame_type: str) -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = orjson.loads(await conn.recv())
            if frame.get("type") == frame_type:
                return frame
            if frame.get("type") == "error":
                self.errors[str(frame.get("code"))] += 1
                if frame_type == "ready":
                    raise RuntimeError(f"auth failed: {frame.get('code')}")

    async def connect_all(self) -> None:
        sem = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(client: dict[str, Any]) -> None:
            async with sem:
                try:
                    await asyncio.wait_for(self._open(client), HANDSHAKE_TIMEOUT_S)
                except Exception as exc:
                    self.connect_errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1

        await asyncio.gather(*(one(client) for client in self.spec["clients"]))

    async def _read(self, index: int, conn: ClientConnection) -> None:
        handle = self._on_chat_frame if self.mode == "chat" else self._on_listen_frame
        try:
            async for raw in conn:
                try:
                    handle(raw)
                except Exception as exc:  # a frame we cannot read: count it, read on
                    self.errors["client:" + type(exc).__name__] += 1
        except websockets.ConnectionClosed:
            pass
        finally:
            self.conns.pop(index, None)
            if not self.closing:
                code = conn.close_code
                self.close_codes[str(code)] += 1

    def _on_chat_frame(self, raw: str | bytes) -> None:
        now = time.monotonic()
        frame = orjson.loads(raw)
        kind = frame.get("type")
        if kind == "message":
            body = frame["message"]["body"] or ""
            try:
                sent_at = float(body[: body.index(" ")])
            except ValueError:
                self.other_frames["message (not ours)"] += 1
                return
            self.e2e.add(now - sent_at)
            self.c["delivered"] += 1
            self.bins.add("delivered", now)
            if frame["room_id"] in self.big_rooms:
                self.c["delivered_big"] += 1
                self.bins.add("delivered_big", now)
        elif kind == "ack":
            sent_at = self.pending.pop(str(frame.get("client_msg_id")), -1.0)
            if sent_at < 0:
                return
            self.ack.add(now - sent_at)
            self.c["acked"] += 1
            self.room_acked[frame["room_id"]] += 1
            self.bins.add("acked", now)
        elif kind == "error":
            self.errors[str(frame.get("code"))] += 1
            if self.pending.pop(str(frame.get("client_msg_id")), None) is not None:
                self.c["send_errors"] += 1
        else:
            self.other_frames[str(kind)] += 1

    def _on_listen_frame(self, raw: str | bytes) -> None:
        now = time.monotonic()
        self.c["frames"] += 1
        if self.window[0] <= now < self.window[1]:
            self.c["delivered"] += 1
        self.bins.add("delivered", now)

    # -- sending ---------------------------------------------------------------------------

    async def pace(self, t_start: float, t_end: float) -> None:
        """Token bucket: at every wake-up, send what the rate allowed since t_start."""
        rate: float = self.spec["rate"]
        share: float = self.spec["big_share"]
        members: dict[int, list[int]] = {int(k): v for k, v in self.spec["room_members"].items()}
        big = [r for r in members if r in self.big_rooms]
        small = [r for r in members if r not in self.big_rooms]
        size: int = self.spec["body_bytes"]
        pad = "x" * size
        prefix = f"w{self.spec['index']}-{os.getpid()}-"
        rng = random.Random(self.spec["index"])
        sent = 0
        await asyncio.sleep(max(0.0, t_start - time.monotonic()))
        while (now := time.monotonic()) < t_end:
            due = int((now - t_start) * rate) - sent
            for _ in range(due):
                rooms = big if big and (not small or rng.random() < share) else small
                room = rng.choice(rooms)
                live = [i for i in members[room] if i in self.conns]
                sent += 1
                if not live:
                    self.c["unsent_no_socket"] += 1
                    continue
                conn = self.conns[rng.choice(live)]
                cmid = f"{prefix}{sent}"
                at = time.monotonic()
                stamp = f"{at:.6f} "  # the body is the send time, padded to size characters
                frame = orjson.dumps(
                    {
                        "type": "send",
                        "room_id": room,
                        "client_msg_id": cmid,
                        "body": stamp + pad[: max(1, size - len(stamp))],
                    }
                ).decode()
                self.pending[cmid] = at
                try:
                    await conn.send(frame)
                except websockets.ConnectionClosed:
                    self.pending.pop(cmid, None)
                    self.c["send_failed"] += 1
                    continue
                self.c["sent"] += 1
                self.bins.add("sent", at)
            await asyncio.sleep(0.002)
        self.c["offered"] = sent

    # -- reporting -------------------------------------------------------------------------

    def counters(self) -> dict[str, Any]:
        return {
            **self.c,
            "open": len(self.conns),
            "pending": len(self.pending),
            "room_acked": dict(self.room_acked),
        }

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self._send_up("tick", self.spec["index"], self.counters())

    async def _lag_probe(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(LAG_PROBE_S)
            self.lag.add(time.monotonic() - before - LAG_PROBE_S)

    async def close_all(self) -> None:
        self.closing = True
        self.c["open_at_end"] = len(self.conns)
        conns = list(self.conns.values())
        sem = asyncio.Semaphore(256)

        async def close(conn: ClientConnection) -> None:
            async with sem:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), 10)

        await asyncio.gather(*(close(conn) for conn in conns))
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)

    def result(self) -> dict[str, Any]:
        return {
            "counters": self.counters(),
            "errors": dict(self.errors),
            "other_frames": dict(self.other_frames),
            "close_codes": dict(self.close_codes),
            "connect_errors": dict(self.connect_errors),
            "e2e": self.e2e.to_wire(),
            "ack": self.ack.to_wire(),
            "lag": self.lag.to_wire(),
            "bins": self.bins.counts,
        }

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.pipe.fileno(), self._on_pipe)
        background = [asyncio.create_task(self._ticker()), asyncio.create_task(self._lag_probe())]
        try:
            await self.drive(self.spec["max_life_s"])
        finally:
            await self.close_all()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(self.pipe.fileno())
        self._send_up("result", self.spec["index"], self.result())

    async def drive(self, life: float) -> None:
        """Between start and close: connect everyone, wait for "go", send, wait for "close"."""
        await self.connect_all()
        self._send_up(
            "connected",
            self.spec["index"],
            {
                "open": len(self.conns),
                "failed": sum(self.connect_errors.values()),
                "errors": dict(self.connect_errors),
                "room_subs": dict(self.room_subs),
                "open_by_url": dict(self.open_by_url),
            },
        )
        command = await self._command(life)
        if command[0] == "go":
            _, t_start, t_end = command
            self.bins.t_start = t_start
            self.window = (t_start, t_end)
            if self.mode == "chat":
                await self.pace(t_start, t_end)
            command = await self._command(life)


def worker_main(spec: dict[str, Any], pipe: Pipe, worker: type[Worker] = Worker) -> None:
    """The process entry point (multiprocessing, spawn)."""
    import faulthandler

    import uvloop

    faulthandler.enable()  # a crash in native code (uvloop, websockets) still says where
    raise_fd_limit()
    try:
        uvloop.run(worker(spec, pipe).run())
    finally:
        pipe.close()
