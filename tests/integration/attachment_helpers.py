"""Attachments in tests: files, the two object stores (local, and S3 through moto's server
mode, a subprocess on a free port; no mocks), and the upload steps as a client takes them.
The fixtures reach every integration test through conftest.py."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.conftest import RunningServer
from tests.helpers import User, register


def _png(width: int = 400, height: int = 300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
PDF = b"%PDF-1.7\n" + b"x" * 100
BUCKET = "tipchat-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server as its own process, with one bucket."""
    port = _free_port()
    moto = Path(sys.executable).parent / "moto_server"
    proc = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        httpx.put(f"{url}/{BUCKET}").raise_for_status()  # create the bucket
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["local", "s3"])
def backend(request, monkeypatch, tmp_path) -> dict[str, Any]:
    if request.param == "local":
        return {"attachments_backend": "local", "data_dir": tmp_path}
    endpoint = request.getfixturevalue("s3_endpoint")
    # boto3 signs with whatever credentials it finds; moto accepts any.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return {
        "attachments_backend": "s3",
        "s3_bucket": BUCKET,
        "s3_endpoint_url": endpoint,
        "data_dir": tmp_path,
    }


@pytest.fixture
def app_server(start_server, backend) -> RunningServer:
    return start_server(attachment_max_bytes=4096, **backend)


@pytest.fixture
async def people(app_server) -> AsyncIterator[list[User]]:
    made = [await register(app_server.base_url) for _ in range(3)]
    yield made
    for user in made:
        await user.http.aclose()


def absolute(server: RunningServer, url: str) -> str:
    return url if url.startswith("http") else server.base_url + url


async def slot(user: User, room_id: int, filename: str, content_type: str, size: int):
    return await user.http.post(
        f"/api/rooms/{room_id}/attachments",
        json={"filename": filename, "content_type": content_type, "size": size},
    )


async def upload(
    server: RunningServer,
    user: User,
    room_id: int,
    data: bytes,
    content_type: str = "image/png",
    filename: str = "cat.png",
    declared: int | None = None,
) -> tuple[int, httpx.Response]:
    """Slot, PUT, complete: (attachment id, the complete response)."""
    r = await slot(user, room_id, filename, content_type, declared or len(data))
    assert r.status_code == 201, r.text
    upload = r.json()
    async with httpx.AsyncClient() as anon:  # the URL is the credential, as with S3
        put = await anon.put(
            absolute(server, upload["upload_url"]), content=data, headers=upload["headers"]
        )
    assert put.status_code == 200, put.text
    done = await user.http.post(f"/api/rooms/{room_id}/attachments/{upload['id']}/complete")
    return upload["id"], done


async def download(server: RunningServer, user: User, room_id: int, attachment_id: int):
    r = await user.http.get(f"/api/rooms/{room_id}/attachments/{attachment_id}")
    if r.status_code != 200:
        return r
    async with httpx.AsyncClient() as anon:
        return await anon.get(absolute(server, r.json()["url"]))


async def send(user: User, room_id: int, cmid: str, attachments: list[int], body: str = ""):
    return await user.http.post(
        f"/api/rooms/{room_id}/messages",
        json={"client_msg_id": cmid, "body": body, "attachments": attachments},
    )
