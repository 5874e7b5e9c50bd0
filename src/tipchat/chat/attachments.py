"""Attachments: an upload slot for a room, a check of what was uploaded, download URLs.

1. `do_create_upload`: a member declares a file (name, type, size); the server checks the
   type and size limits, records a pending attachment and hands out a presigned PUT URL.
2. The client PUTs the bytes straight to object storage (or to this app, single node).
3. `do_complete`: the server checks what arrived: its size is the declared one, and its
   first bytes are what the declared type starts with (content sniffed, never trusted from
   the client). Only then is it ready; anything else is rejected and deleted.
4. The attachment id goes into a send (`attachments: [id]`, chat/sending.py); the message
   snapshot lists the attachment (id, name, type, size; images: pixels and a thumbnail,
   made here, which also proves the image decodes).
5. `get_download`: members of the room get a short-lived GET URL.
"""

from __future__ import annotations

import asyncio
import secrets
import unicodedata
from collections.abc import Callable
from typing import Any, NoReturn

import asyncpg

from tipchat.chat import access, thumbnails
from tipchat.chat.rooms import Actor
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import attachments as attachment_store
from tipchat.storage.objects import Presigned

MAX_FILENAME = 255
MAX_PER_MESSAGE = 10
# Enough bytes for every signature below.
SNIFF_BYTES = 512


def _starts(*magics: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head.startswith(m) for m in magics)


def _webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _text(head: bytes) -> bool:
    """UTF-8 without NUL bytes (a multi-byte character cut at the sniffing bound is fine)."""
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


# The types an attachment may have, each with the check of its first bytes. No HTML, SVG or
# other active content: a download must never run script on anyone's origin.
ALLOWED_TYPES: dict[str, Callable[[bytes], bool]] = {
    "image/png": _starts(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": _starts(b"\xff\xd8\xff"),
    "image/gif": _starts(b"GIF87a", b"GIF89a"),
    "image/webp": _webp,
    "application/pdf": _starts(b"%PDF-"),
    "application/zip": _starts(b"PK\x03\x04", b"PK\x05\x06"),
    "text/plain": _text,
}
# Images are shown inline in the conversation; everything else downloads as a file.
INLINE_TYPES = frozenset(t for t in ALLOWED_TYPES if t.startswith("image/"))


def check_upload(svc: Services, *, filename: str, content_type: str, size: int) -> str:
    filename = filename.strip()
    if not 1 <= len(filename) <= MAX_FILENAME or any(
        c in "/\\" or unicodedata.category(c) in ("Cc", "Cf") for c in filename
    ):
        raise TipchatError(
            Code.attachment_invalid,
            f"file names are 1-{MAX_FILENAME} characters, no slashes or control characters",
        )
    if content_type not in ALLOWED_TYPES:
        raise TipchatError(
            Code.attachment_type_not_allowed,
            "allowed types: " + ", ".join(sorted(ALLOWED_TYPES)),
        )
    limit = svc.settings.attachment_max_bytes
    if not 1 <= size <= limit:
        raise TipchatError(
            Code.attachment_too_large, f"attachments are 1 to {limit} bytes", max_bytes=limit
        )
    return filename


async def do_create_upload(
    svc: Services, *, actor: Actor, room_id: int, filename: str, content_type: str, size: int
) -> tuple[asyncpg.Record, Presigned]:
    """A pending attachment and the presigned PUT to upload it with."""
    filename = check_upload(svc, filename=filename, content_type=content_type, size=size)
    retry_after = await svc.limiter.hit(
        f"attachment:user:{actor.user_id}", *svc.settings.attachment_limit_per_user
    )
    if retry_after is not None:
        raise TipchatError(
            Code.rate_limited, "too many uploads; wait a while", retry_after=round(retry_after, 3)
        )
    key = f"rooms/{room_id}/{secrets.token_hex(16)}"
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=actor.user_id)
        row = await attachment_store.insert_attachment(
            conn=conn,
            room_id=room_id,
            uploader_id=actor.user_id,
            object_key=key,
            filename=filename,
            content_type=content_type,
            size=size,
        )
    upload = await svc.objects.presign_put(
        key=key, content_type=content_type, size=size, ttl_s=svc.settings.attachment_url_ttl_s
    )
    return row, upload


def _not_found() -> TipchatError:
    return TipchatError(Code.attachment_not_found, "no such attachment in this room")


async def do_complete(
    svc: Services, *, actor: Actor, room_id: int, attachment_id: int
) -> asyncpg.Record:
    """Check the uploaded bytes; the attachment is ready, or rejected (and deleted)."""
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=actor.user_id)
        row = await attachment_store.get_attachment(
            conn=conn, room_id=room_id, attachment_id=attachment_id
        )
    if row is None or row["uploader_id"] != actor.user_id:
        raise _not_found()
    if row["status"] == "ready":
        return row  # completing again changes nothing
    if row["status"] != "pending":
        raise TipchatError(Code.attachment_rejected, "this upload was rejected; upload anew")
    key = row["object_key"]
    stored = await svc.objects.size(key=key)
    if stored is None:
        raise TipchatError(Code.attachment_not_uploaded, "upload the file first, then complete")
    if stored != row["size"]:
        reason = f"the upload has {stored} bytes, {row['size']} were declared"
        await _reject(svc, row, reason, Code.attachment_invalid)
    head = await svc.objects.head(key=key, n=SNIFF_BYTES)
    if not ALLOWED_TYPES[row["content_type"]](head):
        await _reject(
            svc, row, f"the file is not {row['content_type']}", Code.attachment_content_mismatch
        )
    width = height = thumbnail_key = None
    if row["content_type"] in INLINE_TYPES:
        width, height, thumbnail_key = await _thumbnail(svc, row)
    async with svc.db.acquire() as conn:
        await attachment_store.set_ready(
            conn=conn,
            attachment_id=attachment_id,
            width=width,
            height=height,
            thumbnail_key=thumbnail_key,
        )
        ready = await attachment_store.get_attachment(
            conn=conn, room_id=room_id, attachment_id=attachment_id
        )
    if ready is None or ready["status"] != "ready":
        # Withdrawn by the sweep meanwhile (chat.attachment_sweep), which may not know of
        # the thumbnail just made. (A concurrent complete that won finds it ready: fine.)
        if thumbnail_key is not None:
            await svc.objects.delete(key=thumbnail_key)
        raise _not_found()
    return ready


async def _thumbnail(svc: Services, row: Any) -> tuple[int, int, str]:
    """Decode the image (refusing it if it does not decode) and store its thumbnail beside
    it: rooms/<room>/thumbs/<name>."""
    data = await svc.objects.get(key=row["object_key"])
    try:
        width, height, thumb = await asyncio.to_thread(thumbnails.make_thumbnail, data)
    except thumbnails.NotAnImage as exc:
        await _reject(svc, row, str(exc), Code.attachment_content_mismatch)
        raise  # pragma: no cover (_reject raised)
    folder, _, name = row["object_key"].rpartition("/")
    key = f"{folder}/thumbs/{name}"
    await svc.objects.put(key=key, data=thumb, content_type=thumbnails.THUMBNAIL_TYPE)
    return width, height, key


async def _reject(svc: Services, row: Any, reason: str, code: Code) -> NoReturn:
    async with svc.db.acquire() as conn:
        await attachment_store.set_status(conn=conn, attachment_id=row["id"], status="rejected")
    await svc.objects.delete(key=row["object_key"])
    raise TipchatError(code, reason)


async def get_download(
    svc: Services, *, actor: Actor, room_id: int, attachment_id: int, thumbnail: bool = False
) -> Presigned:
    """A short-lived GET URL for a member: of an attachment sent in a message that is not
    deleted, or of my own upload that is ready but not sent yet (to preview it); of its
    thumbnail when asked (images)."""
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=actor.user_id)
        row = await attachment_store.get_attachment(
            conn=conn, room_id=room_id, attachment_id=attachment_id
        )
    if row is None or row["status"] != "ready":
        raise _not_found()
    sent = row["seq"] is not None and row["message_deleted_at"] is None
    if not sent and not (row["seq"] is None and row["uploader_id"] == actor.user_id):
        raise _not_found()
    if thumbnail:
        if row["thumbnail_key"] is None:
            raise TipchatError(Code.attachment_not_found, "this attachment has no thumbnail")
        return await svc.objects.presign_get(
            key=row["thumbnail_key"],
            filename=f"thumbnail-{row['filename']}.webp",
            content_type=thumbnails.THUMBNAIL_TYPE,
            inline=True,
            ttl_s=svc.settings.attachment_url_ttl_s,
        )
    return await svc.objects.presign_get(
        key=row["object_key"],
        filename=row["filename"],
        content_type=row["content_type"],
        inline=row["content_type"] in INLINE_TYPES,
        ttl_s=svc.settings.attachment_url_ttl_s,
    )


def refuse_attachments(
    *, sender_id: int, room_id: int, ids: tuple[int, ...], found: dict[int, Any], used: set[int]
) -> TipchatError | None:
    """Why a send may not carry these attachments, or None: each must be the sender's own
    upload to this room, ready, not sent with another message (nor twice in this batch)."""
    if len(ids) > MAX_PER_MESSAGE:
        return TipchatError(
            Code.attachment_invalid, f"a message carries at most {MAX_PER_MESSAGE} attachments"
        )
    for attachment_id in ids:
        row = found.get(attachment_id)
        if (
            row is None
            or row["uploader_id"] != sender_id
            or row["room_id"] != room_id
            or row["status"] != "ready"
            or row["seq"] is not None
            or attachment_id in used
            or ids.count(attachment_id) > 1
        ):
            return TipchatError(
                Code.attachment_invalid,
                f"attachment {attachment_id} is not an upload of yours, ready for this room",
            )
    return None
