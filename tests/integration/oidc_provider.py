"""A real OpenID provider for the tests: oidc-provider-mock (Flask + Authlib) on a free port in
a subprocess of its own (Authlib warns about its own deprecations, which pytest would turn
into errors inside the provider), behind a small WSGI wrapper that

- enforces PKCE (S256) at the token endpoint, which the mock itself does not check, so a
  client that sends the wrong code_verifier (or none) is refused as by a strict provider;
- misbehaves on demand (`tamper`), to test each refusal end to end:
  "audience"   the authorization and token requests are rewritten to another client id, so
               the provider really issues (and signs) an ID token for another audience;
  "nonce"      the authorization request's nonce is replaced;
  "verifier"   the token request's code_verifier is dropped;
  "signature"  one byte of the ID token's signature is changed;
  "alg_none"   the ID token is re-encoded unsigned, with alg "none";
  "hs256"      the ID token is re-signed with HS256, the provider's public key as the secret
               (the key-confusion forgery).

The mock issues tokens for any client id and any `sub` typed into its form; PUT /users/<sub>
sets the claims a subject gets. The test steers the wrapper through /_test/ routes.

Run by hand: python tests/integration/oidc_provider.py <port> [<token max age, seconds>]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import werkzeug.serving
from cryptography.hazmat.primitives import serialization

OTHER_CLIENT = "some-other-client"
StartResponse = Callable[..., Any]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


class _Wrapper:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.tamper: str | None = None
        self.challenges: dict[str, str] = {}  # authorization code -> code_challenge
        self.token_requests: list[dict[str, list[str]]] = []
        self.issuer = ""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/_test/tamper":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            self.tamper = environ["wsgi.input"].read(length).decode() or None
            return self._json(start_response, "200 OK", {"tamper": self.tamper})
        if path == "/_test/token_requests":
            return self._json(start_response, "200 OK", self.token_requests)
        if path == "/oauth2/authorize":
            return self._authorize(environ, start_response)
        if path == "/oauth2/token":
            return self._token(environ, start_response)
        return self.app(environ, start_response)  # type: ignore[no-any-return]

    def _call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda data: None

        result = self.app(environ, start)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return captured["status"], captured["headers"], body

    def _authorize(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        challenge = query.get("code_challenge", [""])[0]
        method = query.get("code_challenge_method", [""])[0]
        if self.tamper == "audience":
            query["client_id"] = [OTHER_CLIENT]
        if self.tamper == "nonce":
            query["nonce"] = ["a-nonce-from-another-sign-in"]
        environ["QUERY_STRING"] = urlencode(query, doseq=True)
        status, headers, body = self._call(environ)
        location = dict((k.lower(), v) for k, v in headers).get("location", "")
        code = parse_qs(urlsplit(location).query).get("code", [None])[0]
        if code:
            self.challenges[code] = challenge if method == "S256" else ""
        start_response(status, headers)
        return [body]

    def _token(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
        self.token_requests.append(form)
        if self.tamper == "verifier":
            form.pop("code_verifier", None)
        verifier = form.get("code_verifier", [""])[0]
        challenge = self.challenges.pop(form.get("code", [""])[0], "")
        if not challenge or not hmac.compare_digest(_s256(verifier), challenge):
            return self._json(start_response, "400 BAD REQUEST", {"error": "invalid_grant"})
        if self.tamper == "audience":
            auth = environ.get("HTTP_AUTHORIZATION", "")
            secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")[2]
            pair = f"{OTHER_CLIENT}:{secret}".encode()
            environ["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(pair).decode()
        raw = urlencode(form, doseq=True).encode()
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        status, headers, body = self._call(environ)
        if status.startswith("200") and self.tamper in ("signature", "alg_none", "hs256"):
            token = json.loads(body)
            token["id_token"] = self._forge(token["id_token"])
            return self._json(start_response, status, token)
        start_response(status, headers)
        return [body]

    def _forge(self, token: str) -> str:
        header_b64, payload_b64, signature_b64 = token.split(".")
        if self.tamper == "signature":
            flipped = "A" if signature_b64[10] != "A" else "B"
            return f"{header_b64}.{payload_b64}.{signature_b64[:10]}{flipped}{signature_b64[11:]}"
        header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
        if self.tamper == "alg_none":
            header = {"alg": "none", "typ": "JWT"}
            return f"{_b64(json.dumps(header).encode())}.{payload_b64}."
        # HS256 keyed with the provider's public key, as a confused verifier would use it.
        header = {**header, "alg": "HS256"}
        signing_input = f"{_b64(json.dumps(header).encode())}.{payload_b64}"
        jwks = httpx.get(self.issuer + "/jwks").json()
        public_pem = jwt.PyJWK(jwks["keys"][0]).key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"

    @staticmethod
    def _json(start_response: StartResponse, status: str, body: Any) -> Iterable[bytes]:
        raw = json.dumps(body).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))]
        )
        return [raw]


class Provider:
    """The test's handle on a provider running in a subprocess."""

    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"

    @property
    def tamper(self) -> str | None:
        raise AttributeError("write-only")

    @tamper.setter
    def tamper(self, value: str | None) -> None:
        r = httpx.put(f"{self.issuer}/_test/tamper", content=value or "")
        assert r.status_code == 200, r.text

    @property
    def token_requests(self) -> list[dict[str, list[str]]]:
        requests: list[dict[str, list[str]]] = httpx.get(
            f"{self.issuer}/_test/token_requests"
        ).json()
        return requests

    def set_claims(self, sub: str, **claims: Any) -> None:
        r = httpx.put(f"{self.issuer}/users/{sub}", json=claims)
        assert r.status_code == 204, r.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def run_provider(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[Provider]:
    port = _free_port()
    seconds = str(int(token_max_age.total_seconds()))
    process = subprocess.Popen(
        [sys.executable, __file__, str(port), seconds],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    provider = Provider(port)
    try:
        for _ in range(200):
            try:
                if httpx.get(provider.issuer + "/.well-known/openid-configuration").is_success:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError("the OIDC provider exited")
            time.sleep(0.05)
        else:
            raise RuntimeError("the OIDC provider did not start within 10 s")
        yield provider
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http, on loopback only
    import oidc_provider_mock  # here: Authlib warns at import, and pytest never needs it

    port = int(sys.argv[1])
    max_age = timedelta(seconds=int(sys.argv[2])) if len(sys.argv) > 2 else timedelta(hours=1)
    wrapper = _Wrapper(oidc_provider_mock.app(access_token_max_age=max_age))
    wrapper.issuer = f"http://127.0.0.1:{port}"
    server = werkzeug.serving.make_server("127.0.0.1", port, wrapper, threaded=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
