"""`tipchat serve` as a real process: embedded PostgreSQL that survives restarts, an external
DATABASE_URL, and a graceful drain on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
import websockets

from tests.conftest import with_database
from tests.helpers import PASSWORD, Ws, create_room, register
from tipchat.storage.migrate import head_revision

# uvicorn re-raises SIGTERM after its graceful shutdown, so a supervisor sees the signal.
STOPPED_BY_SIGTERM = (0, -signal.SIGTERM)
_URL = re.compile(r"running at (http://[\d.]+:\d+)/")


@contextmanager
def tipchat_serve(
    *args: str, stderr: Path | None = None, **env: str
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start `python -m tipchat serve --port 0 ...`; yield (process, base URL). The server's
    logs go to the stderr file if one is given."""
    environ = {**os.environ, "TIPCHAT_JWT_SECRET": "process-test-secret-" + "y" * 32, **env}
    if "DATABASE_URL" not in env:
        environ.pop("DATABASE_URL", None)
    log = stderr.open("w") if stderr else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "tipchat", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=environ,
    )
    try:
        url = None
        assert proc.stdout is not None
        for line in proc.stdout:  # the URL line comes once the server listens
            if match := _URL.search(line):
                url = match.group(1)
                break
        assert url, "tipchat serve exited without printing its URL"
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
        if stderr:
            log.close()  # type: ignore[union-attr]


async def test_serve_runs_on_embedded_postgres_and_keeps_data_across_restarts(tmp_path: Path):
    data_dir = tmp_path / "data"
    with tipchat_serve("--data-dir", str(data_dir)) as (proc, url):
        alice = await register(url, "alice")
        room_id = await create_room(alice, "kept")
        r = await alice.http.post(
            f"/api/rooms/{room_id}/messages", json={"client_msg_id": "a1", "body": "still here?"}
        )
        assert r.status_code == 201
        await alice.http.aclose()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) in STOPPED_BY_SIGTERM
    assert (data_dir / "postgres" / "PG_VERSION").exists()
    # The embedded PostgreSQL stopped with the app (no postmaster.pid left behind).
    assert not (data_dir / "postgres" / "postmaster.pid").exists()

    with tipchat_serve("--data-dir", str(data_dir)) as (proc, url):
        async with httpx.AsyncClient(base_url=url) as client:
            r = await client.post(
                "/api/auth/login", json={"username": "alice", "password": PASSWORD}
            )
            assert r.status_code == 200
            headers = {"authorization": f"Bearer {r.json()['access_token']}"}
            history = (await client.get(f"/api/rooms/{room_id}/messages", headers=headers)).json()
        assert [m["body"] for m in history["messages"]] == ["still here?"]


async def test_sigterm_finishes_in_flight_sends_then_closes_with_1001(database_url, db):
    with tipchat_serve(DATABASE_URL=database_url) as (proc, url):
        alice = await register(url)
        room_id = await create_room(alice)
        ws = await Ws.connect(url.replace("http", "ws") + "/ws", alice.token)
        for n in range(40):  # a burst, not waiting for acks
            await ws.send(
                {"type": "send", "room_id": room_id, "client_msg_id": f"b{n}", "body": f"burst {n}"}
            )
        await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        acked = set()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                frame = await ws.recv(timeout=20)
                assert frame["type"] in ("ack", "error", "message"), frame
                if frame["type"] == "ack":
                    acked.add(frame["client_msg_id"])
        assert closed.value.rcvd.code == 1001
        assert proc.wait(timeout=30) in STOPPED_BY_SIGTERM
        await alice.http.aclose()
    stored = {r["client_msg_id"] for r in await db.fetch("SELECT client_msg_id FROM messages")}
    assert acked, "the server should have acked part of the burst before stopping"
    assert stored == acked  # every acked send is stored, and nothing stored went unacked


@pytest.fixture
async def external_database_url() -> str:
    """A fresh database on the machine's own PostgreSQL service (not the embedded one)."""
    admin = os.environ.get("TIPCHAT_TEST_EXTERNAL_DATABASE_URL")
    if not admin:
        pytest.skip("set TIPCHAT_TEST_EXTERNAL_DATABASE_URL (scripts/test does when 5432 answers)")
    name = f"tipchat_ext_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield with_database(admin, name)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def test_database_url_switches_to_an_external_postgres(external_database_url, tmp_path):
    with tipchat_serve("--data-dir", str(tmp_path), DATABASE_URL=external_database_url) as (_, url):
        alice = await register(url)
        room_id = await create_room(alice)
        ws = await Ws.connect(url.replace("http", "ws") + "/ws", alice.token)
        ack = await ws.send_message(room_id, "ext", "on the external server")
        assert ack["type"] == "ack"
        await ws.close()
        await alice.http.aclose()
    conn = await asyncpg.connect(external_database_url)
    assert await conn.fetchval("SELECT body FROM messages WHERE client_msg_id = 'ext'") == (
        "on the external server"
    )
    assert await conn.fetchval("SELECT version_num FROM alembic_version") == head_revision()
    await conn.close()
    assert not (tmp_path / "postgres").exists()  # no embedded server was started


async def test_after_a_crash_the_next_clean_stop_still_stops_postgres(tmp_path: Path):
    data_dir = tmp_path / "data"
    with tipchat_serve("--data-dir", str(data_dir)) as (proc, _):
        proc.kill()  # SIGKILL: no shutdown, PostgreSQL keeps running
        proc.wait(timeout=30)
    assert (data_dir / "postgres" / "postmaster.pid").exists()
    with tipchat_serve("--data-dir", str(data_dir)) as (proc, url):
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/readyz")).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) in STOPPED_BY_SIGTERM
    assert not (data_dir / "postgres" / "postmaster.pid").exists()
