"""The ID token check of OIDC sign-in (OpenID Connect Core §3.1.3.7), with no I/O: the caller
hands in the provider's keys.

Strict on purpose. Only asymmetric algorithms that the provider advertises are accepted: never
`none`, and never HS*, whose "key" would be whatever the verifier is handed (an attacker who
signs with HS256 using the provider's public key as the secret forges tokens against libraries
that pick the algorithm from the token). The key must be the one the token's `kid` names, of the
key type its algorithm needs. Then issuer exactly, audience, authorized party, expiry, issue
time and nonce.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from tipchat.errors import Code, TipchatError

# Asymmetric JWS algorithms (RFC 7518, RFC 8037) by the key type they need.
KEY_TYPES: Mapping[str, str] = {
    **dict.fromkeys(("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"), "RSA"),
    **dict.fromkeys(("ES256", "ES384", "ES512"), "EC"),
    "EdDSA": "OKP",
}
# Clocks drift: a token issued "a few seconds from now" by a provider whose clock runs ahead,
# or one that expired a moment ago in transit, is still good within this.
LEEWAY_S = 60
# OpenID Connect Core §2: sub is at most 255 ASCII characters.
MAX_SUBJECT = 255
MAX_TOKEN_CHARS = 16 * 1024


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in. `subject` (with `issuer`) is the only stable key."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    preferred_username: str | None
    name: str | None


class UnknownKey(Exception):
    """No key in the key set matches the token's kid: the provider may have rotated."""


def _invalid(reason: str, code: Code = Code.oidc_id_token_invalid) -> TipchatError:
    return TipchatError(code, f"the provider's ID token was refused: {reason}")


def token_header(token: str, *, allowed_algs: frozenset[str]) -> tuple[str, str | None]:
    """The token's algorithm (one of allowed_algs, all asymmetric) and kid, unverified."""
    if len(token) > MAX_TOKEN_CHARS:
        raise _invalid("too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _invalid("not a JWS") from None
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in KEY_TYPES or alg not in allowed_algs:
        raise _invalid(f"algorithm {str(alg)[:16]!r} is not accepted")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise _invalid("kid is not a string")
    return alg, kid


def signing_key(keys: Sequence[Mapping[str, Any]], *, alg: str, kid: str | None) -> jwt.PyJWK:
    """The one key that may have signed: the kid's (or, with no kid, the only key of the
    right type), usable for signatures, of the key type the algorithm needs."""
    candidates = [
        k
        for k in keys
        if k.get("kty") == KEY_TYPES[alg]
        and k.get("use", "sig") == "sig"
        and k.get("alg", alg) == alg
        and (kid is None or k.get("kid") == kid)
    ]
    if kid is None and len(candidates) != 1:
        raise _invalid("no kid, and the provider has no single key for it")
    if not candidates:
        raise UnknownKey(kid)
    try:
        return jwt.PyJWK(dict(candidates[0]), algorithm=alg)
    except jwt.PyJWTError:
        raise _invalid("the provider's key is unusable") from None


def verify(
    token: str,
    *,
    key: jwt.PyJWK,
    alg: str,
    issuer: str,
    client_id: str,
    nonce: str,
) -> Identity:
    """Verify signature and claims; the Identity, or TipchatError with an oidc_* code."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_S,  # also bounds iat in the future
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise _invalid("expired", Code.oidc_id_token_expired) from None
    except jwt.InvalidAudienceError:
        raise _invalid("issued to another client", Code.oidc_audience_mismatch) from None
    except jwt.InvalidIssuerError:
        raise _invalid("issued by another issuer") from None
    except jwt.ImmatureSignatureError:
        raise _invalid("issued in the future") from None
    except jwt.InvalidSignatureError:
        raise _invalid("bad signature") from None
    except jwt.PyJWTError as exc:
        raise _invalid(type(exc).__name__) from None

    # Several audiences: the token must say it was issued to us (azp); present: it must be us.
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise _invalid("authorized party is another client", Code.oidc_audience_mismatch)
    got_nonce = claims.get("nonce")
    if not isinstance(got_nonce, str) or not hmac.compare_digest(
        got_nonce.encode(), nonce.encode()
    ):
        raise _invalid("nonce does not match this sign-in", Code.oidc_nonce_mismatch)
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT:
        raise _invalid("bad subject")
    return Identity(
        issuer=issuer,
        subject=subject,
        email=_text(claims.get("email"), 320),
        email_verified=claims.get("email_verified") is True,
        preferred_username=_text(claims.get("preferred_username"), 256),
        name=_text(claims.get("name"), 256),
    )


def _text(value: object, limit: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None
