"""Signatures of contract wallets, asked of the chain: EIP-1271 for deployed ones, EIP-6492
for ones not deployed yet (design §6.1; ecrecover for ordinary accounts is `siwe`'s).

An EIP-6492 signature is `abi.encode(address factory, bytes factoryCalldata, bytes signature)`
followed by a 32-byte magic suffix: the inner signature is the one the wallet will vouch for
through EIP-1271 once `factory.call(factoryCalldata)` has deployed it. What we do with one:

- the wallet has code already: EIP-1271 with the inner signature, and nothing else. (The EIP
  allows calling the factory first and asking again when that fails, for wallets that need a
  "prepare" transaction such as an upgrade; we do not, a wallet of that kind must be prepared.)
- no code: one "deployless" eth_call, with no `to` and as data the creation code of our
  `Erc6492Check` with its constructor arguments. The constructor calls the factory, asks the
  now-deployed wallet `isValidSignature`, and returns one byte, 0x01 for yes. The node runs
  it as a simulation and keeps nothing: the wallet is still undeployed afterwards.

A revert, or an answer of any other shape, is a "no" from the wallet, never an RPC failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from web3.exceptions import ContractLogicError, Web3ValueError
from web3.types import TxParams

from tipchat.errors import Code, TipchatError
from tipchat.tips.artifacts import load
from tipchat.tips.rpc import ChainClient

# EIP-1271: what isValidSignature returns for a good signature (its own selector).
EIP1271_MAGIC = bytes.fromhex("1626ba7e")
_EIP1271_ABI: list[dict[str, Any]] = [
    {
        "name": "isValidSignature",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
        "outputs": [{"name": "", "type": "bytes4"}],
    }
]
# EIP-6492 wraps the signature of a not-yet-deployed contract wallet and ends with this.
EIP6492_SUFFIX = bytes.fromhex("64926492" * 8)
_EIP6492_TYPES = ("address", "bytes", "bytes")
# What a wallet's revert or a malformed answer looks like from web3.py: a "no", not a failure.
_WALLET_SAYS_NO = (ContractLogicError, Web3ValueError)


@dataclass(frozen=True)
class Erc6492:
    """An unwrapped EIP-6492 signature."""

    factory: str
    factory_calldata: bytes
    signature: bytes


def unwrap_6492(signature: bytes) -> Erc6492 | None:
    """The parts of an EIP-6492 signature; None when it is not one (no suffix).

    Its size, the factory calldata's included, is bounded by the caller (the server takes at
    most `wallets.MAX_SIGNATURE_BYTES`); a body that is not the ABI encoding of
    (address, bytes, bytes) is refused with siwe_signature_invalid."""
    if not signature.endswith(EIP6492_SUFFIX):
        return None
    try:
        factory, calldata, inner = decode(_EIP6492_TYPES, signature[: -len(EIP6492_SUFFIX)])
    except (DecodingError, OverflowError) as exc:  # eth_abi overflows on huge offsets
        raise TipchatError(
            Code.siwe_signature_invalid, "malformed EIP-6492 signature (not address, bytes, bytes)"
        ) from exc
    return Erc6492(factory=to_checksum_address(factory), factory_calldata=calldata, signature=inner)


async def is_valid(
    client: ChainClient, *, address: str, digest: bytes, signature: bytes, wrapped: Erc6492 | None
) -> bool:
    """Does the contract wallet at address vouch for signature over digest? `wrapped` is
    `unwrap_6492(signature)`. False for an ordinary account (no code, nothing wrapped)."""
    wallet = client.w3.to_checksum_address(address)
    deployed = bool(await client.w3.eth.get_code(wallet))
    if wrapped is None:
        return deployed and await _is_valid_1271(client, wallet, digest, signature)
    if deployed:
        return await _is_valid_1271(client, wallet, digest, wrapped.signature)
    return await _is_valid_undeployed(client, wallet, digest, wrapped)


async def _is_valid_1271(
    client: ChainClient, address: ChecksumAddress, digest: bytes, signature: bytes
) -> bool:
    wallet = client.w3.eth.contract(address=address, abi=_EIP1271_ABI)
    try:
        answer = await wallet.functions.isValidSignature(digest, signature).call()
    except _WALLET_SAYS_NO:
        return False
    return bytes(answer) == EIP1271_MAGIC


async def _is_valid_undeployed(
    client: ChainClient, address: ChecksumAddress, digest: bytes, wrapped: Erc6492
) -> bool:
    args = encode(
        ("address", "bytes32", "address", "bytes", "bytes"),
        (address, digest, wrapped.factory, wrapped.factory_calldata, wrapped.signature),
    )
    data = bytes.fromhex(load("Erc6492Check").bytecode.removeprefix("0x")) + args
    try:
        answer = await client.w3.eth.call(cast(TxParams, {"data": data}))
    except _WALLET_SAYS_NO:
        return False
    return bytes(answer) == b"\x01"
