"""Object storage for attachments, behind one narrow interface with two implementations:

LocalObjectStore  files under a directory; the app itself serves the upload (PUT) and the
                  download (GET) at /api/media/<key>, with HMAC-signed, short-lived URLs of
                  the same shape as presigned S3 URLs (single node, the default)
S3ObjectStore     a bucket of S3 or any S3-compatible endpoint; boto3 presigned PUT/GET, so
                  files go straight between the browser and the bucket (cluster)

Either way a client uploads with one PUT to `upload_url` carrying `headers`, and downloads
with one GET of a URL that expires.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

from tipchat.config import Settings

MEDIA_PREFIX = "/api/media/"


@dataclass(frozen=True)
class Presigned:
    url: str
    headers: dict[str, str]  # to send with the request (PUT: the content type)
    expires_at: float  # Unix seconds


class ObjectStore(Protocol):
    async def presign_put(
        self, *, key: str, content_type: str, size: int, ttl_s: int
    ) -> Presigned: ...

    async def presign_get(
        self, *, key: str, filename: str, content_type: str, inline: bool, ttl_s: int
    ) -> Presigned: ...

    async def size(self, *, key: str) -> int | None:
        """The stored object's size, None if nothing was uploaded."""
        ...

    async def head(self, *, key: str, n: int) -> bytes:
        """The object's first n bytes (fewer if it is shorter)."""
        ...

    async def get(self, *, key: str) -> bytes:
        """The whole object (only for sizes the server bounds: attachments, thumbnails)."""
        ...

    async def put(self, *, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, *, key: str) -> None: ...


def content_disposition(filename: str, inline: bool) -> str:
    """RFC 6266 with an RFC 5987 UTF-8 name, and an ASCII fallback for old clients."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class LocalObjectStore:
    def __init__(self, root: Path, secret: bytes) -> None:
        self.root = root
        self._key = hashlib.sha256(b"tipchat attachments\0" + secret).digest()

    def path_of(self, key: str) -> Path:
        # Keys are made by the server (rooms/<id>/<random hex>); refuse anything else.
        if ".." in key.split("/") or key.startswith("/") or not key.replace("/", "").isalnum():
            raise ValueError("bad object key")
        return self.root / key

    def _sign(self, fields: dict[str, str]) -> str:
        message = "\n".join(f"{k}={fields[k]}" for k in sorted(fields)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _url(self, key: str, fields: dict[str, str]) -> str:
        signed = {**fields, "key": key}
        query = urlencode({**fields, "sig": self._sign(signed)})
        return f"{MEDIA_PREFIX}{key}?{query}"

    def verify(self, key: str, params: dict[str, str]) -> dict[str, str] | None:
        """The signed fields of a media URL when its signature holds and it has not expired."""
        fields = {k: v for k, v in params.items() if k != "sig"}
        expected = self._sign({**fields, "key": key})
        if not hmac.compare_digest(expected, params.get("sig", "")):
            return None
        if not fields.get("exp", "").isdigit() or int(fields["exp"]) < time.time():
            return None
        return fields

    async def presign_put(self, *, key: str, content_type: str, size: int, ttl_s: int) -> Presigned:
        exp = int(time.time()) + ttl_s
        url = self._url(key, {"op": "put", "exp": str(exp), "ct": content_type, "size": str(size)})
        return Presigned(url, {"Content-Type": content_type}, exp)

    async def presign_get(
        self, *, key: str, filename: str, content_type: str, inline: bool, ttl_s: int
    ) -> Presigned:
        exp = int(time.time()) + ttl_s
        fields = {"op": "get", "exp": str(exp), "ct": content_type, "name": filename}
        fields["disp"] = "inline" if inline else "attachment"
        return Presigned(self._url(key, fields), {}, exp)

    async def size(self, *, key: str) -> int | None:
        try:
            return (await asyncio.to_thread(os.stat, self.path_of(key))).st_size
        except FileNotFoundError:
            return None

    async def head(self, *, key: str, n: int) -> bytes:
        def read() -> bytes:
            with self.path_of(key).open("rb") as f:
                return f.read(n)

        return await asyncio.to_thread(read)

    async def get(self, *, key: str) -> bytes:
        return await asyncio.to_thread(self.path_of(key).read_bytes)

    async def put(self, *, key: str, data: bytes, content_type: str) -> None:
        def write() -> None:
            path = self.path_of(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            os.replace(part, path)

        await asyncio.to_thread(write)

    async def delete(self, *, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)


class S3ObjectStore:
    """boto3 is synchronous: each call runs in a thread. Credentials come from boto3's usual
    chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or the task's IAM role)."""

    def __init__(self, *, bucket: str, endpoint_url: str | None, region: str) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        # Path-style addressing for custom endpoints (MinIO, moto, ...), which rarely have
        # a DNS name per bucket; AWS itself picks what suits it.
        style = "path" if endpoint_url else "auto"
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(signature_version="s3v4", s3={"addressing_style": style}),
        )

    async def presign_put(self, *, key: str, content_type: str, size: int, ttl_s: int) -> Presigned:
        # Content-Length is a signed header: S3 refuses a body of any other size. The client
        # need not be told: browsers (and HTTP libraries) send the body's length themselves,
        # and a browser may not set the header at all. complete checks the size again.
        params = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        url = await asyncio.to_thread(
            self._client.generate_presigned_url,
            "put_object",
            Params={**params, "ContentLength": size},
            ExpiresIn=ttl_s,
        )
        return Presigned(url, {"Content-Type": content_type}, int(time.time()) + ttl_s)

    async def presign_get(
        self, *, key: str, filename: str, content_type: str, inline: bool, ttl_s: int
    ) -> Presigned:
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(filename, inline),
        }
        url = await asyncio.to_thread(
            self._client.generate_presigned_url, "get_object", Params=params, ExpiresIn=ttl_s
        )
        return Presigned(url, {}, int(time.time()) + ttl_s)

    async def size(self, *, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = await asyncio.to_thread(self._client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    async def head(self, *, key: str, n: int) -> bytes:
        def read() -> bytes:
            got = self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{n - 1}")
            body: bytes = got["Body"].read()
            return body

        return await asyncio.to_thread(read)

    async def get(self, *, key: str) -> bytes:
        def read() -> bytes:
            body: bytes = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            return body

        return await asyncio.to_thread(read)

    async def put(self, *, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
        )

    async def delete(self, *, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=key)


def object_store(settings: Settings) -> ObjectStore:
    """The store the settings name (the app and `tipchat worker` build theirs here)."""
    if settings.attachments_backend == "s3":
        if not settings.s3_bucket:
            raise SystemExit("TIPCHAT_ATTACHMENTS_BACKEND=s3 needs TIPCHAT_S3_BUCKET")
        return S3ObjectStore(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
    return LocalObjectStore(settings.data_dir / "attachments", settings.jwt_secret.encode())


def s3_browser_origins(*, bucket: str, endpoint_url: str | None, region: str) -> list[str]:
    """Where a browser PUTs and GETs presigned S3 URLs: the page's Content-Security-Policy
    must allow these origins (connect-src for uploads, img-src for inline images). A custom
    endpoint is addressed path-style (its own origin); AWS virtual-hosted style, regional or
    not depending on the SDK, so both names are allowed."""
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        return [f"{parts.scheme}://{parts.netloc}"]
    return [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://{bucket}.s3.amazonaws.com"]
