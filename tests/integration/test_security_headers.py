"""Security headers on every response, HSTS only over https, and no CORS. (The page's own CSP
is in test_web.py; foreign WebSocket origins in test_ws_bad_input.py; CSRF in
test_accounts.py.)"""

from __future__ import annotations

import httpx

EVIL = "https://evil.example"


def _assert_hardened(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


async def test_every_kind_of_response_carries_the_headers(server, alice):
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        responses = [
            await anon.get("/healthz"),
            await anon.get("/api/me"),  # 401
            await anon.post("/api/auth/login", json={"username": "x"}),  # 422
            await anon.post("/api/auth/register", content=b"x" * 70_000),  # 413 from the cap
            await anon.get("/"),  # the page, with its own CSP
        ]
        responses.append(await alice.http.get("/api/rooms"))
        statuses = [r.status_code for r in responses]
        assert statuses[:4] == [200, 401, 422, 413] and statuses[5] == 200
        for r in responses:
            _assert_hardened(r)
            assert "strict-transport-security" not in r.headers  # plain http: no HSTS
        assert responses[1].headers["content-security-policy"].startswith("default-src 'none'")


async def test_hsts_when_the_request_came_over_https(server):
    """Behind a TLS-terminating proxy (trusted by uvicorn's forwarded_allow_ips)."""
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        r = await anon.get("/healthz", headers={"x-forwarded-proto": "https"})
    assert r.headers["strict-transport-security"].startswith("max-age=63072000")


async def test_cors_is_closed(server, alice):
    preflight = await alice.http.options(
        "/api/rooms",
        headers={"origin": EVIL, "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    r = await alice.http.get("/api/rooms", headers={"origin": EVIL})
    assert r.status_code == 200
    assert not any(name.startswith("access-control-") for name in r.headers)


async def test_no_third_party_docs_pages(server):
    """Swagger/ReDoc would load scripts from a CDN; the contract is /openapi.json."""
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        assert (await anon.get("/docs")).status_code == 404
        assert (await anon.get("/redoc")).status_code == 404
        assert (await anon.get("/openapi.json")).status_code == 200


async def test_the_page_may_reach_the_attachment_store_and_nothing_else(start_server):
    """With attachments in S3 the browser uploads there and shows images from there; the
    page's CSP names exactly that origin (and a local store needs none)."""
    local = start_server()
    s3 = start_server(
        attachments_backend="s3", s3_bucket="media", s3_endpoint_url="http://127.0.0.1:9"
    )
    async with httpx.AsyncClient() as anon:
        plain = (await anon.get(local.base_url + "/")).headers["content-security-policy"]
        with_s3 = (await anon.get(s3.base_url + "/")).headers["content-security-policy"]
    assert "connect-src 'self';" in plain and "127.0.0.1:9" not in plain
    directives = dict(d.strip().split(" ", 1) for d in with_s3.split(";"))
    assert directives["connect-src"] == "'self' http://127.0.0.1:9"
    assert directives["img-src"] == "'self' data: blob: http://127.0.0.1:9"
    assert directives["script-src"] == "'self'"
