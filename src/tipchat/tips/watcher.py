"""Chain watchers: one task per chain running verification passes (tips.verifier) forever.

Runs inside `tipchat serve` (Settings.watcher) and as `tipchat worker`. With several
processes on one database, a PostgreSQL advisory lock per chain lets exactly one watcher act
at a time; the others wait and take over when its session ends (a crash ends it too).
A chain whose RPC URLs all fail is retried with growing waits: tips wait, nothing changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from tipchat.config import ChainConfig
from tipchat.services import Services
from tipchat.tips.endpoints import ChainUnavailable
from tipchat.tips.runtime import ChainRuntime
from tipchat.tips.verifier import Verifier

log = logging.getLogger(__name__)


class Watcher:
    def __init__(self, svc: Services, chain: ChainConfig, verifier: Verifier) -> None:
        self.svc = svc
        self.chain = chain
        self.verifier = verifier
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run the next pass now (a sender just hinted a transaction)."""
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _try_lock(self, conn: asyncpg.Connection) -> bool:
        # Session-level: held while this connection lives, released if it dies.
        locked: bool = await conn.fetchval(
            "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
            f"tipchat-watcher:{self.chain.chain_id}",
        )
        return locked

    async def run(self) -> None:
        interval = self.svc.settings.watcher_poll_interval_s
        backoff = interval
        while True:
            try:
                async with self.svc.db.acquire() as lock_conn:
                    while not await self._try_lock(lock_conn):
                        await self._sleep(interval)
                    log.info("chain %s: watching tips", self.chain.chain_id)
                    while True:
                        await lock_conn.fetchval("SELECT 1")  # still ours?
                        try:
                            await self.verifier.run_pass()
                            backoff = interval
                        except ChainUnavailable:
                            backoff = min(backoff * 2, self.svc.settings.watcher_max_backoff_s)
                            log.warning(
                                "chain %s unavailable; next try in %.1f s",
                                self.chain.chain_id,
                                backoff,
                            )
                        await self._sleep(backoff)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Storage down, a bug in one pass: log, wait, start over (passes are idempotent).
                log.exception("chain %s: watcher pass failed", self.chain.chain_id)
                backoff = min(backoff * 2, self.svc.settings.watcher_max_backoff_s)
                await asyncio.sleep(backoff)


class Watchers:
    """The running watchers of a process, one per configured chain."""

    def __init__(self, watchers: list[Watcher]) -> None:
        self._watchers = {w.chain.chain_id: w for w in watchers}
        self._tasks = [asyncio.create_task(w.run()) for w in watchers]

    @classmethod
    def start(cls, svc: Services, chains: ChainRuntime) -> Watchers:
        return cls(
            [
                Watcher(svc, chain, Verifier(svc, chain, chains.endpoints(chain)))
                for chain in chains.chains
            ]
        )

    def wake(self, chain_id: int) -> None:
        watcher = self._watchers.get(chain_id)
        if watcher is not None:
            watcher.wake()

    async def wait(self) -> None:
        await asyncio.gather(*self._tasks)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
