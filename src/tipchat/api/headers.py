"""Security headers on every HTTP response (the web client's page sets its own, stricter CSP).

- `X-Content-Type-Options: nosniff`: a JSON body is never run as a script or shown as HTML.
- `Referrer-Policy: same-origin`: links out of the app do not carry room URLs.
- `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` on API responses: a
  response opened directly loads nothing and cannot be framed.
- `Strict-Transport-Security` only when the request came over https (TLS here, or a trusted
  proxy's X-Forwarded-Proto): sent over plain http it would be meaningless, and on a dev
  laptop it would pin localhost to https.
- No CORS headers at all: the API serves its own origin only (cross-origin callers use Bearer
  tokens from a server, or are listed in TIPCHAT_ALLOWED_ORIGINS for the WebSocket).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"  # two years, as hstspreload.org asks

_ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _ALWAYS if k not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", API_CSP.encode()))
                if https:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
