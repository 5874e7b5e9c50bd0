"""OIDC sign-in without I/O: the ID token check with locally generated keys, the protocol client
against an in-memory provider (discovery, client authentication, PKCE, key rotation), and the
usernames a first sign-in gets. End to end with a real provider: tests/integration/test_oidc.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tipchat.auth import id_token
from tipchat.auth.id_token import Identity
from tipchat.auth.oidc import OidcClient, pkce_challenge
from tipchat.auth.oidc_signin import username_base, username_candidates
from tipchat.errors import Code, TipchatError

ISSUER = "https://idp.example.com"
CLIENT = "tipchat"
NONCE = "the-nonce-of-this-sign-in"

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def jwk(key: Any, kid: str, **extra: str) -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else None
    public = key.public_key()
    data = json.loads(
        algorithm.to_jwk(public) if algorithm else jwt.algorithms.ECAlgorithm.to_jwk(public)
    )
    return {**data, "kid": kid, **extra}


KEYS = [jwk(RSA_KEY, "r1", use="sig"), jwk(EC_KEY, "e1")]


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": CLIENT,
        "exp": now + 300,
        "iat": now,
        "nonce": NONCE,
        "email": "jane@example.com",
        "email_verified": True,
        "preferred_username": "jane",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: Any = RSA_KEY, alg: str = "RS256", kid: str | None = "r1"):
    headers = {"kid": kid} if kid else {}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


def check(token: str, *, keys: list[dict[str, Any]] = KEYS, algs=("RS256",)) -> Identity:
    alg, kid = id_token.token_header(token, allowed_algs=frozenset(algs))
    key = id_token.signing_key(keys, alg=alg, kid=kid)
    return id_token.verify(token, key=key, alg=alg, issuer=ISSUER, client_id=CLIENT, nonce=NONCE)


def refused(token: str, code: Code = Code.oidc_id_token_invalid, **kwargs: Any) -> str:
    with pytest.raises(TipchatError) as caught:
        check(token, **kwargs)
    assert caught.value.code is code, caught.value.message
    return caught.value.message


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- the ID token ---------------------------------------------------------------------------


def test_a_good_token_gives_the_identity():
    identity = check(sign(claims()))
    assert identity == Identity(
        issuer=ISSUER,
        subject="248289761001",
        email="jane@example.com",
        email_verified=True,
        preferred_username="jane",
        name=None,
    )
    assert check(sign(claims(), EC_KEY, "ES256", "e1"), algs=("RS256", "ES256")).subject


def test_only_asymmetric_algorithms_the_provider_advertises():
    # ES256 is a fine algorithm, but this provider said it signs with RS256 only.
    assert "'ES256' is not accepted" in refused(sign(claims(), EC_KEY, "ES256", "e1"))
    unsigned = b64(b'{"alg":"none"}') + "." + b64(json.dumps(claims()).encode()) + "."
    assert "'none' is not accepted" in refused(unsigned)
    # Key confusion: HS256 with the public key as the secret, even if "advertised".
    pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = b64(b'{"alg":"HS256","kid":"r1"}') + "." + b64(json.dumps(claims()).encode())
    forged = head + "." + b64(hmac.new(pem, head.encode(), hashlib.sha256).digest())
    assert "'HS256' is not accepted" in refused(forged, algs=("RS256", "HS256"))


def test_the_key_named_by_kid_of_the_right_type_only():
    with pytest.raises(id_token.UnknownKey):
        check(sign(claims(), kid="rotated"))
    # RS256 naming the EC key's kid: no RSA key has that kid.
    with pytest.raises(id_token.UnknownKey):
        check(sign(claims(), kid="e1"))
    # Encryption keys do not verify signatures.
    with pytest.raises(id_token.UnknownKey):
        check(sign(claims()), keys=[jwk(RSA_KEY, "r1", use="enc")])
    # No kid: only when the provider has exactly one key that fits.
    assert check(sign(claims(), kid=None), keys=[jwk(RSA_KEY, "r1")]).subject
    two = [jwk(RSA_KEY, "r1"), jwk(OTHER_RSA_KEY, "r2")]
    assert "no kid" in refused(sign(claims(), kid=None), keys=two)


def test_a_signature_by_another_key_is_refused():
    assert "bad signature" in refused(sign(claims(), OTHER_RSA_KEY))


@pytest.mark.parametrize(
    ("overrides", "code", "reason"),
    [
        ({"iss": "https://evil.example.com"}, Code.oidc_id_token_invalid, "another issuer"),
        ({"iss": ISSUER + "/"}, Code.oidc_id_token_invalid, "another issuer"),
        ({"aud": "another-client"}, Code.oidc_audience_mismatch, "another client"),
        ({"aud": [CLIENT, "another-client"]}, Code.oidc_audience_mismatch, "authorized party"),
        ({"azp": "another-client"}, Code.oidc_audience_mismatch, "authorized party"),
        ({"exp": lambda: int(time.time()) - 120}, Code.oidc_id_token_expired, "expired"),
        ({"iat": lambda: int(time.time()) + 300}, Code.oidc_id_token_invalid, "in the future"),
        ({"nonce": "another-sign-in"}, Code.oidc_nonce_mismatch, "nonce"),
        ({"nonce": None}, Code.oidc_nonce_mismatch, "nonce"),
        ({"nonce": "nonce-ünïcode"}, Code.oidc_nonce_mismatch, "nonce"),
        ({"sub": None}, Code.oidc_id_token_invalid, "MissingRequiredClaimError"),
        ({"exp": None}, Code.oidc_id_token_invalid, "MissingRequiredClaimError"),
        ({"sub": "x" * 256}, Code.oidc_id_token_invalid, "bad subject"),
    ],
)
def test_claims_that_fail(overrides: dict[str, Any], code: Code, reason: str):
    # Times are made now, not when the tests were collected (minutes earlier in a full run).
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
    assert reason in refused(sign(claims(**overrides)), code)


def test_claims_within_the_rules():
    # Several audiences with us as the authorized party; a clock a little off either way.
    assert check(sign(claims(aud=[CLIENT, "other"], azp=CLIENT))).subject
    assert check(sign(claims(exp=int(time.time()) - 30, iat=int(time.time()) + 30))).subject
    # Optional claims that are not strings are dropped, not trusted.
    identity = check(sign(claims(email=["a@b"], email_verified="true", preferred_username=None)))
    assert (identity.email, identity.email_verified, identity.preferred_username) == (
        None,
        False,
        None,
    )


# -- the protocol client --------------------------------------------------------------------


class TwinProvider:
    """ProviderHttp over dictionaries, counting the calls."""

    def __init__(self, discovery: dict[str, Any] | None = None) -> None:
        self.documents: dict[str, Any] = {
            ISSUER + "/.well-known/openid-configuration": {
                "issuer": ISSUER,
                "authorization_endpoint": ISSUER + "/authorize",
                "token_endpoint": ISSUER + "/token",
                "jwks_uri": ISSUER + "/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                **(discovery or {}),
            },
            ISSUER + "/jwks": {"keys": [jwk(RSA_KEY, "r1")]},
        }
        self.gets: list[str] = []
        self.posts: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.token_response: tuple[int, Any] = (200, {"id_token": "t", "token_type": "Bearer"})

    async def get_json(self, url: str) -> Any:
        self.gets.append(url)
        return self.documents[url]

    async def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, Any]:
        self.posts.append((url, dict(form), dict(headers)))
        return self.token_response


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(twin: TwinProvider, secret: str | None = "s3cret", clock: Clock | None = None):  # noqa: S107
    return OidcClient(
        issuer=ISSUER,
        client_id=CLIENT,
        client_secret=secret,
        scopes="openid profile email",
        http=twin,
        clock=clock or Clock(),
    )


async def test_a_failed_discovery_is_not_retried_at_once():
    twin, clock = TwinProvider({"issuer": "https://lookalike.example.com"}), Clock()
    oidc = client(twin, clock=clock)
    for _ in range(3):
        with pytest.raises(TipchatError, match="names issuer"):
            await oidc.metadata()
    assert len(twin.gets) == 1
    twin.documents[ISSUER + "/.well-known/openid-configuration"]["issuer"] = ISSUER
    clock.now += 11
    assert (await oidc.metadata()).issuer == ISSUER
    assert len(twin.gets) == 2


@pytest.mark.parametrize(
    ("discovery", "reason"),
    [
        ({"issuer": "https://idp.example.com/"}, "names issuer"),
        ({"issuer": "https://login.example.com/{tenantid}/v2.0"}, "names issuer"),
        ({"token_endpoint": "http://idp.example.com/token"}, "token_endpoint is not https"),
        ({"jwks_uri": None}, "no usable jwks_uri"),
        ({"id_token_signing_alg_values_supported": ["HS256", "none"]}, "signs ID tokens only"),
        ({"token_endpoint_auth_methods_supported": ["private_key_jwt"]}, "accepts only"),
    ],
)
async def test_discovery_documents_that_are_refused(discovery: dict[str, Any], reason: str):
    with pytest.raises(TipchatError) as caught:
        await client(TwinProvider(discovery)).metadata()
    assert caught.value.code is Code.oidc_provider_unavailable
    assert reason in caught.value.message


async def test_the_authorization_request():
    twin = TwinProvider({"authorization_endpoint": ISSUER + "/authorize?tenant=a"})
    request = await client(twin).authorization_request(redirect_uri="https://chat/cb")
    url = urlsplit(request.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == "/authorize" and query["tenant"] == "a"
    assert query["code_challenge"] == pkce_challenge(request.code_verifier)
    assert query["code_challenge_method"] == "S256"
    assert (query["state"], query["nonce"]) == (request.state, request.nonce)
    assert 43 <= len(request.code_verifier) <= 128
    # RFC 7636 appendix B's example.
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@pytest.mark.parametrize(
    ("methods", "secret", "expected"),
    [
        (None, "s3cret", "client_secret_basic"),  # the default when not advertised
        (["client_secret_post"], "s3cret", "client_secret_post"),
        (["client_secret_post", "client_secret_basic"], "s3cret", "client_secret_basic"),
        (["client_secret_basic"], None, "none"),
    ],
)
async def test_client_authentication_at_the_token_endpoint(
    methods: list[str] | None, secret: str | None, expected: str
):
    twin = TwinProvider({"token_endpoint_auth_methods_supported": methods} if methods else {})
    if secret:
        secret = "a:b+c/%"  # RFC 6749 §2.3.1: form-encoded before base64
    token = await client(twin, secret).exchange_code(
        code="the-code", redirect_uri="https://chat/cb", code_verifier="v" * 43
    )
    assert token == "t"
    url, form, headers = twin.posts[0]
    assert url == ISSUER + "/token"
    assert form["grant_type"] == "authorization_code" and form["code_verifier"] == "v" * 43
    if expected == "client_secret_basic":
        pair = base64.b64decode(headers["Authorization"].removeprefix("Basic ")).decode()
        assert pair == "tipchat:a%3Ab%2Bc%2F%25"
        assert unquote(pair.split(":")[1]) == secret
        assert "client_secret" not in form
    else:
        assert "Authorization" not in headers
        assert form["client_id"] == CLIENT
        assert form.get("client_secret") == (secret if expected == "client_secret_post" else None)


@pytest.mark.parametrize(
    "answer", [(400, {"error": "invalid_grant"}), (500, None), (200, {"access_token": "a"})]
)
async def test_a_token_endpoint_that_refuses_or_sends_no_id_token(answer: tuple[int, Any]):
    twin = TwinProvider()
    twin.token_response = answer
    with pytest.raises(TipchatError) as caught:
        await client(twin).exchange_code(code="c", redirect_uri="r", code_verifier="v")
    assert caught.value.code in (Code.oidc_code_rejected, Code.oidc_id_token_invalid)


async def test_metadata_and_keys_are_cached_and_refetched_on_rotation():
    twin, clock = TwinProvider(), Clock()
    oidc = client(twin, clock=clock)
    assert (await oidc.verify_id_token(sign(claims()), nonce=NONCE)).subject
    assert (await oidc.verify_id_token(sign(claims()), nonce=NONCE)).subject
    assert len(twin.gets) == 2  # discovery and keys, once each

    # The provider rotates to a new key: the unknown kid makes us fetch the keys again...
    twin.documents[ISSUER + "/jwks"] = {"keys": [jwk(OTHER_RSA_KEY, "r2")]}
    clock.now += 60
    rotated = sign(claims(), OTHER_RSA_KEY, kid="r2")
    assert (await oidc.verify_id_token(rotated, nonce=NONCE)).subject
    assert twin.gets[-1] == ISSUER + "/jwks" and len(twin.gets) == 3
    # ...but made-up kids do not make us ask again and again.
    for n in range(5):
        with pytest.raises(TipchatError) as caught:
            await oidc.verify_id_token(sign(claims(), kid=f"made-up-{n}"), nonce=NONCE)
        assert "does not publish" in caught.value.message
    assert len(twin.gets) == 3
    # After the TTL, both documents are fetched again.
    clock.now += 3601
    await oidc.verify_id_token(sign(claims(), OTHER_RSA_KEY, kid="r2"), nonce=NONCE)
    assert len(twin.gets) == 5


# -- usernames ------------------------------------------------------------------------------


def identity(**claims_: str | None) -> Identity:
    fields: dict[str, Any] = {"email": None, "preferred_username": None, "name": None}
    fields.update(claims_)
    return Identity(issuer=ISSUER, subject="s", email_verified=False, **fields)


@pytest.mark.parametrize(
    ("claims_", "expected"),
    [
        ({"preferred_username": "alice"}, "alice"),
        ({"preferred_username": "alice@contoso.com"}, "alice"),  # Entra's UPN
        ({"preferred_username": "Zoë Ångström"}, "Zoe_Angstrom"),
        ({"preferred_username": "__42__bob.smith--"}, "bob_smith"),
        ({"preferred_username": "ab", "email": "carol.d@example.com"}, "carol_d"),
        ({"preferred_username": "李小龙", "email": "x@example.com"}, "user"),
        ({"email": "a" * 80 + "@example.com"}, "a" * 32),
        ({}, "user"),
    ],
)
def test_usernames_from_claims(claims_: dict[str, str], expected: str):
    assert username_base(identity(**claims_)) == expected


def test_taken_names_get_numbers_within_the_length_limit():
    names = username_candidates(identity(preferred_username="a" * 32))
    assert names[:3] == ["a" * 32, "a" * 31 + "2", "a" * 31 + "3"]
    assert all(len(n) <= 32 for n in names) and len(set(names)) == len(names)
