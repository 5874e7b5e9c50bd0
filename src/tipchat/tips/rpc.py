"""`ChainClient`: the narrow interface to one chain's JSON-RPC, over web3.py's AsyncWeb3.

Transactions are signed here with a local eth-account key and sent raw, so the same code
deploys to anvil and to a real chain; nothing relies on a node holding unlocked accounts.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiohttp import ClientTimeout
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.contract import AsyncContract
from web3.types import RPCEndpoint, TxParams, TxReceipt, Wei

from tipchat.tips.artifacts import Artifact

# Estimates are made against the current state; a little headroom keeps a transaction from
# running out of gas when the state moves before it is mined (other senders on a real chain).
_GAS_HEADROOM = 1.2


class ChainError(Exception):
    """The chain could not be reached, or answered with an error."""


class TxReverted(ChainError):
    def __init__(self, tx_hash: str) -> None:
        super().__init__(f"transaction {tx_hash} reverted")
        self.tx_hash = tx_hash


class ChainClient:
    """One chain over one RPC URL. Sends from the same account are serialised (nonces)."""

    def __init__(self, rpc_url: str, *, timeout_s: float = 10.0) -> None:
        self.rpc_url = rpc_url
        self.timeout_s = timeout_s
        self.w3 = AsyncWeb3(
            AsyncHTTPProvider(rpc_url, request_kwargs={"timeout": ClientTimeout(total=timeout_s)})
        )
        self._send_lock = asyncio.Lock()

    async def close(self) -> None:
        await self.w3.provider.disconnect()

    async def __aenter__(self) -> ChainClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def chain_id(self) -> int:
        return int(await self.w3.eth.chain_id)

    async def balance(self, address: str) -> int:
        return int(await self.w3.eth.get_balance(self.w3.to_checksum_address(address)))

    async def rpc(self, method: str, *params: Any) -> Any:
        """A raw JSON-RPC call (anvil's evm_snapshot, anvil_mine, ...)."""
        response = await self.w3.provider.make_request(RPCEndpoint(method), list(params))
        if "error" in response:
            raise ChainError(f"{method}: {response['error']}")
        return response.get("result")

    def contract(self, artifact: Artifact, address: str) -> AsyncContract:
        return self.w3.eth.contract(address=self.w3.to_checksum_address(address), abi=artifact.abi)

    async def send(
        self, account: LocalAccount, *, to: str | None, data: bytes | str = b"", value: int = 0
    ) -> TxReceipt:
        """Sign with `account`, send, wait for the receipt; TxReverted if it failed.

        The gas estimate runs the call first, so most failures (a contract's revert) raise
        web3's ContractLogicError here, before anything is sent."""
        async with self._send_lock:
            tx: dict[str, Any] = {
                "from": account.address,
                "value": Wei(value),
                "data": data,
                "chainId": await self.chain_id(),
                "nonce": await self.w3.eth.get_transaction_count(account.address, "pending"),
            }
            if to is not None:
                tx["to"] = self.w3.to_checksum_address(to)
            tx["gas"] = int(await self.w3.eth.estimate_gas(cast(TxParams, tx)) * _GAS_HEADROOM)
            tx.update(await self._fees())
            signed = account.sign_transaction(tx)
            tx_hash = await self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = await self.w3.eth.wait_for_transaction_receipt(
            tx_hash, timeout=self.timeout_s * 6, poll_latency=0.05
        )
        if receipt["status"] != 1:
            raise TxReverted(tx_hash.to_0x_hex())
        return receipt

    async def deploy(
        self, account: LocalAccount, artifact: Artifact, *args: Any
    ) -> ChecksumAddress:
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        receipt = await self.send(account, to=None, data=data)
        address = receipt["contractAddress"]
        if address is None:
            raise ChainError(f"deploying {artifact.name} returned no contract address")
        return address

    async def transact(
        self, account: LocalAccount, contract: AsyncContract, fn: str, *args: Any, value: int = 0
    ) -> TxReceipt:
        """Call a contract function in a transaction: `transact(acct, router, "tipNative", ...)`."""
        data = contract.encode_abi(fn, args=list(args))
        return await self.send(account, to=contract.address, data=data, value=value)

    async def _fees(self) -> dict[str, int]:
        """EIP-1559 fees: room for the base fee to double before inclusion, plus the tip."""
        block = await self.w3.eth.get_block("latest")
        base = int(block.get("baseFeePerGas", 0))
        priority = int(await self.w3.eth.max_priority_fee)
        return {"maxFeePerGas": 2 * base + priority, "maxPriorityFeePerGas": priority}
