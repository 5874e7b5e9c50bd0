"""`tipchat worker`: the chain watchers and the attachment sweep, without the HTTP server.

For a cluster: app nodes run with TIPCHAT_WATCHER=false, and one or more workers verify tips
(the advisory lock per chain lets one act at a time, so running two is a hot standby). Events
reach the app nodes' sockets over Redis (REDIS_URL); without it they are still committed, and
clients get them on their next resume or history page. The attachment sweep runs here as in
every app node (chat.attachment_sweep: one at a time), so a worker needs the attachment
settings of the app (the same object store) and the right to delete its objects.
"""

from __future__ import annotations

import asyncio
import logging

from tipchat.bus import Bus, InProcessBus, RedisBus
from tipchat.chat.attachment_sweep import run_sweeper
from tipchat.config import Settings
from tipchat.presence import InMemoryPresenceStore
from tipchat.ratelimit import InMemoryRateLimiter
from tipchat.services import Services
from tipchat.storage import migrate
from tipchat.storage.database import connect
from tipchat.storage.objects import object_store
from tipchat.tips.runtime import ChainRuntime
from tipchat.tips.watcher import Watchers

log = logging.getLogger(__name__)

# Each watcher holds one connection for its lock and uses one more at a time.
_POOL_PER_CHAIN = 3
# The attachment sweep holds one connection for a pass (its lock and its statements).
_POOL_SWEEP = 1


async def run_worker(settings: Settings) -> None:
    if not settings.chains:
        # A dev chain lives inside `tipchat serve`, whose own watcher verifies its tips.
        log.warning("no TIPCHAT_CHAINS: this worker only sweeps attachments")
    url, stop_postgres = await migrate.ready_database(
        database_url=settings.database_url, data_dir=settings.data_dir
    )
    db = await connect(url, size=_POOL_PER_CHAIN * len(settings.chains) + _POOL_SWEEP)
    bus: Bus
    if settings.redis_url:
        bus = RedisBus(settings.redis_url, prefix=settings.redis_prefix)
    else:
        log.warning("no REDIS_URL: tip events reach clients on resume, not live")
        bus = InProcessBus()
    await bus.connect()
    svc = Services(
        settings=settings,
        db=db,
        bus=bus,
        limiter=InMemoryRateLimiter(),
        presence=InMemoryPresenceStore(),
    )
    svc.objects = object_store(settings)
    chains = ChainRuntime(list(settings.chains))
    watchers = Watchers.start(svc, chains)
    sweeping = asyncio.create_task(run_sweeper(svc))
    try:
        await asyncio.gather(watchers.wait(), sweeping)
    finally:
        sweeping.cancel()
        await watchers.aclose()
        await chains.aclose()
        await bus.disconnect()
        await db.close()
        if stop_postgres is not None:
            await asyncio.to_thread(stop_postgres)
