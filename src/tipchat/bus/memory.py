from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

from tipchat.bus.base import Handler

log = logging.getLogger(__name__)


class InProcessBus:
    """Delivers each publish synchronously to this process's handlers of the channel."""

    def __init__(self) -> None:
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        self._handlers.clear()

    async def publish(self, channel: str, message: bytes) -> None:
        self._dispatch(channel, message)

    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None:
        for channel, message in messages:
            self._dispatch(channel, message)

    def _dispatch(self, channel: str, message: bytes) -> None:
        for handler in tuple(self._handlers.get(channel, ())):
            try:
                handler(message)
            except Exception:  # one bad handler must not starve the others
                log.exception("bus handler failed on %s", channel)

    async def subscribe(self, channel: str, handler: Handler) -> None:
        self._handlers[channel].append(handler)

    async def unsubscribe(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel)
        if handlers and handler in handlers:
            handlers.remove(handler)
            if not handlers:
                del self._handlers[channel]
