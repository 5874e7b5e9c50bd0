"""Wallet linking with SIWE on a server with the real dev chain configured: messages made by
viem, the JavaScript siwe and eth-account are accepted; every way a message can be wrong is
refused with its own code and links nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from eth_account import Account

from tests.helpers import create_room, join, register
from tests.integration.siwe_helpers import (
    fields_for,
    iso,
    link_wallet,
    make_signed,
    nonce_for,
    post_link,
    sign_text,
    wallets_of,
)
from tipchat.tips.artifacts import from_json

ARTIFACTS = Path(__file__).parent / "chain_artifacts"


@pytest.fixture
def server(start_server, chain_settings):
    return start_server(**chain_settings)


@pytest.fixture
def keys(dev_chain):
    return [a.private_key for a in dev_chain.accounts]


@pytest.mark.parametrize("lib", ["viem", "siwe", "eth-account"])
async def test_a_message_made_by_each_library_links_the_wallet(server, alice, keys, dev_chain, lib):
    nonce = await nonce_for(alice)
    assert nonce["domain"] == f"127.0.0.1:{server.port}"
    assert nonce["uri"] == server.base_url
    assert nonce["chain_ids"] == [dev_chain.chain_id]
    address = Account.from_key(keys[0]).address
    message, signature = make_signed(lib, keys[0], fields_for(nonce, address))
    r = await post_link(alice, message, signature)
    assert r.status_code == 201, r.text
    assert r.json()["address"] == address and r.json()["chain_id"] == dev_chain.chain_id
    assert [w["address"] for w in await wallets_of(alice)] == [address]


async def test_messages_without_statement_and_with_every_optional_field_are_accepted(alice, keys):
    now = datetime.now(UTC)
    for lib, extra in [
        ("viem", {"statement": None}),
        (
            "siwe",
            {
                "expirationTime": iso(now + timedelta(minutes=5)),
                "notBefore": iso(now - timedelta(seconds=5)),
                "requestId": "req-1",
                "resources": ["https://example.com/terms"],
            },
        ),
    ]:
        key = keys[0] if lib == "viem" else keys[1]
        address = Account.from_key(key).address
        message, signature = make_signed(
            lib, key, fields_for(await nonce_for(alice), address, **extra)
        )
        r = await post_link(alice, message, signature)
        assert r.status_code == 201, (lib, r.text)
    assert len(await wallets_of(alice)) == 2  # several wallets per user


def _past(seconds: int) -> str:
    return iso(datetime.now(UTC) - timedelta(seconds=seconds))


def _future(seconds: int) -> str:
    return iso(datetime.now(UTC) + timedelta(seconds=seconds))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"domain": "evil.example"}, "siwe_domain_mismatch"),
        ({"uri": "https://evil.example"}, "siwe_uri_mismatch"),
        ({"uri": "http://127.0.0.1:1/"}, "siwe_uri_mismatch"),
        ({"chainId": 1}, "siwe_chain_not_allowed"),
        ({"issuedAt": lambda: _future(600)}, "siwe_issued_at_invalid"),
        ({"issuedAt": lambda: _past(3600)}, "siwe_issued_at_invalid"),
        ({"expirationTime": lambda: _past(1)}, "siwe_expired"),
        ({"notBefore": lambda: _future(600)}, "siwe_not_yet_valid"),
        ({"nonce": "neverissued123"}, "siwe_nonce_invalid"),
    ],
    ids=[
        "wrong-domain",
        "wrong-uri",
        "other-port-uri",
        "wrong-chain",
        "future-issued-at",
        "old-issued-at",
        "expired-message",
        "not-yet-valid",
        "unknown-nonce",
    ],
)
async def test_a_wrong_message_is_refused_with_its_code_and_links_nothing(
    alice, keys, changes, code
):
    # Times are made now, not when the tests were collected (minutes earlier in a full run).
    changes = {k: v() if callable(v) else v for k, v in changes.items()}
    address = Account.from_key(keys[0]).address
    message, signature = make_signed(
        "viem", keys[0], fields_for(await nonce_for(alice), address, **changes)
    )
    r = await post_link(alice, message, signature)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == code
    assert await wallets_of(alice) == []


async def test_a_nonce_works_once(alice, bob, keys):
    nonce = await nonce_for(alice)
    first = make_signed(
        "eth-account", keys[0], fields_for(nonce, Account.from_key(keys[0]).address)
    )
    assert (await post_link(alice, *first)).status_code == 201
    # The same signed message again, and another wallet's message with the same nonce.
    again = await post_link(alice, *first)
    assert again.status_code == 400 and again.json()["code"] == "siwe_nonce_invalid"
    other = make_signed(
        "eth-account", keys[1], fields_for(nonce, Account.from_key(keys[1]).address)
    )
    r = await post_link(alice, *other)
    assert r.status_code == 400 and r.json()["code"] == "siwe_nonce_invalid"
    assert len(await wallets_of(alice)) == 1


async def test_a_failed_attempt_spends_the_nonce(alice, keys):
    """Otherwise a bad signature could be retried against one nonce until one passes."""
    nonce = await nonce_for(alice)
    address = Account.from_key(keys[0]).address
    message, _ = make_signed("eth-account", keys[0], fields_for(nonce, address))
    bad = await post_link(alice, message, sign_text(keys[1], message))
    assert bad.json()["code"] == "siwe_signature_invalid"
    good = await post_link(alice, message, sign_text(keys[0], message))
    assert good.status_code == 400 and good.json()["code"] == "siwe_nonce_invalid"


async def test_an_expired_nonce_is_refused(alice, keys, db):
    nonce = await nonce_for(alice)
    await db.execute(
        "UPDATE siwe_nonces SET expires_at = now() - interval '1 second' WHERE nonce = $1",
        nonce["nonce"],
    )
    address = Account.from_key(keys[0]).address
    r = await post_link(alice, *make_signed("eth-account", keys[0], fields_for(nonce, address)))
    assert r.status_code == 400 and r.json()["code"] == "siwe_nonce_invalid"
    assert await wallets_of(alice) == []


async def test_another_users_nonce_is_refused(alice, bob, keys):
    bobs = await nonce_for(bob)
    address = Account.from_key(keys[0]).address
    r = await post_link(alice, *make_signed("viem", keys[0], fields_for(bobs, address)))
    assert r.status_code == 400 and r.json()["code"] == "siwe_nonce_invalid"
    # ... and it was not spent for bob by alice's attempt.
    r = await post_link(bob, *make_signed("viem", keys[0], fields_for(bobs, address)))
    assert r.status_code == 201, r.text


async def test_a_message_issued_before_its_nonce_is_refused(alice, keys):
    nonce = await nonce_for(alice)
    address = Account.from_key(keys[0]).address
    fields = fields_for(nonce, address, issuedAt=_past(200))
    r = await post_link(alice, *make_signed("eth-account", keys[0], fields))
    assert r.status_code == 400 and r.json()["code"] == "siwe_issued_at_invalid"


async def test_bad_and_tampered_signatures_are_refused(alice, keys):
    address = Account.from_key(keys[0]).address
    # Signed by another key.
    message, _ = make_signed("siwe", keys[0], fields_for(await nonce_for(alice), address))
    r = await post_link(alice, message, sign_text(keys[1], message))
    assert r.status_code == 400 and r.json()["code"] == "siwe_signature_invalid"
    # The right key, but the message was changed after signing.
    message, signature = make_signed("siwe", keys[0], fields_for(await nonce_for(alice), address))
    tampered = message.replace("to receive tips", "to receive all tips")
    r = await post_link(alice, tampered, signature)
    assert r.status_code == 400 and r.json()["code"] == "siwe_signature_invalid"
    # Not a signature at all.
    for junk in ("0x", "0xzz", "0x" + "00" * 65, "not hex"):
        message, _ = make_signed("siwe", keys[0], fields_for(await nonce_for(alice), address))
        r = await post_link(alice, message, junk)
        assert r.status_code == 400 and r.json()["code"] == "siwe_signature_invalid", junk
    assert await wallets_of(alice) == []


@pytest.mark.parametrize(
    "mangle",
    [
        lambda m: m.replace("\n", "\r\n"),
        lambda m: m + "\nExtra: line",
        lambda m: m.replace("Version: 1", "Version: 2"),
        lambda m: m.replace(" wants you to sign in", " wants you to log in"),
        lambda m: m.lower(),  # the address loses its EIP-55 checksum
        lambda m: "",
    ],
    ids=["crlf", "extra-line", "version", "header", "no-checksum", "empty"],
)
async def test_text_that_is_not_eip4361_is_refused(alice, keys, mangle):
    address = Account.from_key(keys[0]).address
    message = mangle(
        make_signed("eth-account", keys[0], fields_for(await nonce_for(alice), address))[0]
    )
    r = await post_link(alice, message, sign_text(keys[0], message))
    assert r.status_code == 400 and r.json()["code"] == "siwe_message_invalid", r.json()


async def test_an_address_belongs_to_one_user(alice, bob, keys):
    await link_wallet(alice, keys[0])
    address = Account.from_key(keys[0]).address
    r = await post_link(
        bob, *make_signed("viem", keys[0], fields_for(await nonce_for(bob), address))
    )
    assert r.status_code == 409 and r.json()["code"] == "wallet_linked_elsewhere"
    assert await wallets_of(bob) == []
    # Linking it again to its owner changes nothing.
    again = await link_wallet(alice, keys[0])
    assert again["address"] == address and len(await wallets_of(alice)) == 1


async def test_unlink(alice, bob, keys):
    first = await link_wallet(alice, keys[0])
    second = await link_wallet(alice, keys[1])
    assert [w["address"] for w in await wallets_of(alice)] == [second["address"], first["address"]]
    # Not bob's to unlink; unknown and malformed addresses.
    r = await bob.http.delete(f"/api/wallets/{first['address']}")
    assert r.status_code == 404 and r.json()["code"] == "wallet_not_found"
    r = await alice.http.delete("/api/wallets/0xnothex")
    assert r.status_code == 400 and r.json()["code"] == "invalid_address"
    # Any case of the address names the same wallet.
    r = await alice.http.delete(f"/api/wallets/{first['address'].lower()}")
    assert r.status_code == 204
    assert [w["address"] for w in await wallets_of(alice)] == [second["address"]]
    # Unlinked, the address is free for someone else.
    await link_wallet(bob, keys[0])
    # Both show in alice's security log, with the address; bob's link is only in his.
    events = (await alice.http.get("/api/me/audit")).json()["events"]
    assert [(e["event"], e["details"]["address"]) for e in events[:3]] == [
        ("wallet_unlinked", first["address"]),
        ("wallet_linked", second["address"]),
        ("wallet_linked", first["address"]),
    ]
    bobs = (await bob.http.get("/api/me/audit")).json()["events"]
    assert [e["event"] for e in bobs[:1]] == ["wallet_linked"]


async def test_room_members_see_each_others_addresses_and_nobody_else_does(
    server, alice, bob, carol, keys
):
    await link_wallet(bob, keys[1])
    bob_address = Account.from_key(keys[1]).address
    private = await create_room(alice, "secret", kind="private")
    r = await alice.http.post(f"/api/rooms/{private}/members", json={"user_id": bob.id})
    assert r.status_code == 201
    r = await alice.http.get(f"/api/rooms/{private}/members/{bob.id}/wallets")
    assert r.status_code == 200
    assert r.json() == {"user_id": bob.id, "wallets": [{"address": bob_address}]}
    # carol is not a member: the private room does not exist for her.
    r = await carol.http.get(f"/api/rooms/{private}/members/{bob.id}/wallets")
    assert r.status_code == 404 and r.json()["code"] == "room_not_found"
    # In a public room she has not joined: join first.
    public = await create_room(alice, "open")
    await join(bob, public)
    r = await carol.http.get(f"/api/rooms/{public}/members/{bob.id}/wallets")
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"
    # A user who is not in the room is not found there.
    r = await alice.http.get(f"/api/rooms/{public}/members/{carol.id}/wallets")
    assert r.status_code == 404 and r.json()["code"] == "user_not_found"


async def test_in_production_linking_needs_the_public_origin(start_server, chain_settings):
    prod = start_server(env="production", public_origin=None, **chain_settings)
    dave = await register(prod.base_url)
    try:
        r = await dave.http.get("/api/wallets/nonce")
        assert r.status_code == 503 and r.json()["code"] == "siwe_origin_not_configured"
    finally:
        await dave.http.aclose()


async def test_a_configured_public_origin_is_what_messages_must_name(
    start_server, chain_settings, keys
):
    """Behind a proxy the Host header is the client's to choose; the configured origin is not."""
    server = start_server(public_origin="https://chat.example.com", **chain_settings)
    dave = await register(server.base_url)
    try:
        nonce = await nonce_for(dave)
        assert nonce["domain"] == "chat.example.com" and nonce["uri"] == "https://chat.example.com"
        address = Account.from_key(keys[2]).address
        spoofed = fields_for(nonce, address, domain=f"127.0.0.1:{server.port}", uri=server.base_url)
        r = await post_link(dave, *make_signed("viem", keys[2], spoofed))
        assert r.json()["code"] == "siwe_domain_mismatch"
        nonce = await nonce_for(dave)
        r = await post_link(dave, *make_signed("viem", keys[2], fields_for(nonce, address)))
        assert r.status_code == 201, r.text
    finally:
        await dave.http.aclose()


async def test_a_contract_wallet_links_through_eip1271(alice, keys, chain, dev_chain):
    """The wallet contract's address signs nothing itself: its owner's signature, which the
    contract vouches for on chain (isValidSignature), proves it."""
    artifact = from_json(json.loads((ARTIFACTS / "OwnedWallet.json").read_text()))
    owner = Account.from_key(keys[3])
    wallet = await chain.deploy(dev_chain.accounts[4].local(), artifact, owner.address)
    # Signed by someone else: the wallet says no.
    message, _ = make_signed("viem", keys[3], fields_for(await nonce_for(alice), wallet))
    r = await post_link(alice, message, sign_text(keys[5], message))
    assert r.status_code == 400 and r.json()["code"] == "siwe_signature_invalid"
    # Signed by its owner: linked, as the contract's address.
    message, _ = make_signed("viem", keys[3], fields_for(await nonce_for(alice), wallet))
    r = await post_link(alice, message, sign_text(keys[3], message))
    assert r.status_code == 201, r.text
    assert [w["address"] for w in await wallets_of(alice)] == [wallet]
