"""The web client is served at / as a single-page app with a strict CSP."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def web_dir(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><script src="/assets/app-1a2b3c.js"></script>'
    )
    (tmp_path / "assets" / "app-1a2b3c.js").write_text("console.log('tipchat')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


async def test_pages_assets_and_the_api_each_get_the_right_answer(start_server, web_dir):
    server = start_server(web_dir=web_dir)
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for path in ("/", "/rooms/12", "/some/deep/link"):  # the browser routes these
            r = await client.get(path)
            assert r.status_code == 200 and "app-1a2b3c.js" in r.text
            assert r.headers["cache-control"] == "no-cache"
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "unsafe-inline" not in csp

        r = await client.get("/assets/app-1a2b3c.js")
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
        assert (await client.get("/favicon.svg")).text == "<svg/>"

        r = await client.get("/api/no-such-thing")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/openapi.json")).json()["info"]["title"] == "tipchat"
        for sneaky in (
            "/assets/../index.html",
            "/assets/%2e%2e/%2e%2e/config.py",
            "/../pyproject.toml",
        ):
            r = await client.get(sneaky)
            assert "config" not in r.text and "[project]" not in r.text


async def test_without_a_build_the_page_says_how_to_build(start_server, tmp_path):
    server = start_server(web_dir=tmp_path / "empty")
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        r = await client.get("/")
    assert r.status_code == 200 and "./scripts/run" in r.text
