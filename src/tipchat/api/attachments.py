"""Attachments: upload slots, the upload check, download URLs; and, for the local store, the
signed upload and download URLs themselves (/api/media/...), served by this app."""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import FileResponse, JSONResponse

from tipchat.api.deps import MAX_ID, CurrentUser, RoomIdPath, ServicesDep
from tipchat.api.schemas import (
    AttachmentCreate,
    AttachmentDownload,
    AttachmentPublic,
    AttachmentUpload,
)
from tipchat.chat import attachments as chat_attachments
from tipchat.storage.objects import MEDIA_PREFIX, LocalObjectStore, content_disposition

router = APIRouter(prefix="/api/rooms/{room_id}/attachments", tags=["attachments"])
media = APIRouter(prefix=MEDIA_PREFIX.rstrip("/"), include_in_schema=False)

AttachmentIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def _public(row: Any) -> AttachmentPublic:
    return AttachmentPublic.model_validate(dict(row))


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={429: {"description": "rate_limited"}}
)
async def create_upload(
    room_id: RoomIdPath, body: AttachmentCreate, user: CurrentUser, svc: ServicesDep
) -> AttachmentUpload:
    """An upload slot: PUT the file's bytes to upload_url with headers, then call complete."""
    row, upload = await chat_attachments.do_create_upload(
        svc,
        actor=user,
        room_id=room_id,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
    )
    return AttachmentUpload(
        id=row["id"],
        upload_url=upload.url,
        method="PUT",
        headers=upload.headers,
        expires_at=upload.expires_at,
        attachment=_public(row),
    )


@router.post("/{attachment_id}/complete")
async def complete_upload(
    room_id: RoomIdPath, attachment_id: AttachmentIdPath, user: CurrentUser, svc: ServicesDep
) -> AttachmentPublic:
    """Check the uploaded bytes (size, and the type's signature); ready, or an error."""
    row = await chat_attachments.do_complete(
        svc, actor=user, room_id=room_id, attachment_id=attachment_id
    )
    return _public(row)


@router.get("/{attachment_id}")
async def download_url(
    room_id: RoomIdPath,
    attachment_id: AttachmentIdPath,
    user: CurrentUser,
    svc: ServicesDep,
    thumbnail: bool = False,
) -> AttachmentDownload:
    """A short-lived URL to GET the file (members only), or its thumbnail (images: WebP,
    within 320x320)."""
    url = await chat_attachments.get_download(
        svc, actor=user, room_id=room_id, attachment_id=attachment_id, thumbnail=thumbnail
    )
    return AttachmentDownload(url=url.url, expires_at=url.expires_at)


# -- the local store's signed URLs ------------------------------------------------------


def _refuse(code: str, message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status_code)


def _local(
    svc: Any, key: str, request: Request, op: str
) -> tuple[LocalObjectStore, dict[str, str]] | JSONResponse:
    store = svc.objects
    if not isinstance(store, LocalObjectStore):
        return _refuse("not_found", "not found", 404)
    fields = store.verify(key, dict(request.query_params))
    if fields is None or fields.get("op") != op:
        return _refuse("forbidden", "this URL is not valid (or no longer)", 403)
    try:
        store.path_of(key)
    except ValueError:
        return _refuse("not_found", "not found", 404)
    return store, fields


@media.put("/{key:path}")
async def local_upload(key: str, request: Request, svc: ServicesDep) -> Response:
    checked = _local(svc, key, request, "put")
    if isinstance(checked, JSONResponse):
        return checked
    store, fields = checked
    if request.headers.get("content-type") != fields["ct"]:
        return _refuse("invalid_request", f"send Content-Type: {fields['ct']}", 400)
    limit = int(fields["size"])
    path = store.path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    written = 0
    with part.open("wb") as out:  # small writes to a local disk; no thread hop per chunk
        async for chunk in request.stream():
            written += len(chunk)
            if written > limit:
                out.close()
                part.unlink(missing_ok=True)
                return _refuse("attachment_too_large", f"this upload is {limit} bytes", 413)
            out.write(chunk)
    os.replace(part, path)
    return Response(status_code=200)


@media.get("/{key:path}")
async def local_download(key: str, request: Request, svc: ServicesDep) -> Response:
    checked = _local(svc, key, request, "get")
    if isinstance(checked, JSONResponse):
        return checked
    store, fields = checked
    path = store.path_of(key)
    if not path.is_file():
        return _refuse("not_found", "not found", 404)
    return FileResponse(
        path,
        media_type=fields["ct"],
        headers={
            "Content-Disposition": content_disposition(fields["name"], fields["disp"] == "inline"),
            # The declared type and nothing else; and no script even if a browser were fooled.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=300",
        },
    )
