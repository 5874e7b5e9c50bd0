"""The attachment sweep: deletes the files (and rows) that no message shows.

- unused: uploads not sent with a message within `attachment_unused_ttl_s` of their slot
  (abandoned drafts, cancelled or failed uploads, rejected ones);
- withdrawn: the files of deleted messages. Deleting a message withdraws them at once
  (`withdraw_message`); the sweep finishes whatever failed then.

Two steps, so that no message ever points at a deleted file: first a row is withdrawn
(status 'deleted', in one statement that locks it only while it is still unsent, see
storage.attachments.withdraw_unused), which a send refuses; only then are its files deleted,
then the row. A file whose delete fails keeps its withdrawn row, and the next pass retries.

Every process runs `run_sweeper` (`tipchat serve` and `tipchat worker`); a PostgreSQL
advisory lock lets one of them sweep at a time, and the row locks keep even two sweeps apart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from tipchat.chat.attachments import MAX_PER_MESSAGE
from tipchat.services import Services
from tipchat.storage import attachments as attachment_store

log = logging.getLogger(__name__)

# Rows per transaction: a withdrawn batch stays locked while its files are deleted.
BATCH = 100
_LOCK = "tipchat-attachment-sweep"

Claim = Callable[[asyncpg.Connection], Awaitable[list[asyncpg.Record]]]


@dataclass(frozen=True)
class Swept:
    unused: int  # uploads withdrawn because they were never sent
    deleted: int  # attachments whose files and rows are gone
    failed: int  # attachments whose files could not be deleted (retried next pass)


async def sweep(svc: Services) -> Swept | None:
    """One pass; None when another process holds the sweep lock."""
    async with svc.db.acquire() as conn:
        locked = await conn.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", _LOCK)
        if not locked:
            return None
        try:
            unused = await _withdraw_unused(conn, svc.settings.attachment_unused_ttl_s)
            deleted, failed = await _purge_withdrawn(svc, conn)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", _LOCK)
    return Swept(unused=unused, deleted=deleted, failed=failed)


async def _withdraw_unused(conn: asyncpg.Connection, older_than_s: float) -> int:
    total = 0
    while True:
        n = await attachment_store.withdraw_unused(
            conn=conn, older_than_s=older_than_s, limit=BATCH
        )
        total += n
        if n < BATCH:
            return total


async def _purge_withdrawn(svc: Services, conn: asyncpg.Connection) -> tuple[int, int]:
    deleted = failed = 0
    while True:
        done, lost = await _purge(
            svc, conn, lambda c: attachment_store.claim_withdrawn(conn=c, limit=BATCH)
        )
        deleted, failed = deleted + done, failed + lost
        if done + lost < BATCH or lost:  # all done, or the store fails: the next pass retries
            return deleted, failed


async def withdraw_message(svc: Services, *, room_id: int, seq: int) -> None:
    """Delete the files of deleted message seq now (after its delete committed): a link
    handed out before stops working too. What fails here is left to the sweep."""
    try:
        async with svc.db.acquire() as conn:
            await _purge(
                svc,
                conn,
                lambda c: attachment_store.claim_withdrawn(
                    conn=c, limit=MAX_PER_MESSAGE, room_id=room_id, seq=seq
                ),
            )
    except Exception:  # the message is deleted either way
        log.exception("withdrawing the files of message %s/%s failed", room_id, seq)


async def _purge(svc: Services, conn: asyncpg.Connection, claim: Claim) -> tuple[int, int]:
    """Delete the files of a claimed batch of withdrawn rows, then the rows whose files went:
    (deleted, failed)."""
    async with conn.transaction():
        rows = await claim(conn)
        results = await asyncio.gather(
            *(_delete_files(svc, row) for row in rows), return_exceptions=True
        )
        gone = [row["id"] for row, r in zip(rows, results, strict=True) if r is None]
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("attachment %s: deleting its files failed: %r", row["id"], result)
        if gone:
            await attachment_store.delete_rows(conn=conn, ids=gone)
    return len(gone), len(rows) - len(gone)


async def _delete_files(svc: Services, row: Any) -> None:
    await svc.objects.delete(key=row["object_key"])
    if row["thumbnail_key"] is not None:
        await svc.objects.delete(key=row["thumbnail_key"])


async def run_sweeper(svc: Services) -> None:
    """Sweep every attachment_sweep_interval_s, forever (a task of serve and worker)."""
    interval = svc.settings.attachment_sweep_interval_s
    while True:
        try:
            swept = await sweep(svc)
            if swept is not None and (swept.unused or swept.deleted or swept.failed):
                log.info(
                    "attachment sweep: %d unused uploads withdrawn, %d attachments deleted,"
                    " %d left to retry",
                    swept.unused,
                    swept.deleted,
                    swept.failed,
                )
        except asyncio.CancelledError:
            raise
        except Exception:  # storage down: try again next time
            log.exception("attachment sweep failed")
        await asyncio.sleep(interval)
