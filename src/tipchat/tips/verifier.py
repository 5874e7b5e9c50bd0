"""One verification pass over one chain (design §6.4): the chain decides, never the client.

A pass (1) reads the router's `Tip` logs from the stored cursor to the head, matching each to
its intent by reference; (2) looks at the transactions senders hinted (a reverted one fails its
tip once it is `confirmations` deep); (3) re-checks every seen, confirmed or dropped tip against
the chain's current receipts: a log whose transaction is gone makes its tip `dropped`, one
that is back makes it `seen` again, and depth moves tips to `confirmed` and `finalized`;
(4) fails pending intents that expired. Every step is idempotent, so a pass can be cut off
anywhere and simply runs again: nothing is lost or doubled across restarts.

A log counts for a tip only if it comes from the configured router, carries the tip's
reference, and was sent from a wallet the tipper linked. A log from anyone else is ignored
(so knowing a reference lets nobody spoil a tip); a log from the tipper's wallet that pays the
wrong recipient, token or amount fails the tip (mismatch).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg

from tipchat.config import ChainConfig
from tipchat.services import Services
from tipchat.storage import tips as tip_store
from tipchat.storage import wallets as wallet_store
from tipchat.tips.calldata import TIP_TOPIC, TipLog, parse_tip_log
from tipchat.tips.endpoints import Endpoints
from tipchat.tips.status import FINAL, do_change_tip

log = logging.getLogger(__name__)

# When the block under the cursor changed (a reorg deeper than the window re-read every
# pass), read again from this many blocks further back.
REORG_REWIND = 128


class Verifier:
    def __init__(self, svc: Services, chain: ChainConfig, endpoints: Endpoints) -> None:
        self.svc = svc
        self.chain = chain
        self.endpoints = endpoints

    async def _rpc(self, method: str, *params: Any) -> Any:
        return await self.endpoints.call(lambda client: client.rpc(method, *params))

    async def _block(self, tag: int | str) -> dict[str, Any] | None:
        block: dict[str, Any] | None = await self._rpc(
            "eth_getBlockByNumber", hex(tag) if isinstance(tag, int) else tag, False
        )
        return block

    async def run_pass(self) -> None:
        head = int(await self._rpc("eth_blockNumber"), 16)
        await self._scan(head)
        finalized = await self._finalized_number(head)
        async with self.svc.db.acquire() as conn:
            tips = await tip_store.unfinished(conn=conn, chain_id=self.chain.chain_id)
        now = datetime.now(UTC)
        for tip in tips:
            if tip["status"] == "pending":
                if tip["tx_hint"] is not None:
                    await self._check_hint(tip, head)
                if tip["expires_at"] < now:
                    await do_change_tip(
                        self.svc,
                        tip_id=tip["id"],
                        expect="pending",
                        status="failed",
                        failure="expired",
                    )
            else:
                await self._recheck(tip, head, finalized)

    # (1) logs

    async def _scan(self, head: int) -> None:
        start = await self._start_block(head)
        step = self.svc.settings.watcher_log_range
        for first in range(start, head + 1, step):
            last = min(first + step - 1, head)
            logs = await self._rpc(
                "eth_getLogs",
                {
                    "address": self.chain.router,
                    "topics": [TIP_TOPIC],
                    "fromBlock": hex(first),
                    "toBlock": hex(last),
                },
            )
            for raw in logs:
                await self.handle_log(raw)
        top = await self._block(head)
        async with self.svc.db.acquire() as conn:
            await tip_store.set_cursor(
                conn=conn,
                chain_id=self.chain.chain_id,
                router=self.chain.router,
                next_block=head + 1,
                last_hash=top["hash"] if top else None,
            )

    async def _start_block(self, head: int) -> int:
        async with self.svc.db.acquire() as conn:
            cursor = await tip_store.get_cursor(conn=conn, chain_id=self.chain.chain_id)
        if cursor is None or cursor["router"] != self.chain.router:
            # A new chain, or a new router (a fresh dev chain): start near the head.
            return max(0, head - self.svc.settings.watcher_first_lookback)
        start = min(int(cursor["next_block"]), head + 1)
        if cursor["last_hash"] is not None and cursor["next_block"] > 0:
            under = await self._block(int(cursor["next_block"]) - 1)
            if under is None or under["hash"] != cursor["last_hash"]:
                log.warning("chain %s: reorg under the cursor; reading back", self.chain.chain_id)
                start = max(0, start - REORG_REWIND)
        # The unconfirmed window again, every pass: logs re-mined in new blocks are found.
        return max(0, start - self.chain.confirmations)

    async def handle_log(self, raw: dict[str, Any]) -> None:
        tip_log = parse_tip_log(raw)
        if tip_log is None or tip_log.address != self.chain.router or tip_log.removed:
            return  # another contract's look-alike event never counts
        async with self.svc.db.acquire() as conn:
            tip = await tip_store.get_by_reference(
                conn=conn, chain_id=self.chain.chain_id, reference=tip_log.reference
            )
            if tip is None or tip["status"] in FINAL:
                return
            if not await self._from_tipper(conn, tip, tip_log):
                return
        claimed = tip["tx_hash"] is not None
        if claimed and (tip["tx_hash"], tip["log_index"]) == (tip_log.tx_hash, tip_log.log_index):
            return  # already this tip's log: the re-check follows its block
        if claimed and tip["status"] != "dropped":
            return  # paid twice with one reference: the first payment is the tip
        if self._matches(tip, tip_log):
            where = {"block_number": tip_log.block_number, "block_hash": tip_log.block_hash}
            status, failure = "seen", None
        else:
            where, status, failure = {}, "failed", "mismatch"
        # A (chain, tx, log index) already paying another tip is refused by the unique key.
        with contextlib.suppress(asyncpg.UniqueViolationError):
            await do_change_tip(
                self.svc,
                tip_id=tip["id"],
                expect=tip["status"],
                status=status,
                failure=failure,
                tx_hash=tip_log.tx_hash,
                log_index=tip_log.log_index,
                from_address=tip_log.sender,
                **where,
            )

    async def _from_tipper(self, conn: asyncpg.Connection, tip: Any, tip_log: TipLog) -> bool:
        owner = await wallet_store.owner_of(conn=conn, address=tip_log.sender)
        return owner is not None and owner == int(tip["sender_id"])

    def _matches(self, tip: Any, tip_log: TipLog) -> bool:
        allowed = {t.address for t in self.chain.tokens}
        return (
            tip_log.recipient == tip["recipient_address"]
            and tip_log.token == tip["token"]
            and tip_log.token in allowed
            and tip_log.amount == int(tip["amount"])
        )

    # (2) hints

    async def _check_hint(self, tip: Any, head: int) -> None:
        receipt = await self._rpc("eth_getTransactionReceipt", tip["tx_hint"])
        if receipt is None:
            return  # not mined (yet), or never sent: the hint proves nothing
        if int(receipt["status"], 16) == 1:
            for raw in receipt.get("logs", []):
                await self.handle_log(raw)
            return
        deep = head - int(receipt["blockNumber"], 16) + 1 >= self.chain.confirmations
        to = receipt.get("to") or ""
        if not deep or to.lower() != self.chain.router.lower():
            return
        async with self.svc.db.acquire() as conn:
            owner = await wallet_store.owner_of(conn=conn, address=_checksum(receipt["from"]))
        if owner == tip["sender_id"]:
            await do_change_tip(
                self.svc,
                tip_id=tip["id"],
                expect="pending",
                status="failed",
                failure="reverted",
                tx_hash=receipt["transactionHash"],
            )

    # (3) re-checks

    async def _recheck(self, tip: Any, head: int, finalized: int) -> None:
        found = await self._current_log(tip)
        status = tip["status"]
        if found is None:
            if status != "dropped":
                await do_change_tip(self.svc, tip_id=tip["id"], expect=status, status="dropped")
            return
        where = {"block_number": found.block_number, "block_hash": found.block_hash}
        depth = head - found.block_number + 1
        if depth >= self.chain.confirmations and found.block_number <= finalized:
            new = "finalized"
        elif depth >= self.chain.confirmations:
            new = "confirmed"
        else:
            new = "seen"
        if status == "dropped":
            new = "seen"  # back on the chain: members see it return before it confirms
        if new == status and found.block_hash == tip["block_hash"]:
            return
        await do_change_tip(self.svc, tip_id=tip["id"], expect=status, status=new, **where)

    async def _current_log(self, tip: Any) -> TipLog | None:
        """The tip's log as the chain has it now, or None if its transaction is not on it."""
        receipt = await self._rpc("eth_getTransactionReceipt", tip["tx_hash"])
        if receipt is None or int(receipt["status"], 16) != 1:
            return None
        for raw in receipt.get("logs", []):
            tip_log = parse_tip_log(raw)
            if (
                tip_log is not None
                and tip_log.log_index == tip["log_index"]
                and tip_log.address == self.chain.router
                and tip_log.reference == bytes(tip["reference"])
            ):
                return tip_log
        return None

    async def _finalized_number(self, head: int) -> int:
        if self.chain.finality_depth is not None:
            return head - self.chain.finality_depth + 1
        block = await self._block("finalized")
        return int(block["number"], 16) if block else -1


def _checksum(address: str) -> str:
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(address))
