"""Tipping on the real anvil: servers that watch it, users with linked dev wallets, paying an
intent from a wallet, and waiting for the chain's verdict."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from tests.helpers import User, create_room, join, register
from tests.integration.siwe_helpers import link_wallet
from tipchat.tips.devchain import DevChain
from tipchat.tips.rpc import ChainClient

# Passes every 50 ms: tests wait for the chain, not for the poll.
WATCH_FAST: dict[str, Any] = {"watcher_poll_interval_s": 0.05, "watcher_max_backoff_s": 0.5}


@dataclass
class Scene:
    """alice tips bob in a public room; both linked one dev wallet each."""

    alice: User
    bob: User
    room_id: int
    alice_wallet: LocalAccount
    bob_wallet: LocalAccount
    dev: DevChain

    async def intent(self, amount: int = 10**15, token: str | None = None, **extra: Any) -> dict:
        body = {
            "room_id": self.room_id,
            "to_user_id": self.bob.id,
            "chain_id": self.dev.chain_id,
            "token": token or "0x" + "00" * 20,
            "amount": str(amount),
            **extra,
        }
        r = await self.alice.http.post("/api/tips", json=body)
        assert r.status_code == 201, r.text
        intent: dict = r.json()
        return intent

    async def close(self) -> None:
        await self.alice.http.aclose()
        await self.bob.http.aclose()


async def make_scene(base_url: str, dev: DevChain) -> Scene:
    alice, bob = await register(base_url), await register(base_url)
    await link_wallet(alice, dev.accounts[0].private_key)
    await link_wallet(bob, dev.accounts[1].private_key)
    room_id = await create_room(alice, "tips")
    await join(bob, room_id)
    return Scene(alice, bob, room_id, dev.accounts[0].local(), dev.accounts[1].local(), dev)


async def pay(chain: ChainClient, account: LocalAccount, payment: dict) -> str:
    """Send the intent's payment as a wallet would (approve first for a token); the tx hash."""
    if payment["approve"] is not None:
        await chain.send(account, to=payment["approve"]["to"], data=payment["approve"]["data"])
    receipt = await chain.send(
        account, to=payment["to"], data=payment["data"], value=int(payment["value"])
    )
    return str(receipt["transactionHash"].to_0x_hex())


async def signed_tx(
    chain: ChainClient, account: LocalAccount, *, to: str, data: str, value: int = 0
) -> tuple[str, bytes]:
    """(hash, raw bytes) of a signed transaction with fixed gas: it is sent even if it will
    revert (a wallet does that when the user insists), and can be sent again after a reorg."""
    w3 = chain.w3
    block = await w3.eth.get_block("latest")
    tx = {
        "to": w3.to_checksum_address(to),
        "data": data,
        "value": value,
        "gas": 300_000,
        "chainId": await chain.chain_id(),
        "nonce": await w3.eth.get_transaction_count(account.address, "pending"),
        "maxFeePerGas": 2 * int(block["baseFeePerGas"]) + 10**9,
        "maxPriorityFeePerGas": 10**9,
    }
    signed = account.sign_transaction(tx)
    return "0x" + bytes(signed.hash).hex(), bytes(signed.raw_transaction)


async def send_raw(chain: ChainClient, raw: bytes) -> None:
    await chain.rpc("eth_sendRawTransaction", "0x" + raw.hex())


async def mine(chain: ChainClient, blocks: int) -> None:
    await chain.rpc("anvil_mine", hex(blocks))


async def tip_of(user: User, tip_id: int) -> dict:
    r = await user.http.get(f"/api/tips/{tip_id}")
    assert r.status_code == 200, r.text
    tip: dict = r.json()["tip"]
    return tip


async def wait_status(user: User, tip_id: int, status: str, timeout: float = 20) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        tip = await tip_of(user, tip_id)
        if tip["status"] == status:
            return tip
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"tip {tip_id} is {tip['status']}, not {status}: {tip}")
        await asyncio.sleep(0.05)


async def wait_scanned(db: Any, chain: ChainClient, chain_id: int, timeout: float = 20) -> None:
    """Until two watcher passes have read past the chain's current head: whatever the chain
    holds now has been looked at, and the unfinished tips re-checked after it."""
    target = await chain.w3.eth.block_number
    deadline = asyncio.get_running_loop().time() + timeout
    for _ in range(2):
        while True:
            next_block = await db.fetchval(
                "SELECT next_block FROM chain_cursors WHERE chain_id = $1", chain_id
            )
            if next_block is not None and next_block > target:
                break
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the watcher did not read past block {target}")
            await asyncio.sleep(0.05)
        await mine(chain, 1)  # a block the next pass must read too
        target += 1


async def tip_events(db: Any, room_id: int) -> list[str]:
    """The statuses of the room's stored tip_updated events, in seq order."""
    rows = await db.fetch(
        "SELECT payload::jsonb -> 'tip' ->> 'status' AS status FROM room_events"
        " WHERE room_id = $1 AND type = 'tip_updated' ORDER BY seq",
        room_id,
    )
    return [r["status"] for r in rows]
