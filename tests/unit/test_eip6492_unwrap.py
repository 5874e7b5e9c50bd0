"""Taking an EIP-6492 signature apart (no I/O): its parts, and a clean refusal for any body
that is not the ABI encoding of (address, bytes, bytes)."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from hypothesis import given
from hypothesis import strategies as st

from tipchat.errors import Code, TipchatError
from tipchat.tips.contract_signatures import EIP6492_SUFFIX, Erc6492, unwrap_6492

FACTORY = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
GOOD = encode(["address", "bytes", "bytes"], [FACTORY.lower(), b"\x12\x34", b"\x01" * 65])


def test_a_wrapped_signature_comes_apart_into_factory_calldata_and_inner_signature():
    assert unwrap_6492(GOOD + EIP6492_SUFFIX) == Erc6492(
        factory=FACTORY, factory_calldata=b"\x12\x34", signature=b"\x01" * 65
    )


def test_a_signature_without_the_suffix_is_not_wrapped():
    assert unwrap_6492(b"\x01" * 65) is None
    assert unwrap_6492(EIP6492_SUFFIX[1:]) is None


@pytest.mark.parametrize(
    "body",
    [b"", b"\x01" * 40, b"\x00" * 32 + b"\xff" * 64, b"\x01" + GOOD[1:], GOOD[:-1]],
    ids=["empty", "short", "huge-offsets", "dirty-address", "truncated"],
)
def test_a_body_that_does_not_decode_is_an_invalid_signature(body):
    with pytest.raises(TipchatError) as raised:
        unwrap_6492(body + EIP6492_SUFFIX)
    assert raised.value.code == Code.siwe_signature_invalid


@given(st.binary(max_size=400))
def test_any_body_unwraps_or_is_refused_as_an_invalid_signature(body):
    try:
        unwrapped = unwrap_6492(body + EIP6492_SUFFIX)
    except TipchatError as exc:
        assert exc.code == Code.siwe_signature_invalid
    else:
        assert unwrapped is not None
