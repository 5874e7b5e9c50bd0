"""PostgreSQL restarting under the service: sends in flight fail with a retriable error, no
acknowledged message is lost, and the service recovers without being restarted."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from tests.helpers import Ws, create_room, register


@pytest.fixture
def own_postgres(tmp_path: Path):
    """A PostgreSQL of this test's own, so restarting it disturbs no other test."""
    from tipchat.storage.database import start_embedded_postgres

    url, stop = start_embedded_postgres(tmp_path)
    yield url, tmp_path / "postgres"
    stop()


def _restart(pgdata: Path) -> None:
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs it as this user under root
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pgdata, user=user)


async def test_postgres_restart_mid_traffic(start_server, own_postgres):
    url, pgdata = own_postgres
    server = start_server(database_url=url)
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    await ws.subscribe(room_id)

    ids = [f"p{n}" for n in range(60)]
    acked: dict[str, int] = {}
    refusals: list[str] = []
    restarting: asyncio.Task[None] | None = None
    for n, client_msg_id in enumerate(ids):
        if n == 20:
            restarting = asyncio.create_task(asyncio.to_thread(_restart, pgdata))
        while True:  # what a client does: retry a retriable refusal with the same id
            reply = await ws.send_message(room_id, client_msg_id, f"message {n}")
            if reply["type"] == "ack":
                acked[client_msg_id] = reply["seq"]
                break
            refusals.append(reply["code"])
            await asyncio.sleep(0.1)
    assert restarting is not None
    await restarting

    assert refusals, "the restart should have refused some sends"
    assert set(refusals) == {"unavailable"}, refusals  # clear and retriable, never a 500
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        assert (await client.get("/readyz")).status_code == 200  # recovered by itself
    history = await alice.http.get(f"/api/rooms/{room_id}/messages", params={"limit": 100})
    stored = {m["client_msg_id"]: m["seq"] for m in history.json()["messages"]}
    assert stored == acked  # every acknowledged message, once, at the seq its ack gave
    await ws.close()
    await alice.http.aclose()
