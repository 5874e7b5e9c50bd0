"""What a wallet sends to pay a tip, and how a router's `Tip` log reads.

Encoded from the router's ABI offline (no RPC): the intent response carries `to`, `data`
and `value`, so the client only asks its wallet to send them (after an ERC-20 `approve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from tipchat.config import NATIVE_TOKEN

TIP_TOPIC = "0x" + keccak(text="Tip(bytes32,address,address,address,uint256)").hex()
_TIP_NATIVE = keccak(text="tipNative(bytes32,address)")[:4]
_TIP_TOKEN = keccak(text="tipToken(bytes32,address,address,uint256)")[:4]
_APPROVE = keccak(text="approve(address,uint256)")[:4]


@dataclass(frozen=True)
class Payment:
    to: str  # the router
    data: str  # 0x-hex call data
    value: int  # wei to send along (native tips only)
    approve: dict[str, str] | None  # ERC-20: the approve call to send first


def payment(*, router: str, reference: bytes, recipient: str, token: str, amount: int) -> Payment:
    if token == NATIVE_TOKEN:
        data = _TIP_NATIVE + encode(["bytes32", "address"], [reference, recipient])
        return Payment(to=router, data="0x" + data.hex(), value=amount, approve=None)
    data = _TIP_TOKEN + encode(
        ["bytes32", "address", "address", "uint256"], [reference, token, recipient, amount]
    )
    approve = _APPROVE + encode(["address", "uint256"], [router, amount])
    return Payment(
        to=router,
        data="0x" + data.hex(),
        value=0,
        approve={"to": token, "data": "0x" + approve.hex(), "spender": router},
    )


@dataclass(frozen=True)
class TipLog:
    """One `Tip(ref, from, to, token, amount)` log, and where it sits on the chain."""

    address: str  # the contract that emitted it
    reference: bytes
    sender: str
    recipient: str
    token: str
    amount: int
    tx_hash: str
    log_index: int
    block_number: int
    block_hash: str
    removed: bool


def _hex(value: Any) -> str:
    return value if isinstance(value, str) else "0x" + bytes(value).hex()


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _topic_address(topic: Any) -> str:
    return str(to_checksum_address("0x" + _hex(topic)[-40:]))


def parse_tip_log(log: dict[str, Any]) -> TipLog | None:
    """A raw eth_getLogs / receipt log as a TipLog; None if it is not a well-formed Tip."""
    topics = [_hex(t) for t in log.get("topics", [])]
    if len(topics) != 4 or topics[0].lower() != TIP_TOPIC:
        return None
    data = bytes.fromhex(_hex(log["data"])[2:])
    if len(data) != 64:
        return None
    token, amount = decode(["address", "uint256"], data)
    return TipLog(
        address=str(to_checksum_address(_hex(log["address"]))),
        reference=bytes.fromhex(topics[1][2:]),
        sender=_topic_address(topics[2]),
        recipient=_topic_address(topics[3]),
        token=str(to_checksum_address(token)),
        amount=int(amount),
        tx_hash=_hex(log["transactionHash"]),
        log_index=_int(log["logIndex"]),
        block_number=_int(log["blockNumber"]),
        block_hash=_hex(log["blockHash"]),
        removed=bool(log.get("removed", False)),
    )
