"""Secrets never reach the logs: a real `tipchat serve` at debug level, driven through sign-up,
failed and good logins, refresh, sockets and a chain whose RPC URL carries an API key and does
not answer; then every line it wrote is searched for every secret it was given or handed out."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import httpx

from tests.helpers import PASSWORD, Ws, create_room, register
from tests.integration.test_process import tipchat_serve

JWT_SECRET = "jwt-secret-for-the-log-test-" + "q" * 24
RPC_KEY = "rpcApiKey0123456789abcdef"
CHAINS = [
    {
        "chain_id": 8453,
        "name": "Base",
        # Nothing listens here: the watcher fails over and logs its failures, with the URL.
        "rpc_urls": [f"http://127.0.0.1:9/v2/{RPC_KEY}", f"http://user:{RPC_KEY}@127.0.0.1:9/"],
        "router": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        "tokens": [{"symbol": "ETH", "decimals": 18}],
        "confirmations": 3,
    }
]


async def test_no_secret_appears_in_any_log_line(tmp_path: Path):
    log_path = tmp_path / "server.log"
    with tipchat_serve(
        "--data-dir",
        str(tmp_path / "data"),
        stderr=log_path,
        TIPCHAT_LOG_LEVEL="debug",
        TIPCHAT_JWT_SECRET=JWT_SECRET,
        TIPCHAT_CHAINS=json.dumps(CHAINS),
        TIPCHAT_WATCHER_POLL_INTERVAL_S="0.2",
    ) as (proc, url):
        alice = await register(url, "alice")
        async with httpx.AsyncClient(base_url=url) as anon:
            await anon.post("/api/auth/login", json={"username": "alice", "password": "wrong!" * 3})
            login = await anon.post(
                "/api/auth/login", json={"username": "alice", "password": PASSWORD}
            )
            refreshed = await anon.post(
                "/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
            )
            await anon.get("/api/me", headers={"authorization": f"Bearer {alice.token}x"})
        room_id = await create_room(alice)
        ws = await Ws.connect(url.replace("http", "ws") + "/ws", alice.token)
        await ws.send({"type": "auth", "token": alice.token[:-2] + "zz"})  # a bad re-auth
        await ws.send_message(room_id, "m1", "hello")
        await ws.close()
        await alice.http.aclose()
        for _ in range(100):  # until the watcher has failed over the dead RPC URLs, logging it
            if "RPC URL #2 failed" in log_path.read_text():
                break
            await asyncio.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    logs = log_path.read_text()
    assert "Application startup complete" in logs  # the capture works
    assert "RPC URL #2 failed" in logs  # the dead RPC URLs were logged about (by number)
    secrets = {
        "JWT secret": JWT_SECRET,
        "password": PASSWORD,
        "access token": alice.token,
        "login access token": login.json()["access_token"],
        "refresh token": login.json()["refresh_token"],
        "rotated refresh token": refreshed.json()["refresh_token"],
        "RPC API key": RPC_KEY,
    }
    leaked = [name for name, value in secrets.items() if value in logs]
    assert leaked == [], f"in the logs: {leaked}"
