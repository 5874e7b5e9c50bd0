"""OIDC sign-in, the protocol side: discovery, the authorization request (code flow with PKCE
S256, state and nonce), the code exchange, and the provider's keys for the ID token check
(auth/id_token.py). One OidcClient per configured provider, shared by every request.

The provider is reached over HTTP through a narrow interface (ProviderHttp) with timeouts,
a size cap and no redirects; unit tests run the client against an in-memory twin.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import aiohttp

from tipchat.auth import id_token
from tipchat.errors import Code, TipchatError

log = logging.getLogger(__name__)

# Discovery documents and key sets change rarely (key rotation is announced weeks ahead);
# an hour keeps every node's copy fresh without asking the provider on each sign-in.
METADATA_TTL_S = 3600.0
# An unknown kid makes us refetch the key set (the provider rotated), but at most this often:
# tokens with made-up kids cannot turn us into a client hammering the provider.
JWKS_REFETCH_MIN_S = 30.0
# After a failed discovery, sign-ins fail at once for this long instead of each waiting for
# the provider again (and queueing behind one another on the fetch lock).
FAILURE_HOLD_S = 10.0
# Outbound calls: a provider that hangs must not hold a sign-in (or a worker) for long.
CONNECT_TIMEOUT_S = 5.0
TOTAL_TIMEOUT_S = 10.0
# Discovery documents, key sets and token responses are a few KiB.
MAX_RESPONSE_BYTES = 512 * 1024


class ProviderHttp(Protocol):
    async def get_json(self, url: str) -> Any:
        """The JSON body of a 200 answer to GET url; TipchatError otherwise."""
        ...

    async def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, Any]:
        """POST a form; the status and the JSON body (None when it is not JSON)."""
        ...


def _unavailable(reason: str) -> TipchatError:
    return TipchatError(
        Code.oidc_provider_unavailable, f"the sign-in provider cannot be used: {reason}"
    )


class AiohttpProviderHttp:
    """ProviderHttp over aiohttp (already in the runtime tree through web3)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # created on first use: it needs the running loop
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=TOTAL_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
                headers={"Accept": "application/json"},
            )
        return self._session

    async def _read(self, response: aiohttp.ClientResponse) -> Any:
        body = await response.content.read(MAX_RESPONSE_BYTES + 1)
        if len(body) > MAX_RESPONSE_BYTES:
            raise _unavailable(f"{response.url.host} answered with an oversized body")
        try:
            return json.loads(body)
        except ValueError:
            return None

    async def get_json(self, url: str) -> Any:
        try:
            async with self._client().get(url, allow_redirects=False) as response:
                body = await self._read(response)
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _unavailable(f"GET {url} failed ({type(exc).__name__})") from None
        if status != 200 or body is None:
            raise _unavailable(f"GET {url} answered {status}")
        return body

    async def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, Any]:
        try:
            async with self._client().post(
                url, data=dict(form), headers=dict(headers), allow_redirects=False
            ) as response:
                return response.status, await self._read(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _unavailable(f"POST {url} failed ({type(exc).__name__})") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    signing_algs: frozenset[str]  # asymmetric only
    client_auth: str  # client_secret_basic, client_secret_post or none


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep for the callback (never sent anywhere)."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(sha256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def parse_metadata(doc: Any, *, issuer: str, has_secret: bool) -> ProviderMetadata:
    """Check a discovery document (OpenID Connect Discovery §3, §4.3)."""
    if not isinstance(doc, dict):
        raise _unavailable("its discovery document is not a JSON object")
    # Exactly the configured issuer: a document for another issuer (a lookalike, or a
    # multi-tenant template such as Entra's ".../{tenantid}/v2.0") would let tokens of
    # whoever controls that issuer in.
    if doc.get("issuer") != issuer:
        raise _unavailable(f"its discovery document names issuer {str(doc.get('issuer'))[:200]!r}")
    secure = issuer.startswith("https://")
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        url = doc.get(name)
        if not isinstance(url, str) or urlsplit(url).scheme not in ("https", "http"):
            raise _unavailable(f"its discovery document has no usable {name}")
        if secure and not url.startswith("https://"):
            raise _unavailable(f"its {name} is not https")
        endpoints[name] = url
    advertised = doc.get("id_token_signing_alg_values_supported", ["RS256"])
    if not isinstance(advertised, list):
        advertised = []
    algs = frozenset(a for a in advertised if a in id_token.KEY_TYPES)
    if not algs:
        raise _unavailable(f"it signs ID tokens only with {advertised!r}; need RS256, ES256 or so")
    methods = doc.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    if not has_secret:
        client_auth = "none"
    elif "client_secret_basic" in methods:
        client_auth = "client_secret_basic"
    elif "client_secret_post" in methods:
        client_auth = "client_secret_post"
    else:
        raise _unavailable(f"its token endpoint accepts only {methods!r}")
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        signing_algs=algs,
        client_auth=client_auth,
    )


class OidcClient:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        scopes: str,
        http: ProviderHttp,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._secret = client_secret
        self._scopes = scopes
        self._http = http
        self._clock = clock
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: tuple[float, list[dict[str, Any]]] | None = None
        self._failed: tuple[float, str] | None = None  # when, and why
        self._lock = asyncio.Lock()  # one fetch at a time: no stampede on a cold cache

    async def metadata(self) -> ProviderMetadata:
        async with self._lock:
            now = self._clock()
            if self._metadata is None or now - self._metadata[0] > METADATA_TTL_S:
                if self._failed is not None and now - self._failed[0] < FAILURE_HOLD_S:
                    raise TipchatError(Code.oidc_provider_unavailable, self._failed[1])
                try:
                    doc = await self._http.get_json(
                        self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                    )
                    meta = parse_metadata(doc, issuer=self.issuer, has_secret=bool(self._secret))
                except TipchatError as exc:
                    self._failed = (now, exc.message)
                    raise
                self._metadata, self._failed = (now, meta), None
            return self._metadata[1]

    async def authorization_request(self, *, redirect_uri: str) -> AuthorizationRequest:
        meta = await self.metadata()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)  # 64 characters (RFC 7636: 43-128)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": self._scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": pkce_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        endpoint = meta.authorization_endpoint
        url = endpoint + ("&" if urlsplit(endpoint).query else "?") + query
        return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)

    async def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> str:
        """The ID token the token endpoint gives for the code (unverified yet)."""
        meta = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        headers = {}
        if meta.client_auth == "client_secret_basic":
            # RFC 6749 §2.3.1: each part form-encoded before base64.
            pair = f"{quote(self.client_id, safe='')}:{quote(self._secret or '', safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_id"] = self.client_id
            if meta.client_auth == "client_secret_post":
                form["client_secret"] = self._secret or ""
        status, body = await self._http.post_form(meta.token_endpoint, form, headers)
        if status != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            raise TipchatError(
                Code.oidc_code_rejected,
                f"the provider's token endpoint refused the code ({status}, {str(error)[:80]!r})",
            )
        token = body.get("id_token")
        if not isinstance(token, str):
            raise TipchatError(Code.oidc_id_token_invalid, "the provider sent no ID token")
        return token

    async def verify_id_token(self, token: str, *, nonce: str) -> id_token.Identity:
        meta = await self.metadata()
        alg, kid = id_token.token_header(token, allowed_algs=meta.signing_algs)
        try:
            key = id_token.signing_key(await self._key_set(meta, refresh=False), alg=alg, kid=kid)
        except id_token.UnknownKey:
            try:  # the provider may have rotated its keys since we fetched them
                keys = await self._key_set(meta, refresh=True)
                key = id_token.signing_key(keys, alg=alg, kid=kid)
            except id_token.UnknownKey:
                raise TipchatError(
                    Code.oidc_id_token_invalid,
                    "the provider's ID token was refused: signed with a key it does not publish",
                ) from None
        return id_token.verify(
            token, key=key, alg=alg, issuer=self.issuer, client_id=self.client_id, nonce=nonce
        )

    async def _key_set(self, meta: ProviderMetadata, *, refresh: bool) -> list[dict[str, Any]]:
        async with self._lock:
            now = self._clock()
            age = None if self._keys is None else now - self._keys[0]
            stale = age is None or age > METADATA_TTL_S or (refresh and age > JWKS_REFETCH_MIN_S)
            if stale:
                doc = await self._http.get_json(meta.jwks_uri)
                keys = doc.get("keys") if isinstance(doc, dict) else None
                if not isinstance(keys, list):
                    raise _unavailable("its key set has no keys")
                self._keys = (now, [k for k in keys if isinstance(k, dict)])
                log.info("oidc: fetched %d signing keys from %s", len(keys), meta.jwks_uri)
            assert self._keys is not None
            return self._keys[1]
