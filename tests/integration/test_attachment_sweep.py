"""The attachment sweep (chat.attachment_sweep) on both object stores: uploads never sent go
after the grace period (row, file, thumbnail), the files of deleted messages go at once,
sent files stay; and a send racing the sweep never ends up pointing at a deleted file."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import RunningServer
from tests.helpers import create_room, join, register
from tests.integration.attachment_helpers import PDF, PNG, absolute, send, slot, upload
from tipchat.bus import InProcessBus
from tipchat.chat import attachment_sweep
from tipchat.presence import InMemoryPresenceStore
from tipchat.ratelimit import InMemoryRateLimiter
from tipchat.services import Services
from tipchat.storage import attachments as attachment_store
from tipchat.storage.database import connect
from tipchat.storage.objects import object_store


@pytest.fixture
async def svc(app_server: RunningServer, database_url: str) -> AsyncIterator[Services]:
    """The rules' view of the server's database and object store (the same settings)."""
    db = await connect(database_url, size=4)
    services = Services(
        settings=app_server.settings,
        db=db,
        bus=InProcessBus(),
        limiter=InMemoryRateLimiter(),
        presence=InMemoryPresenceStore(),
    )
    services.objects = object_store(app_server.settings)
    yield services
    await db.close()


async def age(db: asyncpg.Connection, *ids: int, hours: int = 25) -> None:
    await db.execute(
        "UPDATE attachments SET created_at = now() - make_interval(hours => $2)"
        " WHERE id = ANY($1::bigint[])",
        list(ids),
        hours,
    )


async def keys_of(db: asyncpg.Connection, attachment_id: int) -> list[str]:
    row = await db.fetchrow(
        "SELECT object_key, thumbnail_key FROM attachments WHERE id = $1", attachment_id
    )
    assert row is not None
    return [k for k in (row["object_key"], row["thumbnail_key"]) if k]


async def stored(svc: Services, keys: list[str]) -> list[bool]:
    return [await svc.objects.size(key=k) is not None for k in keys]


async def test_unused_uploads_go_after_the_grace_period_sent_ones_stay(app_server, people, db, svc):
    alice, bob, _ = people
    room_id = await create_room(alice)
    await join(bob, room_id)
    sent, _ = await upload(app_server, alice, room_id, PNG)
    assert (await send(alice, room_id, "m1", [sent])).status_code == 201
    unsent, _ = await upload(app_server, alice, room_id, PNG)  # ready, never sent
    r = await slot(alice, room_id, "later.pdf", "application/pdf", len(PDF))
    pending = r.json()["id"]  # uploaded, never completed
    async with httpx.AsyncClient() as anon:
        put = await anon.put(
            absolute(app_server, r.json()["upload_url"]), content=PDF, headers=r.json()["headers"]
        )
    assert put.status_code == 200
    fresh, _ = await upload(app_server, alice, room_id, PNG)  # unsent, but recent
    keys = {i: await keys_of(db, i) for i in (sent, unsent, pending, fresh)}
    assert len(keys[unsent]) == 2 and len(keys[pending]) == 1  # file + thumbnail; file
    await age(db, sent, unsent, pending)

    swept = await attachment_sweep.sweep(svc)
    assert swept == attachment_sweep.Swept(unused=2, deleted=2, failed=0)
    left = {r["id"] for r in await db.fetch("SELECT id FROM attachments")}
    assert left == {sent, fresh}
    assert await stored(svc, keys[unsent] + keys[pending]) == [False, False, False]
    assert await stored(svc, keys[sent] + keys[fresh]) == [True] * 4
    # The sent file is still there for members; the swept one is gone for its uploader too.
    r = await bob.http.get(f"/api/rooms/{room_id}/attachments/{sent}")
    async with httpx.AsyncClient() as anon:
        assert (await anon.get(absolute(app_server, r.json()["url"]))).content == PNG
    r = await alice.http.get(f"/api/rooms/{room_id}/attachments/{unsent}")
    assert r.status_code == 404 and r.json()["code"] == "attachment_not_found"
    r = await send(alice, room_id, "late", [unsent])
    assert r.status_code == 400 and r.json()["code"] == "attachment_invalid"
    # A second pass finds nothing more.
    assert await attachment_sweep.sweep(svc) == attachment_sweep.Swept(0, 0, 0)


async def test_deleting_a_message_deletes_its_files_at_once(app_server, people, db, svc):
    alice, bob, _ = people
    room_id = await create_room(alice)
    await join(bob, room_id)
    attachment_id, _ = await upload(app_server, alice, room_id, PNG)
    seq = (await send(alice, room_id, "m1", [attachment_id], "look")).json()["seq"]
    keys = await keys_of(db, attachment_id)
    link = (await bob.http.get(f"/api/rooms/{room_id}/attachments/{attachment_id}")).json()["url"]
    assert (await alice.http.delete(f"/api/rooms/{room_id}/messages/{seq}")).status_code == 204
    # A link handed out before the delete no longer gives the file.
    async with httpx.AsyncClient() as anon:
        late = await anon.get(absolute(app_server, link))
    assert late.status_code in (403, 404) and late.content != PNG
    assert await stored(svc, keys) == [False, False]
    assert await db.fetchval("SELECT count(*) FROM attachments") == 0


async def test_the_sweep_finishes_withdrawn_files_left_behind(app_server, people, db, svc):
    """A deleted message whose files could not be deleted at once (the store was down):
    its rows stay withdrawn, and the sweep deletes the files later."""
    alice, _, _ = people
    room_id = await create_room(alice)
    attachment_id, _ = await upload(app_server, alice, room_id, PNG)
    await send(alice, room_id, "m1", [attachment_id])
    keys = await keys_of(db, attachment_id)
    await db.execute("UPDATE attachments SET status = 'deleted' WHERE id = $1", attachment_id)
    assert await stored(svc, keys) == [True, True]
    assert await attachment_sweep.sweep(svc) == attachment_sweep.Swept(0, 1, 0)
    assert await stored(svc, keys) == [False, False]


class _StoreDown:
    """The object store, with deletes failing (an outage): everything else passes through."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def delete(self, *, key: str) -> None:
        raise OSError("the store is down")


async def test_files_the_store_fails_to_delete_stay_withdrawn_until_a_later_pass(
    app_server, people, db, svc
):
    alice, _, _ = people
    room_id = await create_room(alice)
    attachment_id, _ = await upload(app_server, alice, room_id, PNG)
    await age(db, attachment_id)
    keys = await keys_of(db, attachment_id)
    real = svc.objects
    svc.objects = _StoreDown(real)
    assert await attachment_sweep.sweep(svc) == attachment_sweep.Swept(1, 0, 1)
    assert await db.fetchval("SELECT status FROM attachments WHERE id = $1", attachment_id) == (
        "deleted"
    )
    assert await stored(svc, keys) == [True, True]
    # Withdrawn all the same: no send may take it meanwhile.
    r = await send(alice, room_id, "m1", [attachment_id])
    assert r.status_code == 400 and r.json()["code"] == "attachment_invalid"
    svc.objects = real
    assert await attachment_sweep.sweep(svc) == attachment_sweep.Swept(0, 1, 0)
    assert await stored(svc, keys) == [False, False]


async def test_a_send_holding_its_attachment_is_skipped_by_the_sweep(
    app_server, people, db, svc, database_url
):
    alice, _, _ = people
    room_id = await create_room(alice)
    attachment_id, _ = await upload(app_server, alice, room_id, PNG)
    await age(db, attachment_id)
    keys = await keys_of(db, attachment_id)
    # A send in flight holds the row (storage.attachments.get_many) while the sweep runs.
    sender = await asyncpg.connect(database_url)
    try:
        async with sender.transaction():
            held = await attachment_store.get_many(conn=sender, ids=[attachment_id])
            assert held[attachment_id]["status"] == "ready"
            assert await attachment_sweep.sweep(svc) == attachment_sweep.Swept(0, 0, 0)
    finally:
        await sender.close()
    assert await stored(svc, keys) == [True, True]
    assert (await send(alice, room_id, "m1", [attachment_id])).status_code == 201
    # Sent now: no longer the sweep's, however old.
    assert await attachment_sweep.sweep(svc) == attachment_sweep.Swept(0, 0, 0)
    assert await stored(svc, keys) == [True, True]


async def test_a_send_waiting_on_the_sweep_is_refused_and_writes_nothing(
    app_server, people, db, svc, database_url
):
    alice, _, _ = people
    room_id = await create_room(alice)
    attachment_id, _ = await upload(app_server, alice, room_id, PNG)
    await age(db, attachment_id)
    before = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)
    sweeper = await asyncpg.connect(database_url)
    try:
        tx = sweeper.transaction()
        await tx.start()
        # The sweep's first step, not yet committed: the row is locked and withdrawn.
        withdrawn = await attachment_store.withdraw_unused(
            conn=sweeper, older_than_s=3600, limit=10
        )
        assert withdrawn == 1
        sending = asyncio.create_task(send(alice, room_id, "m1", [attachment_id]))
        await asyncio.sleep(0.5)
        assert not sending.done()  # waits for the row
        await tx.commit()
        r = await sending
    finally:
        await sweeper.close()
    assert r.status_code == 400 and r.json()["code"] == "attachment_invalid"
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id) == before
    assert await attachment_sweep.sweep(svc) == attachment_sweep.Swept(0, 1, 0)


async def test_sends_racing_a_sweep_never_point_at_deleted_files(
    app_server, people, db, svc, monkeypatch
):
    alice, _, _ = people
    room_id = await create_room(alice)
    ids = [(await upload(app_server, alice, room_id, PDF, "application/pdf", "a.pdf"))[0]]
    ids += [(await upload(app_server, alice, room_id, PNG))[0] for _ in range(11)]
    # Sends go in id order; the sweep withdraws the oldest first, one row per statement, so
    # the two meet somewhere in the middle.
    for i, attachment_id in enumerate(ids):
        await age(db, attachment_id, hours=25 + len(ids) - i)
    monkeypatch.setattr(attachment_sweep, "BATCH", 1)
    keys = {i: await keys_of(db, i) for i in ids}

    async def sweep_soon() -> attachment_sweep.Swept | None:
        await asyncio.sleep(0.05)
        return await attachment_sweep.sweep(svc)

    sends = [send(alice, room_id, f"m{a}", [a]) for a in ids]
    *answers, swept = await asyncio.gather(*sends, sweep_soon())
    assert swept is not None and swept.failed == 0
    for attachment_id, r in zip(ids, answers, strict=True):
        row = await db.fetchrow("SELECT status, seq FROM attachments WHERE id = $1", attachment_id)
        if r.status_code == 201:  # sent: shown by its message, with its files
            assert row is not None and row["seq"] == r.json()["seq"]
            assert all(await stored(svc, keys[attachment_id]))
        else:  # withdrawn first: refused (its files go in this pass, or the next one if
            # the refused send still held the row when this pass deleted files)
            assert r.status_code == 400 and r.json()["code"] == "attachment_invalid"
            assert row is None or row["status"] == "deleted"
    await attachment_sweep.sweep(svc)
    for attachment_id, r in zip(ids, answers, strict=True):
        if r.status_code == 400:
            assert not any(await stored(svc, keys[attachment_id]))
    # Whatever the interleaving: every message's attachments have their files.
    for message in (await alice.http.get(f"/api/rooms/{room_id}/messages")).json()["messages"]:
        for ref in message["attachments"]:
            assert all(await stored(svc, keys[ref["id"]]))
    sent = sum(r.status_code == 201 for r in answers)
    assert swept.unused == len(ids) - sent
    assert await db.fetchval("SELECT count(*) FROM attachments") == sent


async def test_one_process_sweeps_at_a_time(app_server, people, db, svc, database_url):
    other = await asyncpg.connect(database_url)
    try:
        await other.execute(
            "SELECT pg_advisory_lock(hashtextextended('tipchat-attachment-sweep', 0))"
        )
        assert await attachment_sweep.sweep(svc) is None
    finally:
        await other.close()
    assert await attachment_sweep.sweep(svc) is not None


@pytest.mark.parametrize("backend", ["s3"], indirect=True)  # the local store counts bytes
async def test_the_s3_upload_url_signs_the_declared_size(app_server):
    """S3 itself refuses a PUT of another size than the signed Content-Length (moto does not
    check signatures: there, complete's size check refuses it, see test_attachments)."""
    store = object_store(app_server.settings)
    put = await store.presign_put(key="rooms/1/ab", content_type="image/png", size=7, ttl_s=60)
    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in put.url
    # Browsers send Content-Length themselves and may not set it: it is not in the headers.
    assert put.headers == {"Content-Type": "image/png"}


async def test_tipchat_serve_and_worker_sweep_by_themselves(
    start_server, database_url, db, tmp_path
):
    server = start_server(data_dir=tmp_path, attachment_sweep_interval_s=0.2)
    alice = await register(server.base_url)
    room_id = await create_room(alice)
    first, _ = await upload(server, alice, room_id, PNG)
    await age(db, first)
    await _gone(db, first)  # the server's own sweeper
    server.stop()

    second, key = await _upload_offline(db, tmp_path, room_id, alice.id)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TIPCHAT_DATA_DIR": str(tmp_path),
        "TIPCHAT_ATTACHMENT_SWEEP_INTERVAL_S": "0.2",
        "TIPCHAT_CHAINS": "[]",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "tipchat", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await _gone(db, second)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert not (tmp_path / "attachments" / key).exists()
    await alice.http.aclose()


async def _upload_offline(
    db: asyncpg.Connection, data_dir: Path, room_id: int, user_id: int
) -> tuple[int, str]:
    """An old unsent upload, written straight to the local store (no server running)."""
    key = f"rooms/{room_id}/{os.urandom(16).hex()}"
    path = data_dir / "attachments" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG)
    attachment_id = await db.fetchval(
        "INSERT INTO attachments (room_id, uploader_id, object_key, filename, content_type,"
        " size, status, created_at) VALUES ($1, $2, $3, 'x.png', 'image/png', $4, 'ready',"
        " now() - interval '2 days') RETURNING id",
        room_id,
        user_id,
        key,
        len(PNG),
    )
    return attachment_id, key


async def _gone(db: asyncpg.Connection, attachment_id: int, timeout_s: float = 20) -> None:
    for _ in range(int(timeout_s / 0.1)):
        if await db.fetchval("SELECT count(*) FROM attachments WHERE id = $1", attachment_id) == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"attachment {attachment_id} was not swept")
