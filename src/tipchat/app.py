"""The app factory: wires settings, storage, bus, rules and edges into one ASGI app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket

from tipchat import __version__
from tipchat.api import account as account_api
from tipchat.api import attachments as attachments_api
from tipchat.api import auth, errors, messages, ops, rooms, users, web
from tipchat.api import blocks as blocks_api
from tipchat.api import chains as chains_api
from tipchat.api import dev as dev_api
from tipchat.api import mentions as mentions_api
from tipchat.api import oidc as oidc_api
from tipchat.api import reactions as reactions_api
from tipchat.api import search as search_api
from tipchat.api import tips as tips_api
from tipchat.api import wallets as wallets_api
from tipchat.api.headers import SecurityHeaders
from tipchat.api.limits import BodySizeLimit
from tipchat.auth import sessions
from tipchat.auth.oidc import AiohttpProviderHttp, OidcClient
from tipchat.bus import Bus, InProcessBus, RedisBus
from tipchat.chat.attachment_sweep import run_sweeper
from tipchat.chat.sending import SendBatcher
from tipchat.config import Settings
from tipchat.presence import InMemoryPresenceStore, PresenceStore, RedisPresenceStore
from tipchat.ratelimit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from tipchat.realtime.gateway import Gateway
from tipchat.realtime.hub import Hub
from tipchat.services import Services
from tipchat.storage import events as event_store
from tipchat.storage import migrate
from tipchat.storage.database import connect
from tipchat.storage.objects import MEDIA_PREFIX, object_store, s3_browser_origins
from tipchat.tips.runtime import start_chains
from tipchat.tips.watcher import Watchers


def oidc_client(settings: Settings, http: AiohttpProviderHttp) -> OidcClient | None:
    if settings.oidc_issuer is None or settings.oidc_client_id is None:
        return None
    return OidcClient(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scopes=settings.oidc_scopes,
        http=http,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_production()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Chains first: a dev chain (anvil) stops by itself if this process dies later on.
        chains = await start_chains(settings)
        app.state.chains = chains
        url, stop_postgres = await migrate.ready_database(
            database_url=settings.database_url, data_dir=settings.data_dir
        )
        db = await connect(url, size=settings.db_pool_size)
        bus: Bus = (
            RedisBus(settings.redis_url, prefix=settings.redis_prefix)
            if settings.redis_url
            else InProcessBus()
        )
        await bus.connect()
        limiter: RateLimiter = (
            RedisRateLimiter(settings.redis_url, prefix=settings.redis_prefix)
            if settings.redis_url
            else InMemoryRateLimiter()
        )
        presence: PresenceStore = (
            RedisPresenceStore(settings.redis_url, prefix=settings.redis_prefix)
            if settings.redis_url
            else InMemoryPresenceStore()
        )
        svc = Services(settings=settings, db=db, bus=bus, limiter=limiter, presence=presence)
        svc.sends = SendBatcher(svc)
        svc.objects = object_store(settings)
        svc.revoked = sessions.RevokedSessions(settings.access_token_ttl_s)
        await sessions.start(svc)
        oidc_http = AiohttpProviderHttp()
        svc.oidc = oidc_client(settings, oidc_http)

        async def last_seq(room_id: int) -> int:
            async with db.acquire() as conn:
                value = await conn.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)
            return int(value or 0)

        async def events_after(room_id: int, after: int, limit: int) -> list[tuple[int, str]]:
            async with db.acquire() as conn:
                return await event_store.events_after(
                    conn=conn, room_id=room_id, after_seq=after, limit=limit
                )

        hub = Hub(
            bus=bus,
            last_seq=last_seq,
            events_after=events_after,
            gap_fill_delay_s=settings.gap_fill_delay_s,
        )
        if isinstance(bus, RedisBus):
            bus.on_reconnect = hub.resync
        app.state.services = svc
        app.state.gateway = gateway = Gateway(svc, hub)
        refreshing = asyncio.create_task(gateway.refresh_presence())
        sweeping = asyncio.create_task(run_sweeper(svc))
        # The chain watchers (one per chain) that verify tips; or a separate `tipchat worker`.
        app.state.watchers = Watchers.start(svc, chains) if settings.watcher else None
        try:
            yield
        finally:
            refreshing.cancel()
            sweeping.cancel()
            if app.state.watchers is not None:
                await app.state.watchers.aclose()
            await app.state.gateway.drain(settings.shutdown_grace_s)
            await bus.disconnect()
            for client in (limiter, presence):
                if isinstance(client, RedisRateLimiter | RedisPresenceStore):
                    await client.close()
            await oidc_http.close()
            await db.close()
            if stop_postgres is not None:
                await asyncio.to_thread(stop_postgres)
            await chains.aclose()

    app = FastAPI(
        title="tipchat",
        version=__version__,
        lifespan=lifespan,
        # No Swagger/ReDoc pages: they load scripts from a CDN, which the API's CSP forbids
        # (and which would tell a third party who reads our docs). /openapi.json is served.
        docs_url=None,
        redoc_url=None,
        description="Real-time chat with non-custodial crypto tipping. "
        "The WebSocket protocol at /ws is described in docs/protocol.md.",
    )
    errors.install(app)
    for module in (auth, oidc_api, users, rooms, messages, ops):
        app.include_router(module.router)

    @app.websocket("/ws")
    async def websocket(ws: WebSocket) -> None:
        await app.state.gateway.serve(ws)

    app.include_router(account_api.router)
    app.include_router(chains_api.router)
    app.include_router(wallets_api.router)
    app.include_router(tips_api.router)
    app.include_router(reactions_api.router)
    app.include_router(mentions_api.router)
    app.include_router(blocks_api.router)
    app.include_router(search_api.router)
    app.include_router(attachments_api.router)
    app.include_router(attachments_api.media)
    if not settings.is_production:
        app.include_router(dev_api.router)  # the dev faucet: never in production
    media_origins = (
        s3_browser_origins(
            bucket=settings.s3_bucket or "",
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
        if settings.attachments_backend == "s3"
        else []
    )
    web.mount(app, settings.web_dir, media_origins)  # last: its fallback answers every GET
    # Uploads to the local object store stream past the JSON body cap; that route enforces
    # the size its signed URL names.
    app.add_middleware(BodySizeLimit, exempt_prefixes=(MEDIA_PREFIX,))
    app.add_middleware(SecurityHeaders)
    return app
