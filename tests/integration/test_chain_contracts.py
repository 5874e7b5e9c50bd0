"""TipRouter on a real anvil: tips move value straight from sender to recipient and emit Tip;
bad input and non-allow-listed tokens revert; the router never holds anything."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import keccak
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from tipchat.config import NATIVE_TOKEN
from tipchat.tips import artifacts
from tipchat.tips.artifacts import from_json

ZERO = NATIVE_TOKEN
REF = keccak(text="tip intent 1")  # any 32 bytes; the server uses random ones
ONE_ETH = 10**18


def selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


async def expect_revert(awaitable, error: str | None) -> None:
    """The call reverts; with `error` ("ZeroAmount()"), with that custom error."""
    with pytest.raises(ContractLogicError) as caught:
        await awaitable
    if error is not None:
        data = caught.value.data
        assert isinstance(data, str) and data.startswith(selector(error)), (error, data)


@pytest.fixture
def router(chain, dev_chain):
    return chain.contract(artifacts.load("TipRouter"), dev_chain.router)


@pytest.fixture
def usd(chain, dev_chain):
    return chain.contract(artifacts.load("TestUSD"), dev_chain.token.address)


@pytest.fixture
def alice(dev_chain):
    return dev_chain.accounts[0].local()


@pytest.fixture
def bob(dev_chain):
    return dev_chain.accounts[1].local()


@pytest.fixture
def owner(dev_chain):
    return dev_chain.deployer.local()


def tips_in(router, receipt):
    return [dict(e["args"]) for e in router.events.Tip().process_receipt(receipt, errors=DISCARD)]


async def test_native_tip_moves_value_from_sender_to_recipient_and_emits_tip(
    chain, router, alice, bob
):
    alice_before, bob_before = await chain.balance(alice.address), await chain.balance(bob.address)
    amount = ONE_ETH // 4
    receipt = await chain.transact(alice, router, "tipNative", REF, bob.address, value=amount)

    assert await chain.balance(bob.address) == bob_before + amount
    gas_paid = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert await chain.balance(alice.address) == alice_before - amount - gas_paid
    assert await chain.balance(router.address) == 0
    assert tips_in(router, receipt) == [
        {"ref": REF, "from": alice.address, "to": bob.address, "token": ZERO, "amount": amount}
    ]
    (log,) = [entry for entry in receipt["logs"] if entry["address"] == router.address]
    assert log["topics"][0] == keccak(text="Tip(bytes32,address,address,address,uint256)")


async def test_token_tip_via_approve_and_tip_token(chain, router, usd, alice, bob):
    amount = 12_340_000  # 12.34 tUSD
    alice_before = await usd.functions.balanceOf(alice.address).call()
    bob_before = await usd.functions.balanceOf(bob.address).call()
    await chain.transact(alice, usd, "approve", router.address, amount)
    receipt = await chain.transact(alice, router, "tipToken", REF, usd.address, bob.address, amount)

    assert await usd.functions.balanceOf(alice.address).call() == alice_before - amount
    assert await usd.functions.balanceOf(bob.address).call() == bob_before + amount
    assert await usd.functions.balanceOf(router.address).call() == 0
    assert await usd.functions.allowance(alice.address, router.address).call() == 0
    assert tips_in(router, receipt) == [
        {
            "ref": REF,
            "from": alice.address,
            "to": bob.address,
            "token": usd.address,
            "amount": amount,
        }
    ]


async def test_token_tip_without_allowance_passes_the_tokens_revert_on(
    chain, router, usd, alice, bob
):
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, usd.address, bob.address, 1),
        "InsufficientAllowance()",
    )


async def test_zero_amounts_and_zero_addresses_revert(chain, router, usd, alice, bob):
    await chain.transact(alice, usd, "approve", router.address, 10**6)
    await expect_revert(
        chain.transact(alice, router, "tipNative", REF, bob.address, value=0), "ZeroAmount()"
    )
    await expect_revert(
        chain.transact(alice, router, "tipNative", REF, ZERO, value=1), "ZeroAddress()"
    )
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, usd.address, bob.address, 0), "ZeroAmount()"
    )
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, usd.address, ZERO, 1), "ZeroAddress()"
    )
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, ZERO, bob.address, 1), "ZeroAddress()"
    )


async def test_a_token_not_on_the_allow_list_reverts(chain, router, alice, bob, owner):
    # A look-alike: same contract, same symbol, another address, never allow-listed.
    fake = chain.contract(
        artifacts.load("TestUSD"), await chain.deploy(alice, artifacts.load("TestUSD"))
    )
    await chain.transact(alice, fake, "mint", alice.address, 10**6)
    await chain.transact(alice, fake, "approve", router.address, 10**6)
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, fake.address, bob.address, 10**6),
        "TokenNotAllowed(address)",
    )
    assert await fake.functions.balanceOf(bob.address).call() == 0


async def test_plain_transfers_to_the_router_revert(chain, router, alice):
    await expect_revert(chain.send(alice, to=router.address, value=1), None)
    await expect_revert(
        chain.send(alice, to=router.address, value=1, data=b"\x12\x34\x56\x78"), None
    )
    assert await chain.balance(router.address) == 0


async def test_native_tip_reverts_when_the_recipient_refuses_it(chain, router, usd, alice):
    # TestUSD has no receive(): the forward fails, so the whole tip reverts; nothing is kept.
    await expect_revert(
        chain.transact(alice, router, "tipNative", REF, usd.address, value=ONE_ETH),
        "NativeTransferFailed()",
    )
    assert await chain.balance(router.address) == 0


async def test_tokens_that_return_no_bool_are_handled(chain, router, alice, bob, owner):
    data = json.loads((Path(__file__).parent / "chain_artifacts" / "NoBoolToken.json").read_text())
    no_bool = from_json(data)
    token = chain.contract(no_bool, await chain.deploy(alice, no_bool))
    await chain.transact(owner, router, "setTokenAllowed", token.address, True)
    await chain.transact(alice, token, "mint", alice.address, 500)
    await chain.transact(alice, token, "approve", router.address, 500)
    receipt = await chain.transact(alice, router, "tipToken", REF, token.address, bob.address, 500)
    assert await token.functions.balanceOf(bob.address).call() == 500
    assert tips_in(router, receipt)[0]["amount"] == 500
    # Its failures revert too (with its own reason), rather than passing silently.
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, token.address, bob.address, 1), None
    )


async def test_an_allow_listed_address_without_code_cannot_fake_a_transfer(
    chain, router, alice, bob, owner
):
    # A call to an address without code "succeeds" with no return data: it must not count.
    empty = Account.from_key(os.urandom(32)).address
    await chain.transact(owner, router, "setTokenAllowed", empty, True)
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, empty, bob.address, 1),
        "TokenTransferFailed()",
    )


async def test_only_the_owner_changes_the_allow_list(chain, router, usd, alice, bob, owner):
    await expect_revert(
        chain.transact(alice, router, "setTokenAllowed", usd.address, False), "NotOwner()"
    )
    receipt = await chain.transact(owner, router, "setTokenAllowed", usd.address, False)
    (event,) = router.events.TokenAllowed().process_receipt(receipt, errors=DISCARD)
    assert dict(event["args"]) == {"token": usd.address, "allowed": False}
    assert await router.functions.tokenAllowed(usd.address).call() is False
    await chain.transact(alice, usd, "approve", router.address, 1)
    await expect_revert(
        chain.transact(alice, router, "tipToken", REF, usd.address, bob.address, 1),
        "TokenNotAllowed(address)",
    )
    await expect_revert(
        chain.transact(owner, router, "setTokenAllowed", ZERO, True), "ZeroAddress()"
    )


async def test_ownership_moves_in_two_steps(chain, router, usd, alice, bob, owner):
    await expect_revert(
        chain.transact(alice, router, "transferOwnership", alice.address), "NotOwner()"
    )
    await chain.transact(owner, router, "transferOwnership", alice.address)
    assert await router.functions.owner().call() == owner.address  # not yet
    await expect_revert(chain.transact(bob, router, "acceptOwnership"), "NotPendingOwner()")
    await chain.transact(alice, router, "acceptOwnership")
    assert await router.functions.owner().call() == alice.address
    assert await router.functions.pendingOwner().call() == ZERO
    await expect_revert(
        chain.transact(owner, router, "setTokenAllowed", usd.address, False), "NotOwner()"
    )
    await chain.transact(alice, router, "setTokenAllowed", usd.address, False)
