"""Shared fixtures: a real PostgreSQL (embedded pgserver, or DATABASE_URL), a migrated template
database cloned for every test, and real uvicorn servers on free ports."""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tipchat.config import Settings
from tipchat.storage import migrate


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A PostgreSQL server for the whole run: DATABASE_URL if set, else an embedded one."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    from tipchat.storage.database import start_embedded_postgres

    with tempfile.TemporaryDirectory(prefix="tipchat-test-pg-") as data_dir:
        url, stop = start_embedded_postgres(Path(data_dir))
        yield url
        stop()


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str) -> Iterator[str]:
    """A database migrated once; each test gets a copy (CREATE DATABASE ... TEMPLATE)."""
    name = f"tipchat_template_{os.getpid()}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(pg_admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    migrate.upgrade(with_database(pg_admin_url, name))
    yield name
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database_url(pg_admin_url: str, template_db: str) -> AsyncIterator[str]:
    """A fresh, migrated database for this test."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(pg_admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    finally:
        await conn.close()
    yield with_database(pg_admin_url, name)
    conn = await asyncpg.connect(pg_admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test database, to check what the server wrote."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


class RunningServer:
    """A real uvicorn server (tipchat.server.Server) in a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        from tipchat.server import build_server

        self.settings = settings
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.server = build_server(settings, log_config=None)
        self.server.config.log_config = None
        self._thread = threading.Thread(target=self.server.run, args=([self._sock],), daemon=True)

    def start(self) -> RunningServer:
        self._thread.start()
        for _ in range(300):
            if self.server.started:
                return self
            if not self._thread.is_alive():
                raise RuntimeError("server failed to start")
            threading.Event().wait(0.05)
        raise RuntimeError("server did not start within 15 s")

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()


ServerFactory = Callable[..., RunningServer]

# Tests register many users from 127.0.0.1; the rate-limit tests pass the real limits.
TEST_SETTINGS: dict[str, Any] = {
    "jwt_secret": "test-secret-" + "x" * 32,
    "register_limit_per_ip": (100_000, 60),
    "register_limit_per_username": (100_000, 60),
    "login_limit_per_ip": (100_000, 60),
    "login_limit_per_username": (100_000, 60),
    "send_limit_per_user": (100_000, 60),
    "oidc_limit_per_ip": (100_000, 60),
    # Tests drive sockets faster than people do; the frame budget's own tests set it.
    "ws_frames_per_s": 100_000.0,
    "ws_frame_burst": 100_000,
    "shutdown_grace_s": 3.0,
    # No anvil per server: chain tests start one for the run (tests/integration/chain_fixtures.py).
    "dev_chain": False,
}
# The same for `tipchat serve` processes the tests start (they inherit the environment).
os.environ.setdefault("TIPCHAT_DEV_CHAIN", "false")
os.environ.setdefault("TIPCHAT_SEND_LIMIT_PER_USER", "[100000, 60]")


@pytest.fixture
def start_server(database_url: str) -> Iterator[ServerFactory]:
    """start_server(**settings) -> a running server on this test's database."""
    running: list[RunningServer] = []

    def start(**overrides: Any) -> RunningServer:
        settings = Settings(**{"database_url": database_url, **TEST_SETTINGS, **overrides})
        server = RunningServer(settings).start()
        running.append(server)
        return server

    yield start
    for server in reversed(running):
        server.stop()


@pytest.fixture
def server(start_server: ServerFactory) -> RunningServer:
    return start_server()
