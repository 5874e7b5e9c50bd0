"""The watcher on a real anvil: tips move pending -> seen -> confirmed -> finalized as blocks
come; reverted, mismatched and reorged payments end as the chain says; nothing else counts."""

from __future__ import annotations

import pytest
from eth_abi.abi import decode

from tests.helpers import Ws
from tests.integration.tip_helpers import (
    WATCH_FAST,
    make_scene,
    mine,
    pay,
    tip_events,
    wait_status,
)
from tipchat.tips.devchain import DEV_CONFIRMATIONS

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
