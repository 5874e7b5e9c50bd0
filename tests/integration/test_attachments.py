"""Attachments, on both object stores: the local directory served by the app, and S3 through a
real S3-compatible server (moto's server mode, a subprocess on a free port; no mocks).

Upload slot -> PUT the bytes -> complete (size and content sniffed) -> send with the message ->
members download through short-lived URLs."""

from __future__ import annotations

import asyncio
import io

import httpx
import pytest
from PIL import Image

from tests.helpers import Ws, create_room, join, register
from tests.integration.attachment_helpers import (
    PDF,
    PNG,
    absolute,
    download,
    send,
    slot,
    upload,
)


async def test_upload_send_and_download_by_members(app_server, people, backend):
    alice, bob, _ = people
    room_id = await create_room(alice)
    await join(bob, room_id)
    # The URLs lead straight to the bucket (S3), or to this app (local).
    where = backend.get("s3_endpoint_url", "/api/media/")
    assert (
        (await slot(alice, room_id, "a.png", "image/png", 10))
        .json()["upload_url"]
        .startswith(where)
    )
    watcher = await Ws.connect(app_server.ws_url, bob.token)
    await watcher.subscribe(room_id)

    attachment_id, done = await upload(app_server, alice, room_id, PNG)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ready"
    r = await send(alice, room_id, "m1", [attachment_id])  # no words needed with a file
    assert r.status_code == 201, r.text
    seq = r.json()["seq"]
    ref = {
        "id": attachment_id,
        "filename": "cat.png",
        "content_type": "image/png",
        "size": len(PNG),
        "width": 400,
        "height": 300,
        "thumbnail": True,
    }
    event = await watcher.next_of("message")
    assert event["message"]["attachments"] == [ref] and event["message"]["body"] == ""
    got = (await bob.http.get(f"/api/rooms/{room_id}/messages/{seq}")).json()
    assert got["attachments"] == [ref]

    r = await bob.http.get(f"/api/rooms/{room_id}/attachments/{attachment_id}")
    assert r.json()["url"].startswith(where)
    fetched = await download(app_server, bob, room_id, attachment_id)
    assert fetched.status_code == 200 and fetched.content == PNG
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.headers["content-disposition"].startswith("inline")

    r = await bob.http.get(
        f"/api/rooms/{room_id}/attachments/{attachment_id}", params={"thumbnail": "true"}
    )
    async with httpx.AsyncClient() as anon:
        thumb = await anon.get(absolute(app_server, r.json()["url"]))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert image.format == "WEBP" and image.size == (320, 240)
    await watcher.close()


async def test_non_members_get_neither_slots_nor_files(app_server, people):
    alice, bob, carol = people
    secret = await create_room(alice, "secret", kind="private")
    public = await create_room(alice, "open")
    attachment_id, _ = await upload(app_server, alice, secret, PNG)
    assert (await send(alice, secret, "m1", [attachment_id])).status_code == 201

    r = await slot(carol, secret, "x.png", "image/png", 10)
    assert r.status_code == 404 and r.json()["code"] == "room_not_found"
    r = await slot(carol, public, "x.png", "image/png", 10)
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"
    r = await download(app_server, carol, secret, attachment_id)
    assert r.status_code == 404 and r.json()["code"] == "room_not_found"
    # A member of another room asking for it under their own room: not there.
    await join(bob, public)
    r = await download(app_server, bob, public, attachment_id)
    assert r.status_code == 404 and r.json()["code"] == "attachment_not_found"


async def test_content_is_sniffed_not_trusted(app_server, people, db):
    alice, _, _ = people
    room_id = await create_room(alice)
    attachment_id, done = await upload(app_server, alice, room_id, b"just text, not a PNG at all")
    assert done.status_code == 400 and done.json()["code"] == "attachment_content_mismatch"
    status = await db.fetchval("SELECT status FROM attachments WHERE id = $1", attachment_id)
    assert status == "rejected"
    before = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)
    r = await send(alice, room_id, "m1", [attachment_id])
    assert r.status_code == 400 and r.json()["code"] == "attachment_invalid"
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id) == before
    # Starting like a PNG is not enough: an image must decode.
    fake = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
    _, done = await upload(app_server, alice, room_id, fake)
    assert done.status_code == 400 and done.json()["code"] == "attachment_content_mismatch"
    # A PDF declared as a PDF is fine; it has no thumbnail.
    pdf_id, done = await upload(app_server, alice, room_id, PDF, "application/pdf", "doc.pdf")
    assert done.status_code == 200 and done.json()["status"] == "ready"
    assert done.json()["width"] is None
    r = await alice.http.get(
        f"/api/rooms/{room_id}/attachments/{pdf_id}", params={"thumbnail": "true"}
    )
    assert r.status_code == 404 and r.json()["code"] == "attachment_not_found"


@pytest.mark.parametrize(
    ("filename", "content_type", "size", "status", "code"),
    [
        ("big.png", "image/png", 4097, 413, "attachment_too_large"),
        ("empty.png", "image/png", 0, 413, "attachment_too_large"),
        ("page.html", "text/html", 10, 415, "attachment_type_not_allowed"),
        ("pic.svg", "image/svg+xml", 10, 415, "attachment_type_not_allowed"),
        ("../etc/passwd", "text/plain", 10, 400, "attachment_invalid"),
        ("", "text/plain", 10, 400, "attachment_invalid"),
    ],
)
async def test_slot_limits(app_server, people, db, filename, content_type, size, status, code):
    alice, _, _ = people
    room_id = await create_room(alice)
    r = await slot(alice, room_id, filename, content_type, size)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert await db.fetchval("SELECT count(*) FROM attachments") == 0


async def test_an_upload_of_other_size_than_declared_is_not_accepted(app_server, people):
    alice, _, _ = people
    room_id = await create_room(alice)
    r = await slot(alice, room_id, "cat.png", "image/png", 100)
    upload_slot = r.json()
    async with httpx.AsyncClient() as anon:
        put = await anon.put(
            absolute(app_server, upload_slot["upload_url"]),
            content=PNG,  # 216 bytes, 100 declared
            headers=upload_slot["headers"],
        )
    # AWS S3 refuses it (the URL signs Content-Length); moto does not check signatures and
    # takes it, and complete compares the sizes.
    if put.status_code == 200:
        done = await alice.http.post(
            f"/api/rooms/{room_id}/attachments/{upload_slot['id']}/complete"
        )
        assert done.status_code == 400 and done.json()["code"] == "attachment_invalid"
    else:  # the local store refuses bytes beyond the signed size
        assert put.status_code == 413
        done = await alice.http.post(
            f"/api/rooms/{room_id}/attachments/{upload_slot['id']}/complete"
        )
        assert done.status_code == 409 and done.json()["code"] == "attachment_not_uploaded"


async def test_only_my_ready_unsent_uploads_to_this_room_go_into_a_send(app_server, people, db):
    alice, bob, _ = people
    room_id = await create_room(alice)
    other_room = await create_room(alice, "other")
    await join(bob, room_id)
    mine, _ = await upload(app_server, alice, room_id, PNG)
    elsewhere, _ = await upload(app_server, alice, other_room, PNG)
    r = await slot(alice, room_id, "later.png", "image/png", len(PNG))
    pending = r.json()["id"]
    before = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)
    for user, ids in (
        (bob, [mine]),
        (alice, [elsewhere]),
        (alice, [pending]),
        (alice, [mine, mine]),
    ):
        r = await send(user, room_id, f"x-{user.id}-{ids}", ids)
        assert r.status_code == 400 and r.json()["code"] == "attachment_invalid", r.text
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id) == before
    assert (await send(alice, room_id, "ok", [mine], "with words")).status_code == 201
    r = await send(alice, room_id, "again", [mine])  # already sent with a message
    assert r.status_code == 400 and r.json()["code"] == "attachment_invalid"
    # Without attachments a message still needs words.
    r = await send(alice, room_id, "empty", [])
    assert r.status_code == 400 and r.json()["code"] == "message_empty"


async def test_a_deleted_message_takes_its_files_with_it(app_server, people):
    alice, bob, _ = people
    room_id = await create_room(alice)
    await join(bob, room_id)
    attachment_id, _ = await upload(app_server, alice, room_id, PNG)
    seq = (await send(alice, room_id, "m1", [attachment_id], "look")).json()["seq"]
    assert (await download(app_server, bob, room_id, attachment_id)).status_code == 200
    assert (await alice.http.delete(f"/api/rooms/{room_id}/messages/{seq}")).status_code == 204
    r = await download(app_server, bob, room_id, attachment_id)
    assert r.status_code == 404 and r.json()["code"] == "attachment_not_found"
    ws = await Ws.connect(app_server.ws_url, bob.token)
    frames = [f for f in await ws.resume({room_id: 0}) if f.get("message", {}).get("seq") == seq]
    assert frames and all(f["message"]["attachments"] == [] for f in frames)
    await ws.close()


async def test_a_socket_sends_files_too(app_server, people):
    alice, _, _ = people
    room_id = await create_room(alice)
    attachment_id, _ = await upload(app_server, alice, room_id, PNG)
    ws = await Ws.connect(app_server.ws_url, alice.token)
    await ws.send(
        {
            "type": "send",
            "room_id": room_id,
            "client_msg_id": "w1",
            "body": "",
            "attachments": [attachment_id],
        }
    )
    ack = await ws.next_of("ack")
    got = (await alice.http.get(f"/api/rooms/{room_id}/messages/{ack['seq']}")).json()
    assert [a["id"] for a in got["attachments"]] == [attachment_id]
    await ws.close()


async def test_local_urls_are_signed_and_expire(start_server, tmp_path):
    # 3 s: long enough for the first two checks on a busy machine (a URL's expiry is a whole
    # second, so it may end up to a second sooner), short enough to wait out below.
    server = start_server(data_dir=tmp_path, attachment_url_ttl_s=3)
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    r = await slot(alice, room_id, "cat.png", "image/png", len(PNG))
    url = server.base_url + r.json()["upload_url"]
    async with httpx.AsyncClient() as anon:
        tampered = url.replace("size=", "size=9")
        put = await anon.put(tampered, content=PNG, headers={"Content-Type": "image/png"})
        assert put.status_code == 403
        wrong_type = await anon.put(url, content=PNG, headers={"Content-Type": "text/plain"})
        assert wrong_type.status_code == 400
        await asyncio.sleep(3.2)  # the URL must expire
        late = await anon.put(url, content=PNG, headers={"Content-Type": "image/png"})
        assert late.status_code == 403
    assert not list(tmp_path.rglob("*.png"))
    await alice.http.aclose()
