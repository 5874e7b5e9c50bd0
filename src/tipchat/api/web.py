"""The built React app (web/ → src/tipchat/static) served at /, as a single-page app.

- /assets/*: Vite's content-hashed files, cached for a year (a new build has new names).
- any other GET that is not the API: index.html, never cached, so a deploy is picked up on
  the next load; routing happens in the browser.
- a strict Content-Security-Policy: scripts and styles only from this origin, no inline code,
  no framing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles


def csp(media_origins: Sequence[str] = ()) -> str:
    """The page's policy. media_origins: where attachments live when they are not served by
    this origin (S3): uploads go there (connect-src) and images come from there (img-src)."""
    media = "".join(f" {origin}" for origin in media_origins)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob:{media}",
            "font-src 'self'",
            f"connect-src 'self'{media}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


CSP = csp()  # with attachments on this origin (the default)


def page_headers(media_origins: Sequence[str] = ()) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp(media_origins),
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


_IMMUTABLE = "public, max-age=31536000, immutable"
# Paths the SPA fallback must never answer with the page: they are the API's.
_NOT_PAGES = ("api/", "ws", "healthz", "readyz", "metrics", "openapi.json", "docs", "redoc")

NOT_BUILT = """<!doctype html><title>tipchat</title>
<p>The web client is not built yet. <code>./scripts/run</code> builds it (or run
<code>npm run build</code> in <code>web/</code>). The API is up at <code>/api</code>.</p>"""


class _HashedAssets(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = _IMMUTABLE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def mount(app: FastAPI, web_dir: Path, media_origins: Sequence[str] = ()) -> None:
    """Register the app's routes; call after every API route (the fallback matches all)."""
    headers = page_headers(media_origins)
    index = web_dir / "index.html"
    if (web_dir / "assets").is_dir():
        app.mount("/assets", _HashedAssets(directory=web_dir / "assets"), name="assets")

    # Files beside index.html (favicon, manifest): listed once, so a request can only ever
    # name one of them, never walk the filesystem.
    top_files = (
        {p.name: p for p in web_dir.iterdir() if p.is_file() and p != index}
        if web_dir.is_dir()
        else {}
    )
    built = index.is_file()

    @app.get("/{path:path}", include_in_schema=False)
    async def page(path: str) -> Response:
        if path.startswith(_NOT_PAGES):
            raise HTTPException(status_code=404, detail="Not Found")
        if path in top_files:
            return FileResponse(top_files[path], headers={"X-Content-Type-Options": "nosniff"})
        if not built:
            return HTMLResponse(NOT_BUILT, headers=headers)
        return FileResponse(index, media_type="text/html", headers=headers)
