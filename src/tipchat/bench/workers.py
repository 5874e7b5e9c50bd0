"""The parent's side of the load-generator processes (tipchat.bench.load): start them, read
their messages without blocking the event loop, tell them when to go and when to stop."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection as Pipe
from typing import Any

from tipchat.bench.load import worker_main

JOIN_TIMEOUT_S = 15.0


class WorkerError(RuntimeError):
    pass


class WorkerPool:
    def __init__(
        self,
        specs: list[dict[str, Any]],
        target: Callable[[dict[str, Any], Pipe], None] = worker_main,
    ) -> None:
        """target: the process entry point (tipchat.bench.soak_load has another one)."""
        self.specs = specs
        self.target = target
        self.processes: list[Any] = []
        self.pipes: list[Pipe] = []
        self.ticks: dict[int, dict[str, Any]] = {}
        self._connected: list[asyncio.Future[dict[str, Any]]] = []
        self._results: list[asyncio.Future[dict[str, Any]]] = []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        # spawn, not fork: the parent runs an event loop and threads.
        ctx = multiprocessing.get_context("spawn")
        for i, spec in enumerate(self.specs):
            ours, theirs = ctx.Pipe()
            process = ctx.Process(
                target=self.target, args=(spec, theirs), name=f"bench-load-{i}", daemon=True
            )
            process.start()
            theirs.close()
            self.processes.append(process)
            self.pipes.append(ours)
            self._connected.append(loop.create_future())
            self._results.append(loop.create_future())
            loop.add_reader(ours.fileno(), self._on_readable, i)

    def _on_readable(self, i: int) -> None:
        pipe = self.pipes[i]
        try:
            while pipe.poll():
                kind, index, data = pipe.recv()
                if kind == "tick":
                    self.ticks[index] = data
                elif kind == "connected":
                    self.ticks.setdefault(index, {"open": data["open"]})
                    _settle(self._connected[index], data)
                elif kind == "result":
                    self.ticks[index] = data["counters"]
                    _settle(self._results[index], data)
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(pipe.fileno())
            # Its pipe closes just before it exits: wait a moment (this path only) for the exit
            # code, which tells a crash (a negative signal number) from a clean exit.
            process = self.processes[i]
            process.join(0.5)
            gone = WorkerError(f"load worker {i} exited early (exit code {process.exitcode})")
            for future in (self._connected[i], self._results[i]):
                if not future.done():
                    future.set_exception(gone)

    async def connected(self, within_s: float) -> list[dict[str, Any]]:
        return list(await asyncio.wait_for(asyncio.gather(*self._connected), within_s))

    def _broadcast(self, *message: Any) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(message)

    def go(self, t_start: float, t_end: float) -> None:
        self._broadcast("go", t_start, t_end)

    async def results(self, within_s: float) -> list[dict[str, Any]]:
        self._broadcast("close")
        return list(await asyncio.wait_for(asyncio.gather(*self._results), within_s))

    def total(self, key: str) -> int:
        return sum(int(t.get(key, 0)) for t in self.ticks.values())

    async def stop(self) -> None:
        """Always called: every process joined (terminated if it must be), every pipe closed."""
        loop = asyncio.get_running_loop()
        for pipe in self.pipes:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(pipe.fileno())
        for future in self._connected + self._results:
            if not future.done():
                future.cancel()
        for process in self.processes:
            await asyncio.to_thread(process.join, JOIN_TIMEOUT_S)
            if process.is_alive():
                process.terminate()
                await asyncio.to_thread(process.join, 5)
            if process.is_alive():
                process.kill()
                await asyncio.to_thread(process.join, 5)
            process.close()
        for pipe in self.pipes:
            pipe.close()
        self.processes, self.pipes = [], []


def _settle(future: asyncio.Future[dict[str, Any]], data: dict[str, Any]) -> None:
    if not future.done():
        future.set_result(data)
