"""Running the app under uvicorn, with a graceful drain of WebSockets on SIGTERM."""

from __future__ import annotations

import gc
import socket
from collections.abc import Callable

import uvicorn

from tipchat import metrics
from tipchat.app import create_app
from tipchat.config import Settings

# Frames above ws_max_frame_bytes get a frame_too_large error and the socket stays open;
# only frames above this hard cap make the protocol layer close with 1009.
_PROTOCOL_MAX_FRAME = 1024 * 1024


# Young collections every 20,000 allocations instead of 700, and a full one after 100 of the
# middle generation instead of 10: a full collection walks every live object (about 200 ms
# with 2,000 sockets open) and stops every socket meanwhile, so it must be rare.
_GC_THRESHOLDS = (20_000, 20, 100)


def _tune_gc() -> None:
    """After startup: freeze what exists (modules, the app, its pools; never garbage) so that
    collections no longer walk it, and space collections out (docs/scaling.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)


class Server(uvicorn.Server):
    """uvicorn closes WebSockets with 1012 on shutdown; we first let in-flight sends finish
    and close with 1001 (going away) so clients reconnect, to this node or another."""

    announce: Callable[[str], None] | None = None  # told the URL once listening

    @property
    def url(self) -> str:
        host, port = self.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        _tune_gc()
        metrics.watch_gc()  # after the deliberate full collection of _tune_gc
        if self.started and self.announce is not None:
            self.announce(self.url)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # stop accepting first
        app = self.config.loaded_app
        gateway = getattr(getattr(getattr(app, "app", app), "state", None), "gateway", None)
        settings: Settings = self.config.tipchat_settings  # type: ignore[attr-defined]
        if gateway is not None:
            await gateway.drain(settings.shutdown_grace_s)
        await super().shutdown(sockets)


def build_server(settings: Settings, *, log_config: dict[str, object] | None = None) -> Server:
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        ws_max_size=_PROTOCOL_MAX_FRAME,
        ws_per_message_deflate=False,
        ws_ping_interval=settings.ws_ping_interval_s,
        ws_ping_timeout=settings.ws_ping_timeout_s,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 1,
        lifespan="on",
        log_config=log_config,
        access_log=False,
        server_header=False,
    )
    config.tipchat_settings = settings  # type: ignore[attr-defined]
    return Server(config)
