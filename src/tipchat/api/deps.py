"""FastAPI dependencies as named aliases: ServicesDep, CurrentUser, ClientIp."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Path, Request

from tipchat.auth import sessions, tokens
from tipchat.chat.rooms import Actor
from tipchat.errors import Code, TipchatError
from tipchat.services import Services

UNSAFE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def check_csrf(request: Request) -> None:
    """Double-submit: a cookie-authenticated write must echo the CSRF cookie in a header,
    which a page on another origin cannot read."""
    cookie = request.cookies.get(tokens.CSRF_COOKIE, "")
    header = request.headers.get(tokens.CSRF_HEADER, "")
    if not cookie or not hmac.compare_digest(cookie, header):
        raise TipchatError(
            Code.csrf_failed,
            f"send the {tokens.CSRF_COOKIE} cookie's value in {tokens.CSRF_HEADER}",
        )


def get_current_user(request: Request, svc: Annotated[Services, Depends(get_services)]) -> Actor:
    """Bearer token (API clients) or the session cookie (the web app, with CSRF on writes)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise TipchatError(Code.invalid_token, "use Authorization: Bearer <access token>")
    else:
        token = request.cookies.get(tokens.ACCESS_COOKIE, "")
        if not token:
            raise TipchatError(Code.not_authenticated, "sign in first")
        if request.method in UNSAFE_METHODS:
            check_csrf(request)
    claims = sessions.decode_live(svc, token)
    request.state.session_id = claims.session_id
    return Actor(claims.user_id, claims.username, get_client_ip(request), claims.session_id)


def get_client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ServicesDep = Annotated[Services, Depends(get_services)]
CurrentUser = Annotated[Actor, Depends(get_current_user)]
ClientIp = Annotated[str, Depends(get_client_ip)]


# Ids are PostgreSQL bigints: larger numbers are refused as bad input (422), never sent on.
MAX_ID = 2**63 - 1
RoomIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
SeqPath = Annotated[int, Path(ge=1, le=MAX_ID)]
