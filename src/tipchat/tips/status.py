"""Moving a tip between states: each change is a `tip_updated` room event (design §6.5).

    pending -> seen -> confirmed -> finalized
       |        |  ^       |
       |        v  |       v
       |      dropped <----+        (a reorg took its block; seen again if re-included)
       v
     failed                         (reverted, mismatch, expired; final)

A log that moves to another block without ever leaving the chain (re-mined at once) is also
an update (same status, new block), since members see the block number.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from tipchat.chat import access, events
from tipchat.services import Services
from tipchat.storage import tips as tip_store

FINAL = frozenset(("finalized", "failed"))


class _Moved(Exception):
    """The tip is no longer in the expected state: roll back (the room seq with it)."""


async def do_change_tip(
    svc: Services, *, tip_id: int, expect: str, status: str, **where: Any
) -> asyncpg.Record | None:
    """Set tip_id's status (and where it was seen: tx_hash, log_index, block_number, ...)
    if it is still `expect`; commit with its tip_updated event, then publish. None when the
    tip moved meanwhile (nothing written)."""
    try:
        async with svc.db.acquire() as conn, conn.transaction():
            tip = await tip_store.get_tip(conn=conn, tip_id=tip_id)
            if tip is None:
                return None
            # The room lock first, as for every room write; then the tip, re-read under it.
            locked = await access.lock_room(conn, tip["room_id"])
            tip = await tip_store.get_tip(conn=conn, tip_id=tip_id, lock=True)
            if tip is None or tip["status"] != expect or tip["status"] in FINAL:
                raise _Moved
            changed = await tip_store.update_tip(conn=conn, tip_id=tip_id, status=status, **where)
            event = await events.append(
                conn,
                room_id=tip["room_id"],
                seq=locked["seq"],
                type="tip_updated",
                body={"message_seq": tip["seq"], "tip": changed["snapshot"]},
            )
    except _Moved:
        return None
    await events.publish(svc, event)
    return changed
