"""Operations: readiness follows the database, dead peers are dropped, logs keep secrets."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
from urllib.parse import urlsplit

import asyncpg
import httpx

from tests.helpers import Ws, create_room, register


async def test_readyz_follows_the_database_and_the_server_recovers(
    server, database_url, pg_admin_url
):
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    name = urlsplit(database_url).path.lstrip("/")
    admin = await asyncpg.connect(pg_admin_url)
    try:
        # Take the database away: no new connections, existing ones killed.
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
        r = await alice.http.post(
            f"/api/rooms/{room_id}/messages", json={"client_msg_id": "down", "body": "while down"}
        )
        assert r.status_code == 503 and r.json()["code"] == "unavailable"
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        assert (await client.get("/readyz")).json() == {"status": "ok", "database": "ok"}
    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "down", "body": "while down"}
    )
    assert r.status_code == 201  # the retry of the refused send goes through, once
    await alice.http.aclose()


def _raw_websocket(port: int) -> socket.socket:
    """A client that completes the upgrade and then never reads or answers anything."""
    sock = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 101")
    return sock


async def test_a_peer_that_never_answers_pings_is_dropped(start_server):
    server = start_server(ws_ping_interval_s=0.3, ws_ping_timeout_s=0.3, ws_auth_timeout_s=60)
    sock = _raw_websocket(server.port)
    sock.settimeout(10)

    def read_until_closed() -> bytes:
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        return data

    data = await asyncio.to_thread(read_until_closed)  # returns when the server hangs up
    assert data[:1] == b"\x89"  # it was pinged first (opcode 9)
    sock.close()


async def test_server_logs_never_contain_passwords_or_tokens(database_url, tmp_path):
    from tests.integration.test_process import tipchat_serve

    log_file = tmp_path / "server.log"
    password = "correct horse battery staple"
    with tipchat_serve(
        DATABASE_URL=database_url,
        TIPCHAT_LOG_LEVEL="debug",
        TIPCHAT_LOG_JSON="true",
        stderr=log_file,
    ) as (_, url):
        async with httpx.AsyncClient(base_url=url) as client:
            r = await client.post(
                "/api/auth/register", json={"username": "eve", "password": password}
            )
            body = r.json()
            await client.post(
                "/api/auth/login", json={"username": "eve", "password": "wrong one!!"}
            )
            await client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
            await client.get(
                "/api/me", headers={"authorization": "Bearer " + body["access_token"] + "x"}
            )
        ws = await Ws.connect(url.replace("http", "ws") + "/ws", body["access_token"])
        await ws.send({"type": "auth", "token": "not-" + body["access_token"]})
        await ws.recv()
        await ws.close()
    logs = log_file.read_text()
    assert "eve" in logs or "WebSocket" in logs  # the log was written at all
    for secret in (password, "wrong one!!", body["access_token"], body["refresh_token"]):
        assert secret not in logs
