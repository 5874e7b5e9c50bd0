"""A hard cap on request body size, enforced while reading (Content-Length can lie or be
absent, as with chunked uploads)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tipchat.errors import Code

MAX_BODY_BYTES = 64 * 1024
# Beyond this the rest of a refused body is not read: the connection is closed on it.
_DRAIN_BYTES = 1024 * 1024


class BodySizeLimit:
    """Reads the whole body (at most max_bytes) before the app sees it, then replays it.
    Buffering is cheap at this size, and the app never starts on a body it must refuse."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
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
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

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

    async def _refuse(self, send: Send) -> None:
        body = (
            b'{"code":"' + Code.body_too_large.value.encode() + b'","message":"request bodies'
            b" are at most " + str(self.max_bytes).encode() + b' bytes"}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
