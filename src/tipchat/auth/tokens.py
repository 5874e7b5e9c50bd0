"""Access tokens are short-lived HS256 JWTs; refresh tokens are opaque random strings stored
as SHA-256 hashes (a database leak does not leak usable tokens)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

import jwt

from tipchat.errors import Code, TipchatError

_ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    username: str
    session_id: str  # the refresh-token family this access token was issued under
    expires_at: float


def issue_access_token(
    *,
    secret: str,
    user_id: int,
    username: str,
    session_id: str,
    ttl_s: int,
    now: float | None = None,
) -> tuple[str, float]:
    issued = time.time() if now is None else now
    expires = issued + ttl_s
    claims = {
        "sub": str(user_id),
        "name": username,
        "sid": session_id,
        "typ": "access",
        "iat": int(issued),
        "exp": int(expires),
    }
    token = jwt.encode(claims, secret, algorithm=_ALGORITHM, headers={"kid": key_id(secret)})
    return token, float(int(expires))


def key_id(secret: str) -> str:
    """A signing key's public name (a truncated hash; it reveals nothing usable about the key).
    Tokens carry it in their header so that the right key verifies them during a rotation."""
    return hashlib.sha256(b"tipchat-jwt-kid:" + secret.encode()).hexdigest()[:16]


def decode_access_token(token: str, *, secret: str, previous: Sequence[str] = ()) -> AccessClaims:
    """Verify with the current key, or with a previous one named by the token's kid: after a
    rotation, tokens signed with the old key stay valid until they expire (keep the old key in
    TIPCHAT_JWT_PREVIOUS_SECRETS for one access-token lifetime), so nobody is logged out."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        key = next((k for k in previous if key_id(k) == kid), secret)
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "iat", "sub", "sid"]},
        )
    except jwt.ExpiredSignatureError:
        raise TipchatError(Code.token_expired, "access token expired; refresh it") from None
    except jwt.PyJWTError:
        raise TipchatError(Code.invalid_token, "access token is not valid") from None
    if claims.get("typ") != "access" or not str(claims["sub"]).isdigit():
        raise TipchatError(Code.invalid_token, "access token is not valid")
    return AccessClaims(
        user_id=int(claims["sub"]),
        username=str(claims.get("name", "")),
        session_id=str(claims["sid"]),
        expires_at=float(claims["exp"]),
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


# Cookie names shared by the HTTP API (which sets them) and the WebSocket gateway (which
# accepts the access cookie in place of an auth frame).
ACCESS_COOKIE = "tipchat_access"
REFRESH_COOKIE = "tipchat_refresh"
CSRF_COOKIE = "tipchat_csrf"
CSRF_HEADER = "x-csrf-token"
