"""Access tokens (HS256 JWTs) and opaque refresh tokens."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
import orjson
import pytest

from tipchat.auth.tokens import (
    decode_access_token,
    hash_refresh_token,
    issue_access_token,
    key_id,
    new_refresh_token,
)
from tipchat.errors import Code, TipchatError

SECRET = "unit-test-secret-0123456789abcdef-0123456789abcdef"
OTHER_SECRET = "another-secret-fedcba9876543210-fedcba9876543210"


def issue(**overrides: Any) -> tuple[str, float]:
    kwargs: dict[str, Any] = {
        "secret": SECRET,
        "user_id": 42,
        "username": "alice",
        "session_id": "sess-1",
        "ttl_s": 900,
    }
    kwargs.update(overrides)
    return issue_access_token(**kwargs)


def decode_error(token: str, secret: str = SECRET) -> TipchatError:
    with pytest.raises(TipchatError) as info:
        decode_access_token(token, secret=secret)
    return info.value


def valid_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "42",
        "name": "alice",
        "sid": "sess-1",
        "typ": "access",
        "iat": now,
        "exp": now + 900,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- access tokens -----------------------------------------------------------------------


def test_issued_token_decodes_to_the_same_claims() -> None:
    now = time.time()
    token, expires_at = issue(now=now)
    claims = decode_access_token(token, secret=SECRET)
    assert claims.user_id == 42
    assert claims.username == "alice"
    assert claims.session_id == "sess-1"
    assert claims.expires_at == expires_at == float(int(now + 900))


def test_hand_built_valid_token_is_accepted() -> None:
    # Guards the negative tests below: they differ from this one in one claim only.
    token = jwt.encode(valid_claims(), SECRET, algorithm="HS256")
    assert decode_access_token(token, secret=SECRET).user_id == 42


def test_expired_token_is_token_expired() -> None:
    token, _ = issue(now=time.time() - 10_000, ttl_s=60)
    assert decode_error(token).code is Code.token_expired


def test_token_signed_with_another_secret_is_invalid() -> None:
    token, _ = issue(secret=OTHER_SECRET)
    assert decode_error(token).code is Code.invalid_token


def test_tampered_payload_is_invalid() -> None:
    token, _ = issue()
    header, _payload, signature = token.split(".")
    forged = b64(orjson.dumps(valid_claims(sub="1")))
    assert decode_error(f"{header}.{forged}.{signature}").code is Code.invalid_token


def test_tampered_signature_is_invalid() -> None:
    token, _ = issue()
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert decode_error(f"{header}.{payload}.{flipped}").code is Code.invalid_token


@pytest.mark.parametrize("typ", [None, "refresh", "ACCESS"])
def test_token_without_access_type_is_invalid(typ: str | None) -> None:
    token = jwt.encode(valid_claims(typ=typ), SECRET, algorithm="HS256")
    assert decode_error(token).code is Code.invalid_token


@pytest.mark.parametrize("sub", ["abc", "-1", "4.2", "", " 42"])
def test_token_with_non_numeric_subject_is_invalid(sub: str) -> None:
    token = jwt.encode(valid_claims(sub=sub), SECRET, algorithm="HS256")
    assert decode_error(token).code is Code.invalid_token


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "sid"])
def test_token_missing_a_required_claim_is_invalid(missing: str) -> None:
    claims = valid_claims()
    del claims[missing]
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    assert decode_error(token).code is Code.invalid_token


def test_alg_none_token_is_invalid() -> None:
    header = b64(orjson.dumps({"alg": "none", "typ": "JWT"}))
    payload = b64(orjson.dumps(valid_claims()))
    assert decode_error(f"{header}.{payload}.").code is Code.invalid_token


def test_token_signed_with_another_hmac_algorithm_is_invalid() -> None:
    token = jwt.encode(valid_claims(), SECRET + SECRET, algorithm="HS512")
    assert decode_error(token, secret=SECRET + SECRET).code is Code.invalid_token


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJ.eyJ.sig"])
def test_garbage_token_is_invalid(garbage: str) -> None:
    assert decode_error(garbage).code is Code.invalid_token


# -- refresh tokens ----------------------------------------------------------------------


def test_refresh_tokens_are_random_and_long() -> None:
    first, second = new_refresh_token(), new_refresh_token()
    assert first != second
    assert len(first) >= 40
    assert len(second) >= 40


def test_hash_refresh_token_is_deterministic_32_bytes() -> None:
    token = new_refresh_token()
    digest = hash_refresh_token(token)
    assert isinstance(digest, bytes)
    assert len(digest) == 32
    assert hash_refresh_token(token) == digest


def test_different_refresh_tokens_hash_differently() -> None:
    assert hash_refresh_token("token-a") != hash_refresh_token("token-b")


def test_tokens_name_their_key_and_a_previous_key_still_verifies_after_a_rotation() -> None:
    old_token, _ = issue(secret=OTHER_SECRET)
    assert jwt.get_unverified_header(old_token)["kid"] == key_id(OTHER_SECRET)
    assert key_id(OTHER_SECRET) != key_id(SECRET)
    assert OTHER_SECRET not in key_id(OTHER_SECRET)

    # Rotated: SECRET signs now, OTHER_SECRET only verifies.
    claims = decode_access_token(old_token, secret=SECRET, previous=[OTHER_SECRET])
    assert claims.user_id == 42
    new_token, _ = issue(secret=SECRET)
    assert decode_access_token(new_token, secret=SECRET, previous=[OTHER_SECRET]).user_id == 42
    # Once the old key is dropped, its tokens are refused.
    assert decode_error(old_token).code == Code.invalid_token


def test_a_kid_does_not_let_a_token_choose_an_unlisted_key() -> None:
    forged = jwt.encode(
        valid_claims(),
        "attacker-key-0123456789abcdef0123456789",
        algorithm="HS256",
        headers={"kid": key_id(OTHER_SECRET)},
    )
    assert decode_error(forged).code == Code.invalid_token
    with pytest.raises(TipchatError):
        decode_access_token(forged, secret=SECRET, previous=[OTHER_SECRET])
