"""Bounded, storable request input, checked before the app sees it: a hard cap on body size,
enforced while reading (Content-Length can lie or be absent, as with chunked uploads), and
no NUL characters in the path, the query or a JSON body (PostgreSQL text cannot hold them)."""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tipchat.errors import Code
from tipchat.text import NUL_MESSAGE, has_nul

MAX_BODY_BYTES = 64 * 1024
# Beyond this the rest of a refused body is not read: the connection is closed on it.
_DRAIN_BYTES = 1024 * 1024


class BodySizeLimit:
    """Reads the whole body (at most max_bytes) before the app sees it, then replays it.
    Buffering is cheap at this size, and the app never starts on a body it must refuse."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        exempt_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._too_large = f"request bodies are at most {max_bytes} bytes"
        # Paths that bound their own bodies (uploads of files).
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            self.exempt_prefixes and scope["path"].startswith(self.exempt_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            await _answer(send, 422, Code.invalid_request, NUL_MESSAGE)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _answer(send, 413, Code.body_too_large, self._too_large, close=True)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client went away; let the app see the disconnect
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._drain(receive, more=message.get("more_body", False))
                await _answer(send, 413, Code.body_too_large, self._too_large, close=True)
                return
            if not message.get("more_body", False):
                break

        body = b"".join(m.get("body", b"") for m in messages)
        if b"\\u0000" in body and _json_has_nul(body):
            await _answer(send, 422, Code.invalid_request, NUL_MESSAGE)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _drain(self, receive: Receive, *, more: bool) -> None:
        """Read (and drop) the rest of a body that is too big, up to a bound, before answering:
        a client still sending when the server closes gets a reset that can destroy the 413
        in its receive buffer, so it would see a broken connection instead of the reason."""
        drained = 0
        while more and drained < _DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            more = message.get("more_body", False)


def _json_has_nul(body: bytes) -> bool:
    try:
        return has_nul(orjson.loads(body))
    except orjson.JSONDecodeError:
        return False  # not JSON: the app's own validation answers


async def _answer(
    send: Send, status: int, code: Code, message: str, *, close: bool = False
) -> None:
    body = orjson.dumps({"code": code.value, "message": message})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
