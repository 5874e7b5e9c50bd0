"""The bare WebSocket broadcast of the ceiling: `python -m tipchat.bench.bare_ws`.

The same server library and settings as tipchat (uvicorn, websockets-sansio, no compression,
uvloop, httptools) with nothing else: an ASGI app that, on GET /start?seconds=S, broadcasts one
200-byte text frame to every connected client, round after round, for S seconds. Like
tipchat, each socket has its own queue and one writer task, and the frame is built once.
A round is queued only when no queue holds more than HIGH_WATER frames, so the clients set
the pace and nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import time
from typing import Any
from urllib.parse import parse_qs

import uvicorn

FRAME_BYTES = 200
HIGH_WATER = 32
MAX_SECONDS = 120.0
Scope = dict[str, Any]


def make_frame(size: int = FRAME_BYTES) -> str:
    head = '{"type":"message","room_id":1,"seq":1,"pad":"'
    return head + "x" * (size - len(head) - 2) + '"}'


class BroadcastApp:
    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[str]] = set()
        self.rounds = 0
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await self._socket(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, send)

    async def _socket(self, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        queue: asyncio.Queue[str] = asyncio.Queue()

        async def writer() -> None:
            with contextlib.suppress(Exception):
                while True:
                    await send({"type": "websocket.send", "text": await queue.get()})

        task = asyncio.create_task(writer())
        self.queues.add(queue)
        try:
            while (await receive())["type"] != "websocket.disconnect":
                pass
        finally:
            self.queues.discard(queue)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _http(self, scope: Scope, send: Any) -> None:
        query = parse_qs(scope.get("query_string", b"").decode())
        if scope["path"] == "/start":
            seconds = min(float(query.get("seconds", ["3"])[0]), MAX_SECONDS)
            self.task = asyncio.create_task(self._broadcast(seconds))
        body = f'{{"clients":{len(self.queues)},"rounds":{self.rounds}}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _broadcast(self, seconds: float) -> None:
        frame = make_frame()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            queues = list(self.queues)
            if any(q.qsize() > HIGH_WATER for q in queues):
                await asyncio.sleep(0.001)
                continue
            for queue in queues:
                queue.put_nowait(frame)
            self.rounds += 1
            await asyncio.sleep(0)


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        host, port = self.servers[0].sockets[0].getsockname()[:2]
        print(f"bare-ws listening at http://{host}:{port}", flush=True)


def main() -> None:
    config = uvicorn.Config(
        BroadcastApp(),
        host="127.0.0.1",
        port=0,
        ws="websockets-sansio",
        ws_max_size=1024 * 1024,
        ws_per_message_deflate=False,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    _Server(config).run()
    sys.exit(0)


if __name__ == "__main__":
    main()
