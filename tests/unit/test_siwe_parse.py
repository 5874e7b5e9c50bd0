"""The EIP-4361 parser (no I/O): what it reads, and the claims checks on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tipchat.errors import TipchatError
from tipchat.tips import siwe

ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
FULL = (
    "https://chat.example.com wants you to sign in with your Ethereum account:\n"
    f"{ADDRESS}\n\nLink me\n\n"
    "URI: https://chat.example.com\nVersion: 1\nChain ID: 8453\nNonce: abcdef123456\n"
    "Issued At: 2026-11-25T01:24:06.496Z\nExpiration Time: 2026-11-25T01:29:06Z\n"
    "Not Before: 2026-11-25T01:24:00+00:00\nRequest ID: r-1\n"
    "Resources:\n- https://chat.example.com/terms\n- ipfs://bafy"
)
EXPECTED = siwe.Expected(scheme="https", domain="chat.example.com", chain_ids=frozenset({8453}))


def test_every_field_is_read():
    m = siwe.parse(FULL)
    assert (m.scheme, m.domain, m.address, m.statement) == (
        "https",
        "chat.example.com",
        ADDRESS,
        "Link me",
    )
    assert (m.uri, m.version, m.chain_id, m.nonce) == (
        "https://chat.example.com",
        "1",
        8453,
        "abcdef123456",
    )
    assert m.issued_at == datetime(2026, 11, 25, 1, 24, 6, 496000, tzinfo=UTC)
    assert m.expiration_time == datetime(2026, 11, 25, 1, 29, 6, tzinfo=UTC)
    assert m.request_id == "r-1"
    assert m.resources == ("https://chat.example.com/terms", "ipfs://bafy")


@pytest.mark.parametrize(
    "text",
    [
        FULL.replace("Request ID: r-1\n", "").replace(
            "Not Before: 2026-11-25T01:24:00+00:00\n", "Request ID: r-1\nNot Before: x\n"
        ),  # optional fields out of order
        FULL.replace("Issued At: 2026-11-25T01:24:06.496Z", "Issued At: 2026-11-25 01:24:06"),
        FULL.replace("Issued At: 2026-11-25T01:24:06.496Z", "Issued At: 2026-11-25T01:24:06"),
        FULL.replace("Chain ID: 8453", "Chain ID: 0x2105"),
        FULL.replace("Nonce: abcdef123456", "Nonce: short"),
        FULL.replace("Link me\n\n", "Link me\n"),
        FULL.replace("\n\nLink me\n\n", "\nLink me\n\n"),
        FULL + "\n",
        FULL.replace("URI: https://chat.example.com", "URI: not a uri"),
        "x" * (siwe.MAX_MESSAGE_CHARS + 1),
    ],
)
def test_anything_off_the_grammar_is_refused(text):
    with pytest.raises(TipchatError) as caught:
        siwe.parse(text)
    assert caught.value.code == "siwe_message_invalid"


def test_claims_are_checked_against_the_origin_the_chains_and_the_clock():
    m = siwe.parse(FULL)
    now = m.issued_at + timedelta(seconds=10)
    siwe.check_claims(m, expected=EXPECTED, now=now, max_age=timedelta(minutes=5))
    http = siwe.Expected(scheme="http", domain="chat.example.com", chain_ids=frozenset({8453}))
    for expected, when, code in [
        (http, now, "siwe_domain_mismatch"),  # the message's scheme says https
        (EXPECTED, m.issued_at + timedelta(minutes=6), "siwe_expired"),
        (EXPECTED, m.issued_at - timedelta(minutes=2), "siwe_issued_at_invalid"),
    ]:
        with pytest.raises(TipchatError) as caught:
            siwe.check_claims(m, expected=expected, now=when, max_age=timedelta(minutes=10))
        assert caught.value.code == code
