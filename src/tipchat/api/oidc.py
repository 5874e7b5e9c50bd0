"""Sign-in with an external OIDC provider (auth/oidc_signin.py): what the sign-in screen shows,
the redirect to the provider, linking while signed in, and the provider's callback.

The start and the callback are browser navigations, not API calls: they answer with
redirects, and every failure lands on `/?oidc_error=<code>` for the web client to explain.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from tipchat.api.auth import session_response
from tipchat.api.deps import ClientIp, CurrentUser, ServicesDep
from tipchat.auth import oidc_signin
from tipchat.errors import TipchatError
from tipchat.services import Services

log = logging.getLogger(__name__)

PREFIX = "/api/auth/oidc"
CALLBACK_PATH = PREFIX + "/callback"
# Binds a flow to this browser; sent only to these routes, never readable by the page.
BROWSER_COOKIE = "tipchat_oidc"

router = APIRouter(prefix=PREFIX, tags=["auth"])


class OidcConfigPublic(BaseModel):
    enabled: bool
    name: str | None  # for the button: "Sign in with <name>"


class OidcLinkStart(BaseModel):
    url: str  # navigate the browser here (the provider's sign-in page)


def _redirect_uri(request: Request, svc: Services) -> str:
    # In production the public origin is required (Settings.check_production): the Host
    # header is whatever a client sends.
    origin = svc.settings.public_origin or str(request.base_url)
    return origin.rstrip("/") + CALLBACK_PATH


def _secure(request: Request, svc: Services) -> bool:
    secure = svc.settings.cookie_secure
    return request.url.scheme == "https" if secure is None else secure


def _set_browser_cookie(request: Request, svc: Services, response: Response, token: str) -> None:
    response.set_cookie(
        BROWSER_COOKIE,
        token,
        max_age=oidc_signin.FLOW_TTL_S,
        path=PREFIX,
        # Lax: sent on the provider's top-level redirect back to the callback, not on
        # cross-site subrequests.
        samesite="lax",
        secure=_secure(request, svc),
        httponly=True,
    )


def _to_app(query: str = "") -> RedirectResponse:
    response = RedirectResponse("/" + (f"?{query}" if query else ""), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(exc: TipchatError, where: str) -> RedirectResponse:
    log.warning("oidc %s refused: %s: %s", where, exc.code.value, exc.message)
    return _to_app(f"oidc_error={exc.code.value}")


@router.get("")
async def oidc_config(svc: ServicesDep) -> OidcConfigPublic:
    """Whether the sign-in screen offers a provider, and its name."""
    enabled = svc.oidc is not None
    return OidcConfigPublic(enabled=enabled, name=svc.settings.oidc_name if enabled else None)


@router.get("/start", status_code=303, response_class=RedirectResponse)
async def oidc_start(request: Request, svc: ServicesDep, ip: ClientIp) -> RedirectResponse:
    """Send the browser to the provider to sign in (or up)."""
    try:
        flow = await oidc_signin.do_oidc_start(
            svc,
            redirect_uri=_redirect_uri(request, svc),
            browser_token=request.cookies.get(BROWSER_COOKIE),
            ip=ip,
        )
    except TipchatError as exc:
        return _refused(exc, "start")
    response = RedirectResponse(flow.url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    _set_browser_cookie(request, svc, response, flow.browser_token)
    return response


@router.post(
    "/link",
    responses={404: {"description": "oidc_not_configured"}, 429: {"description": "rate_limited"}},
)
async def oidc_link(
    request: Request, response: Response, user: CurrentUser, svc: ServicesDep, ip: ClientIp
) -> OidcLinkStart:
    """Start linking a provider account to mine; navigate to `url`. Signing in with that
    provider account then reaches this account."""
    flow = await oidc_signin.do_oidc_start(
        svc,
        redirect_uri=_redirect_uri(request, svc),
        browser_token=request.cookies.get(BROWSER_COOKIE),
        ip=ip,
        link_user_id=user.user_id,
    )
    _set_browser_cookie(request, svc, response, flow.browser_token)
    return OidcLinkStart(url=flow.url)


@router.get("/callback", status_code=303, response_class=RedirectResponse)
async def oidc_callback(request: Request, svc: ServicesDep, ip: ClientIp) -> RedirectResponse:
    """Where the provider sends the browser back (`code` and `state`, or `error`)."""
    query = request.query_params
    try:
        outcome = await oidc_signin.do_oidc_callback(
            svc,
            state=query.get("state"),
            code=query.get("code"),
            error=query.get("error"),
            browser_token=request.cookies.get(BROWSER_COOKIE),
            redirect_uri=_redirect_uri(request, svc),
            ip=ip,
        )
    except TipchatError as exc:
        response = _refused(exc, "callback")
    else:
        if outcome.session is None:
            return _to_app("oidc_linked=1")
        response = _to_app()
        session_response(svc, request, response, outcome.session)
    # The browser cookie stays (it expires by itself): another tab may be signing in with it.
    return response
