from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

# Handlers run on the event loop and must not block or await: they hand the bytes on
# (for a socket, into its bounded queue) and return.
Handler = Callable[[bytes], None]


class Bus(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    # Several publishes in one go (one round trip to Redis), in order.
    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None: ...

    async def subscribe(self, channel: str, handler: Handler) -> None: ...

    async def unsubscribe(self, channel: str, handler: Handler) -> None: ...
