"""The watcher on a real anvil: tips move pending -> seen -> confirmed -> finalized as blocks
come; reverted, mismatched and reorged payments end as the chain says; nothing else counts."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_abi.abi import decode

from tests.helpers import Ws
from tests.integration.tip_helpers import (
    WATCH_FAST,
    make_scene,
    mine,
    pay,
    send_raw,
    signed_tx,
    tip_events,
    tip_of,
    wait_scanned,
    wait_status,
)
from tipchat.tips import artifacts
from tipchat.tips.artifacts import from_json
from tipchat.tips.deploy import deploy_router
from tipchat.tips.devchain import DEV_CONFIRMATIONS

ARTIFACTS = Path(__file__).parent / "chain_artifacts"

# anvil's `finalized` block tag is 64 blocks below its head.
ANVIL_FINALITY = 64


@pytest.fixture
def server(start_server, chain_settings):
    return start_server(**chain_settings, **WATCH_FAST)


@pytest.fixture
async def scene(server, dev_chain):
    scene = await make_scene(server.base_url, dev_chain)
    yield scene
    await scene.close()


async def test_a_native_tip_is_seen_confirmed_and_finalized_live_and_in_history(
    server, scene, chain, db
):
    ws = await Ws.connect(server.ws_url, scene.bob.token)
    await ws.subscribe(scene.room_id)
    intent = await scene.intent(amount=10**16)
    tip_id = intent["tip"]["id"]
    message = await ws.next_of("message")
    assert message["message"]["kind"] == "tip" and message["message"]["tip"]["status"] == "pending"
    assert message["message"]["body"] == f"tipped @{scene.bob.username} 0.01 ETH"

    before = await chain.balance(scene.bob_wallet.address)
    await pay(chain, scene.alice_wallet, intent["payment"])
    assert await chain.balance(scene.bob_wallet.address) == before + 10**16
    seen = await ws.next_of("tip_updated")
    assert seen["tip"]["status"] == "seen" and seen["message_seq"] == message["seq"]
    assert seen["tip"]["id"] == tip_id and seen["seq"] == message["seq"] + 1

    await mine(chain, DEV_CONFIRMATIONS)
    confirmed = await ws.next_of("tip_updated")
    assert confirmed["tip"]["status"] == "confirmed"
    await mine(chain, ANVIL_FINALITY)
    finalized = await ws.next_of("tip_updated")
    assert finalized["tip"]["status"] == "finalized"
    await ws.close()

    # History shows the current state inside the message; replay gives every change.
    page = (await scene.bob.http.get(f"/api/rooms/{scene.room_id}/messages")).json()
    (tip_message,) = [m for m in page["messages"] if m["kind"] == "tip"]
    assert tip_message["tip"] == finalized["tip"]
    ws = await Ws.connect(server.ws_url, scene.bob.token)
    frames = await ws.resume({scene.room_id: message["seq"] - 1})
    assert [f["type"] for f in frames if "seq" in f] == ["message"] + ["tip_updated"] * 3
    await ws.close()
    assert await tip_events(db, scene.room_id) == ["seen", "confirmed", "finalized"]
    row = await db.fetchrow("SELECT * FROM tips WHERE id = $1", tip_id)
    assert row["from_address"] == scene.alice_wallet.address
    assert row["block_hash"] is not None and row["tx_hash"] == seen["tip"]["tx_hash"]


async def test_an_erc20_tip_is_confirmed_after_its_depth(scene, chain, dev_chain):
    token = dev_chain.token.address
    intent = await scene.intent(amount=2_500_000, token=token)  # 2.5 tUSD
    payment = intent["payment"]
    assert payment["value"] == "0" and payment["approve"]["to"] == token
    spender, amount = decode(["address", "uint256"], bytes.fromhex(payment["approve"]["data"][10:]))
    assert (spender.lower(), amount) == (dev_chain.router.lower(), 2_500_000)
    await pay(chain, scene.alice_wallet, payment)
    await wait_status(scene.bob, intent["tip"]["id"], "seen")
    await mine(chain, DEV_CONFIRMATIONS - 1)
    tip = await wait_status(scene.bob, intent["tip"]["id"], "confirmed")
    assert tip["token"] == token and tip["amount"] == "2500000"


async def test_a_reverted_payment_fails_the_tip(scene, chain, dev_chain):
    """A token tip sent without the approve: the wallet sends it anyway and it reverts; the
    sender's hint points the watcher at it."""
    intent = await scene.intent(amount=1_000_000, token=dev_chain.token.address)
    tx_hash, raw = await signed_tx(
        chain, scene.alice_wallet, to=intent["payment"]["to"], data=intent["payment"]["data"]
    )
    await send_raw(chain, raw)
    receipt = await chain.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 0
    r = await scene.alice.http.post(
        f"/api/tips/{intent['tip']['id']}/tx", json={"tx_hash": tx_hash}
    )
    assert r.status_code == 200, r.text
    await mine(chain, DEV_CONFIRMATIONS)
    tip = await wait_status(scene.bob, intent["tip"]["id"], "failed")
    assert tip["failure"] == "reverted" and tip["tx_hash"] == tx_hash


async def test_a_reorg_drops_the_tip_and_re_inclusion_brings_it_back(scene, chain, db):
    intent = await scene.intent()
    tip_id = intent["tip"]["id"]
    before = await chain.rpc("evm_snapshot")
    payment = intent["payment"]
    tx_hash, raw = await signed_tx(
        chain,
        scene.alice_wallet,
        to=payment["to"],
        data=payment["data"],
        value=int(payment["value"]),
    )
    await send_raw(chain, raw)
    first = await wait_status(scene.bob, tip_id, "seen")
    old_hash = await db.fetchval("SELECT block_hash FROM tips WHERE id = $1", tip_id)
    # The chain forgets the block with the payment and grows past it without it.
    assert await chain.rpc("evm_revert", before) is True
    await mine(chain, 3)
    await wait_status(scene.bob, tip_id, "dropped")
    # The same transaction is mined again, in another block.
    await send_raw(chain, raw)
    again = await wait_status(scene.bob, tip_id, "seen")
    assert again["tx_hash"] == first["tx_hash"] == tx_hash
    assert await db.fetchval("SELECT block_hash FROM tips WHERE id = $1", tip_id) != old_hash
    await mine(chain, DEV_CONFIRMATIONS)
    await wait_status(scene.bob, tip_id, "confirmed")
    assert await tip_events(db, scene.room_id) == ["seen", "dropped", "seen", "confirmed"]


async def test_a_tip_log_from_a_look_alike_router_is_ignored(scene, chain, dev_chain, db):
    owner = dev_chain.deployer.local()
    fake = await deploy_router(chain, owner, owner=owner.address)
    intent = await scene.intent()
    payment = intent["payment"]
    await pay(chain, scene.alice_wallet, {**payment, "to": fake})
    await wait_scanned(db, chain, dev_chain.chain_id)
    assert (await tip_of(scene.bob, intent["tip"]["id"]))["status"] == "pending"


async def test_payments_that_do_not_match_never_confirm(scene, chain, dev_chain, db):
    """From an unlinked wallet: ignored (not the tipper's payment). From the tipper's wallet
    to the wrong recipient, of the wrong amount or in a token the server does not accept:
    failed as a mismatch. None of them is ever confirmed."""
    router = chain.contract(artifacts.load("TipRouter"), dev_chain.router)
    stranger = dev_chain.accounts[5].local()
    other = dev_chain.accounts[6].address
    owner = dev_chain.deployer.local()
    odd = await chain.deploy(
        owner, from_json(json.loads((ARTIFACTS / "NoBoolToken.json").read_text()))
    )
    await chain.transact(owner, router, "setTokenAllowed", odd, True)  # allowed by the router only
    odd_token = chain.contract(
        from_json(json.loads((ARTIFACTS / "NoBoolToken.json").read_text())), odd
    )
    await chain.transact(owner, odd_token, "mint", scene.alice_wallet.address, 10**16)
    await chain.transact(scene.alice_wallet, odd_token, "approve", dev_chain.router, 10**16)

    unlinked, wrong_to, wrong_amount, wrong_token = [
        await scene.intent(amount=10**15) for _ in range(4)
    ]
    ref = {
        name: bytes.fromhex(i["reference"][2:])
        for name, i in [
            ("unlinked", unlinked),
            ("to", wrong_to),
            ("amount", wrong_amount),
            ("token", wrong_token),
        ]
    }
    bob = scene.bob_wallet.address
    await chain.transact(stranger, router, "tipNative", ref["unlinked"], bob, value=10**15)
    await chain.transact(scene.alice_wallet, router, "tipNative", ref["to"], other, value=10**15)
    await chain.transact(scene.alice_wallet, router, "tipNative", ref["amount"], bob, value=10**14)
    await chain.transact(scene.alice_wallet, router, "tipToken", ref["token"], odd, bob, 10**15)
    await mine(chain, DEV_CONFIRMATIONS + 1)
    await wait_scanned(db, chain, dev_chain.chain_id)
    assert (await tip_of(scene.bob, unlinked["tip"]["id"]))["status"] == "pending"
    for intent in (wrong_to, wrong_amount, wrong_token):
        tip = await tip_of(scene.bob, intent["tip"]["id"])
        assert (tip["status"], tip["failure"]) == ("failed", "mismatch"), tip
    assert "confirmed" not in await tip_events(db, scene.room_id)


async def test_one_payment_pays_one_tip_however_often_it_is_claimed(scene, chain, db):
    paid, other = await scene.intent(), await scene.intent()
    tx_hash = await pay(chain, scene.alice_wallet, paid["payment"])
    # Both intents claim the one transaction; the same reference is then paid a second time.
    for intent in (paid, other):
        r = await scene.alice.http.post(
            f"/api/tips/{intent['tip']['id']}/tx", json={"tx_hash": tx_hash}
        )
        assert r.status_code == 200, r.text
    await pay(chain, scene.alice_wallet, paid["payment"])
    await mine(chain, DEV_CONFIRMATIONS)
    tip = await wait_status(scene.bob, paid["tip"]["id"], "confirmed")
    assert tip["tx_hash"] == tx_hash  # the first payment is the tip
    assert (await tip_of(scene.bob, other["tip"]["id"]))["status"] == "pending"
    assert await db.fetchval("SELECT count(*) FROM tips WHERE tx_hash = $1", tx_hash) == 1
    assert await tip_events(db, scene.room_id) == ["seen", "confirmed"]


async def test_an_expired_intent_fails(scene, db):
    intent = await scene.intent()
    await db.execute("UPDATE tips SET expires_at = now() WHERE id = $1", intent["tip"]["id"])
    tip = await wait_status(scene.bob, intent["tip"]["id"], "failed")
    assert tip["failure"] == "expired"


async def test_a_watcher_restarted_mid_way_loses_and_doubles_nothing(
    start_server, chain_settings, dev_chain, chain, db
):
    """Tips seen before a stop, and paid while no watcher ran, all end confirmed once each."""
    first = start_server(**chain_settings, **WATCH_FAST)
    scene = await make_scene(first.base_url, dev_chain)
    early, late = await scene.intent(), await scene.intent()
    await pay(chain, scene.alice_wallet, early["payment"])
    await wait_status(scene.bob, early["tip"]["id"], "seen")
    first.stop()
    await pay(chain, scene.alice_wallet, late["payment"])
    await mine(chain, DEV_CONFIRMATIONS)
    # Two nodes now: the advisory lock lets one of them act.
    second = start_server(**chain_settings, **WATCH_FAST)
    start_server(**chain_settings, **WATCH_FAST)
    scene.bob.http.base_url = second.base_url
    for intent in (early, late):
        await wait_status(scene.bob, intent["tip"]["id"], "confirmed")
    await wait_scanned(db, chain, dev_chain.chain_id)
    assert sorted(await tip_events(db, scene.room_id)) == ["confirmed"] * 2 + ["seen"] * 2
    await scene.close()


async def test_rpc_failover_and_a_chain_that_is_down(start_server, dev_chain, chain, db):
    """A dead first URL is skipped; with every URL dead, tips wait and nothing changes."""
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    config = dev_chain.chain_config().model_dump()
    down = start_server(chains=[{**config, "rpc_urls": [dead]}], **WATCH_FAST)
    scene = await make_scene(down.base_url, dev_chain)
    intent = await scene.intent()
    await pay(chain, scene.alice_wallet, intent["payment"])
    await mine(chain, DEV_CONFIRMATIONS)
    await asyncio.sleep(1)  # many failed passes
    assert (await tip_of(scene.bob, intent["tip"]["id"]))["status"] == "pending"
    assert await tip_events(db, scene.room_id) == []
    down.stop()
    failover = start_server(
        chains=[{**config, "rpc_urls": [dead, dev_chain.rpc_url]}], **WATCH_FAST
    )
    scene.bob.http.base_url = failover.base_url
    await wait_status(scene.bob, intent["tip"]["id"], "confirmed")
    await scene.close()


async def test_tipchat_worker_verifies_tips_for_servers_that_do_not(
    start_server, chain_settings, dev_chain, chain, database_url, tmp_path
):
    """`tipchat worker` as its own process, next to a node that runs no watcher."""
    server = start_server(**chain_settings, watcher=False)
    scene = await make_scene(server.base_url, dev_chain)
    intent = await scene.intent()
    await pay(chain, scene.alice_wallet, intent["payment"])
    await mine(chain, DEV_CONFIRMATIONS)
    await asyncio.sleep(0.5)
    assert (await tip_of(scene.bob, intent["tip"]["id"]))["status"] == "pending"
    chains = json.dumps([dev_chain.chain_config().model_dump()])
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TIPCHAT_CHAINS": chains,
        "TIPCHAT_WATCHER_POLL_INTERVAL_S": "0.05",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "tipchat", "worker"], env=env, stdout=log, stderr=log
    )
    try:
        await wait_status(scene.bob, intent["tip"]["id"], "confirmed", timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        await scene.close()
