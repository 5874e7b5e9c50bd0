"""The asyncpg pool, and the embedded PostgreSQL used when no DATABASE_URL is given."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import orjson

from tipchat.errors import storage_unavailable

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> tuple[str, Callable[[], None]]:
    """Start (or attach to) PostgreSQL 16 from PyPI `pgserver`; return its URL and a function
    that stops it once no other process uses it.

    Data lives in data_dir/postgres and survives restarts; the server listens on a Unix socket
    only. Call the stop function on shutdown: uvicorn ends by re-raising SIGTERM, and a process
    killed by a signal runs no atexit hooks.
    """
    import pgserver  # imported lazily: external-database deployments never load it

    pgdata = (data_dir / "postgres").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_users(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    url: str = server.get_uri()
    log.info("embedded postgres at %s", pgdata)
    return url, server.cleanup


def _forget_dead_users(pgdata: Path) -> None:
    """pgserver stops the server when the last process on its list lets go, but a process that
    was killed (SIGKILL, a crash) never takes itself off. Drop such pids before attaching, or a
    crashed server would keep PostgreSQL running after every later clean stop."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    alive = [pid for pid in json.loads(handles.read_text() or "[]") if _is_running(pid)]
    handles.write_text(json.dumps(alive))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _init_connection(conn: asyncpg.Connection) -> None:
    # json/jsonb travel as text by default; the event log hands that text straight to sockets,
    # so only decode where a caller asks for it.
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        format="text",
    )


class Database:
    """The connection pool, narrowed to what the layers above use.

    A failure to get a connection (server down, restarting, refusing connections) becomes
    TipchatError(unavailable): callers answer "retry shortly" instead of "internal error"."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            conn = await self._pool.acquire()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise storage_unavailable() from exc
        try:
            yield conn
        finally:
            await self._pool.release(conn)

    async def close(self) -> None:
        await self._pool.close()


async def connect(url: str, *, size: int) -> Database:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url,
        min_size=min(2, size),
        max_size=size,
        init=_init_connection,
        command_timeout=30,
    )
    return Database(pool)


def is_connection_error(exc: BaseException) -> bool:
    """True for failures that mean "the database is unreachable right now" (retry later)."""
    return isinstance(
        exc,
        (
            OSError,
            asyncpg.exceptions.ConnectionDoesNotExistError,
            asyncpg.exceptions.CannotConnectNowError,
            asyncpg.exceptions.AdminShutdownError,
            asyncpg.exceptions.InterfaceError,
            asyncpg.exceptions.TooManyConnectionsError,
            # A connection the server dropped mid-operation can surface as asyncpg's own
            # state error; the operation did not complete and is safe to retry.
            asyncpg.exceptions.InternalClientError,
        ),
    )
