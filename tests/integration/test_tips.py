"""Tip intents over REST: what the wallet gets, who may see a tip, and every refusal (with
its code, and nothing posted)."""

from __future__ import annotations

import pytest
from eth_abi.abi import decode
from eth_utils import keccak

from tests.helpers import create_room, join, register
from tests.integration.siwe_helpers import link_wallet
from tests.integration.tip_helpers import WATCH_FAST, make_scene

NATIVE = "0x" + "00" * 20


@pytest.fixture
def server(start_server, chain_settings):
    return start_server(**chain_settings, **WATCH_FAST)


@pytest.fixture
async def scene(server, dev_chain):
    scene = await make_scene(server.base_url, dev_chain)
    yield scene
    await scene.close()


async def last_seq(user, room_id: int) -> int:
    return (await user.http.get(f"/api/rooms/{room_id}")).json()["last_seq"]


async def test_an_intent_carries_what_the_wallet_sends(scene, dev_chain):
    intent = await scene.intent(amount=123)
    tip, payment = intent["tip"], intent["payment"]
    assert tip["status"] == "pending" and tip["amount"] == "123" and tip["token"] == NATIVE
    assert tip["recipient_address"] == scene.bob_wallet.address
    assert tip["sender_id"] == scene.alice.id and tip["recipient_id"] == scene.bob.id
    assert payment["chain_id"] == dev_chain.chain_id and payment["to"] == dev_chain.router
    assert payment["value"] == "123" and payment["approve"] is None
    data = bytes.fromhex(payment["data"][2:])
    assert data[:4] == keccak(text="tipNative(bytes32,address)")[:4]
    ref, to = decode(["bytes32", "address"], data[4:])
    assert "0x" + ref.hex() == intent["reference"] and len(ref) == 32
    assert to.lower() == scene.bob_wallet.address.lower()
    # Posted in the room as a tip message with the tip's state.
    page = (await scene.bob.http.get(f"/api/rooms/{scene.room_id}/messages")).json()
    (message,) = [m for m in page["messages"] if m["kind"] == "tip"]
    assert message["seq"] == intent["message_seq"] and message["tip"] == tip
    assert message["sender_id"] == scene.alice.id
    # Tip messages are not edited like text.
    r = await scene.alice.http.patch(
        f"/api/rooms/{scene.room_id}/messages/{message['seq']}", json={"body": "x"}
    )
    assert r.status_code == 403


async def test_references_are_random_and_only_the_sender_sees_them(scene):
    a, b = await scene.intent(), await scene.intent()
    assert a["reference"] != b["reference"]
    r = await scene.bob.http.get(f"/api/tips/{a['tip']['id']}")
    assert r.status_code == 200
    assert r.json()["reference"] is None and r.json()["payment"] is None
    mine = (await scene.alice.http.get(f"/api/tips/{a['tip']['id']}")).json()
    assert mine["reference"] == a["reference"] and mine["payment"] == a["payment"]


async def test_a_token_tip_says_what_to_approve(scene, dev_chain):
    intent = await scene.intent(amount=5_000_000, token=dev_chain.token.address.lower())
    approve = intent["payment"]["approve"]
    assert approve["to"] == dev_chain.token.address and approve["spender"] == dev_chain.router
    assert intent["payment"]["value"] == "0" and intent["tip"]["token"] == dev_chain.token.address


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [
        ({"chain_id": 1}, "tip_chain_unknown", 400),
        ({"token": "0x" + "11" * 20}, "tip_token_unknown", 400),
        ({"token": "ETH"}, "invalid_address", 400),
        ({"amount": "0"}, "tip_amount_invalid", 400),
        ({"amount": -5}, "tip_amount_invalid", 400),
        ({"amount": "-5"}, "tip_amount_invalid", 400),
        ({"amount": "1.5"}, "tip_amount_invalid", 400),
        ({"amount": str(10**31)}, "tip_amount_invalid", 400),  # 10^13 ETH
        ({"amount": "9" * 79}, "tip_amount_invalid", 400),
        ({"to_address": "0x" + "22" * 20}, "recipient_has_no_wallet", 400),
        ({"room_id": 999999}, "room_not_found", 404),
    ],
)
async def test_a_bad_intent_is_refused_and_posts_nothing(scene, change, code, status):
    before = await last_seq(scene.alice, scene.room_id)
    body = {
        "room_id": scene.room_id,
        "to_user_id": scene.bob.id,
        "chain_id": scene.dev.chain_id,
        "token": NATIVE,
        "amount": "1000",
        **change,
    }
    r = await scene.alice.http.post("/api/tips", json=body)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert await last_seq(scene.alice, scene.room_id) == before


async def test_who_may_tip_whom(server, scene, dev_chain):
    body = {"chain_id": dev_chain.chain_id, "token": NATIVE, "amount": "1"}

    async def tip(user, room_id, to_user_id):
        r = await user.http.post(
            "/api/tips", json={**body, "room_id": room_id, "to_user_id": to_user_id}
        )
        return r.status_code, r.json().get("code")

    assert await tip(scene.alice, scene.room_id, scene.alice.id) == (400, "tip_to_self")
    carol = await register(server.base_url)
    dave = await register(server.base_url)
    try:
        # carol is not in the room (public: join first); bob tips carol, who is not in it.
        assert await tip(carol, scene.room_id, scene.bob.id) == (403, "not_a_member")
        assert await tip(scene.bob, scene.room_id, carol.id) == (400, "recipient_not_member")
        # In the room, but without wallets: carol cannot be tipped, and cannot pay.
        await join(carol, scene.room_id)
        assert await tip(scene.bob, scene.room_id, carol.id) == (400, "recipient_has_no_wallet")
        assert await tip(carol, scene.room_id, scene.bob.id) == (400, "sender_has_no_wallet")
        # A private room is invisible to dave.
        private = await create_room(scene.alice, "private", kind="private")
        assert await tip(dave, private, scene.alice.id) == (404, "room_not_found")
        r = await dave.http.get(f"/api/rooms/{private}/tips")
        assert r.status_code == 404 and r.json()["code"] == "room_not_found"
        intent = await scene.intent()
        r = await dave.http.get(f"/api/tips/{intent['tip']['id']}")
        assert r.status_code == 404 and r.json()["code"] == "tip_not_found"
        # Once linked, carol can be tipped at her wallet.
        await link_wallet(carol, dev_chain.accounts[3].private_key)
        r = await scene.bob.http.post(
            "/api/tips", json={**body, "room_id": scene.room_id, "to_user_id": carol.id}
        )
        assert r.status_code == 201, r.text
        assert r.json()["tip"]["recipient_address"] == dev_chain.accounts[3].address
    finally:
        await carol.http.aclose()
        await dave.http.aclose()


async def test_the_recipient_address_is_a_snapshot(scene, dev_chain):
    """Unlinking after the intent does not change where the tip goes."""
    intent = await scene.intent()
    r = await scene.bob.http.delete(f"/api/wallets/{scene.bob_wallet.address}")
    assert r.status_code == 204
    tip = (await scene.alice.http.get(f"/api/tips/{intent['tip']['id']}")).json()["tip"]
    assert tip["recipient_address"] == scene.bob_wallet.address
    r = await scene.alice.http.post(
        "/api/tips",
        json={
            "room_id": scene.room_id,
            "to_user_id": scene.bob.id,
            "chain_id": dev_chain.chain_id,
            "token": NATIVE,
            "amount": "1",
        },
    )
    assert r.status_code == 400 and r.json()["code"] == "recipient_has_no_wallet"


async def test_room_tips_newest_first_for_members(scene):
    ids = [(await scene.intent(amount=n))["tip"]["id"] for n in (1, 2, 3)]
    page = (await scene.bob.http.get(f"/api/rooms/{scene.room_id}/tips?limit=2")).json()
    assert [t["tip"]["id"] for t in page["tips"]] == ids[::-1][:2]
    rest = await scene.bob.http.get(f"/api/rooms/{scene.room_id}/tips?before_id={ids[1]}")
    assert [t["tip"]["id"] for t in rest.json()["tips"]] == ids[:1]


async def test_hints_are_checked_and_the_senders_only(scene):
    intent = await scene.intent()
    url = f"/api/tips/{intent['tip']['id']}/tx"
    for bad in ("0x1234", "0x" + "zz" * 32, "not a hash"):
        r = await scene.alice.http.post(url, json={"tx_hash": bad})
        assert r.status_code == 400 and r.json()["code"] == "tx_hash_invalid", bad
    r = await scene.bob.http.post(url, json={"tx_hash": "0x" + "ab" * 32})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = await scene.alice.http.post("/api/tips/999999/tx", json={"tx_hash": "0x" + "ab" * 32})
    assert r.status_code == 404 and r.json()["code"] == "tip_not_found"


async def test_intents_are_rate_limited(start_server, chain_settings, dev_chain):
    server = start_server(**chain_settings, tip_limit_per_user=(2, 60))
    scene = await make_scene(server.base_url, dev_chain)
    try:
        await scene.intent()
        await scene.intent()
        before = await last_seq(scene.alice, scene.room_id)
        r = await scene.alice.http.post(
            "/api/tips",
            json={
                "room_id": scene.room_id,
                "to_user_id": scene.bob.id,
                "chain_id": dev_chain.chain_id,
                "token": NATIVE,
                "amount": "1",
            },
        )
        assert r.status_code == 429 and r.json()["code"] == "rate_limited"
        assert "retry-after" in r.headers
        assert await last_seq(scene.alice, scene.room_id) == before
    finally:
        await scene.close()
