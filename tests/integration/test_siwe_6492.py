"""Wallet linking for contract wallets not deployed yet (EIP-6492), on the real dev chain: the
owner of a counterfactual OwnedWallet (its CREATE2 factory deployed, the wallet not) signs,
the signature is wrapped with the factory call that would deploy it, and the server checks it
with a deployless eth_call that leaves the chain as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_abi.abi import encode
from eth_account import Account

from tests.integration.siwe_helpers import (
    fields_for,
    make_signed,
    nonce_for,
    post_link,
    run_js,
    sign_text,
    wallets_of,
)
from tipchat.tips.artifacts import from_json
from tipchat.tips.contract_signatures import EIP6492_SUFFIX

ARTIFACTS = Path(__file__).parent / "chain_artifacts"
FACTORY = from_json(json.loads((ARTIFACTS / "OwnedWalletFactory.json").read_text()))
SALT = bytes(range(32))


@pytest.fixture
def server(start_server, chain_settings):
    return start_server(**chain_settings)


class Counterfactual:
    """owner_key's OwnedWallet, at the address the factory will deploy it to; stranger_key
    is another dev account's key."""

    def __init__(self, chain, factory, owner_key: str, stranger_key: str) -> None:
        self.chain = chain
        self.factory = factory
        self.owner_key = owner_key
        self.owner = Account.from_key(owner_key).address
        self.stranger_key = stranger_key

    async def address(self, owner: str | None = None) -> str:
        return str(await self.factory.functions.addressOf(owner or self.owner, SALT).call())

    def deploy_calldata(self, owner: str | None = None) -> bytes:
        return bytes.fromhex(
            self.factory.encode_abi("deploy", args=[owner or self.owner, SALT])[2:]
        )

    async def code(self) -> bytes:
        return bytes(await self.chain.w3.eth.get_code(await self.address()))


@pytest.fixture
async def counterfactual(chain, dev_chain) -> Counterfactual:
    deployer = dev_chain.accounts[4].local()
    factory = chain.contract(FACTORY, await chain.deploy(deployer, FACTORY))
    keys = [a.private_key for a in dev_chain.accounts]
    return Counterfactual(chain, factory, owner_key=keys[3], stranger_key=keys[5])


def wrap(factory: str, calldata: bytes, signature: str) -> str:
    inner = bytes.fromhex(signature.removeprefix("0x"))
    body = encode(["address", "bytes", "bytes"], [factory, calldata, inner])
    return "0x" + (body + EIP6492_SUFFIX).hex()


async def signed_for(user, wallet: str, key: str) -> tuple[str, str]:
    """A fresh SIWE message naming wallet, and key's plain signature of it."""
    message, _ = make_signed("viem", key, fields_for(await nonce_for(user), wallet))
    return message, sign_text(key, message)


async def test_an_undeployed_wallet_links_with_its_owners_wrapped_signature(alice, counterfactual):
    wallet = await counterfactual.address()
    assert await counterfactual.code() == b""
    message, signature = await signed_for(alice, wallet, counterfactual.owner_key)
    wrapped = wrap(counterfactual.factory.address, counterfactual.deploy_calldata(), signature)
    r = await post_link(alice, message, wrapped)
    assert r.status_code == 201, r.text
    assert [w["address"] for w in await wallets_of(alice)] == [wallet]
    # The check deployed the wallet in a simulation only: the chain has no code there.
    assert await counterfactual.code() == b""


async def test_someone_elses_wrapped_signature_is_refused(alice, counterfactual):
    wallet = await counterfactual.address()
    message, signature = await signed_for(alice, wallet, counterfactual.stranger_key)
    wrapped = wrap(counterfactual.factory.address, counterfactual.deploy_calldata(), signature)
    r = await post_link(alice, message, wrapped)
    assert r.status_code == 400 and r.json()["code"] == "siwe_signature_invalid"
    assert await wallets_of(alice) == []


def _garbage(cf: Counterfactual, signature: str) -> dict[str, str]:
    factory = cf.factory.address
    other = Account.from_key(cf.stranger_key).address
    inner = bytes.fromhex(signature[2:])
    return {
        # Not the ABI encoding of (address, bytes, bytes): short, or offsets out of range.
        "bad-abi-short": "0x" + (b"\x01" * 40 + EIP6492_SUFFIX).hex(),
        "bad-abi-offset": "0x"
        + (b"\x00" * 12 + bytes.fromhex(factory[2:]) + b"\xff" * 64 + EIP6492_SUFFIX).hex(),
        "suffix-only": "0x" + EIP6492_SUFFIX.hex(),
        # The factory has no such function: its call reverts, the wallet stays undeployed.
        "factory-reverts": wrap(factory, bytes.fromhex("deadbeef"), signature),
        # The factory deploys a wallet, but another one (another owner's, at another address).
        "factory-deploys-another-address": wrap(factory, cf.deploy_calldata(other), signature),
        # The "factory" is an ordinary account: the call does nothing.
        "factory-without-code": wrap(other, cf.deploy_calldata(), signature),
        # The right factory call, but the inner signature is not a signature.
        "inner-garbage": wrap(factory, cf.deploy_calldata(), "0x" + (inner[:10]).hex()),
    }


GARBAGE = [
    "bad-abi-short",
    "bad-abi-offset",
    "suffix-only",
    "factory-reverts",
    "factory-deploys-another-address",
    "factory-without-code",
    "inner-garbage",
]


@pytest.mark.parametrize("kind", GARBAGE)
async def test_a_wrapped_signature_that_cannot_deploy_and_vouch_is_refused(
    alice, counterfactual, kind
):
    wallet = await counterfactual.address()
    message, signature = await signed_for(alice, wallet, counterfactual.owner_key)
    r = await post_link(alice, message, _garbage(counterfactual, signature)[kind])
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "siwe_signature_invalid"
    assert await wallets_of(alice) == []
    assert await counterfactual.code() == b""


async def test_a_wrapped_signature_still_links_once_the_wallet_is_deployed(
    alice, dev_chain, counterfactual
):
    """Wallets keep handing out wrapped signatures after their first transaction; then the
    inner signature is checked by EIP-1271 and the factory is not called."""
    message, signature = await signed_for(
        alice, await counterfactual.address(), counterfactual.owner_key
    )
    await counterfactual.chain.transact(
        dev_chain.accounts[4].local(), counterfactual.factory, "deploy", counterfactual.owner, SALT
    )
    assert await counterfactual.code() != b""
    wrapped = wrap(counterfactual.factory.address, counterfactual.deploy_calldata(), signature)
    r = await post_link(alice, message, wrapped)
    assert r.status_code == 201, r.text
    # ... and another key's wrapped signature is still refused, by the deployed wallet.
    message, signature = await signed_for(
        alice, await counterfactual.address(), counterfactual.stranger_key
    )
    wrapped = wrap(counterfactual.factory.address, counterfactual.deploy_calldata(), signature)
    r = await post_link(alice, message, wrapped)
    assert r.status_code == 400 and r.json()["code"] == "siwe_signature_invalid"


async def test_a_signature_wrapped_by_viem_links_and_viem_agrees(alice, dev_chain, counterfactual):
    """viem's serializeErc6492Signature makes the wrapping, and its verifyMessage (its own
    deployless validator) says yes too: the two implementations agree on the format."""
    wallet = await counterfactual.address()
    message, _ = await signed_for(alice, wallet, counterfactual.owner_key)
    out = run_js(
        "erc6492.mjs",
        {
            "privateKey": counterfactual.owner_key,
            "message": message,
            "wallet": wallet,
            "factory": counterfactual.factory.address,
            "factoryData": "0x" + counterfactual.deploy_calldata().hex(),
            "rpcUrl": dev_chain.rpc_url,
        },
    )
    assert out["viemValid"] is True
    r = await post_link(alice, message, out["signature"])
    assert r.status_code == 201, r.text
    assert await counterfactual.code() == b""
