"""Sign-up, sign-in, token refresh and sign-out. Sets session cookies for the web app and
returns tokens in the body for API clients."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response, status

from tipchat.api.deps import ClientIp, CurrentUser, ServicesDep, check_csrf, get_client_ip
from tipchat.api.schemas import Credentials, Me, RefreshRequest, SessionPublic, UserPublic
from tipchat.auth import accounts, tokens
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import users as user_store

router = APIRouter(prefix="/api", tags=["auth"])


def session_response(
    svc: Services, request: Request, response: Response, session: accounts.Session
) -> SessionPublic:
    secure = svc.settings.cookie_secure
    if secure is None:
        secure = request.url.scheme == "https"
    response.set_cookie(
        tokens.ACCESS_COOKIE,
        session.access_token,
        max_age=svc.settings.access_token_ttl_s,
        samesite="lax",
        path="/",
        secure=secure,
        httponly=True,
    )
    response.set_cookie(
        tokens.REFRESH_COOKIE,
        session.refresh_token,
        max_age=svc.settings.refresh_token_ttl_s,
        samesite="strict",
        path="/api/auth",
        secure=secure,
        httponly=True,
    )
    # Readable by the page (not httpOnly): it echoes it in X-CSRF-Token on writes.
    response.set_cookie(
        tokens.CSRF_COOKIE,
        secrets.token_urlsafe(24),
        max_age=svc.settings.refresh_token_ttl_s,
        samesite="lax",
        path="/",
        secure=secure,
        httponly=False,
    )
    return SessionPublic(
        access_token=session.access_token,
        expires_at=session.access_expires_at,
        refresh_token=session.refresh_token,
        user=UserPublic(id=session.user_id, username=session.username),
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(tokens.ACCESS_COOKIE, path="/")
    response.delete_cookie(tokens.REFRESH_COOKIE, path="/api/auth")
    response.delete_cookie(tokens.CSRF_COOKIE, path="/")


def _refresh_token_of(request: Request, body: RefreshRequest | None) -> str | None:
    if body is not None and body.refresh_token:
        return body.refresh_token
    cookie = request.cookies.get(tokens.REFRESH_COOKIE)
    if cookie:
        check_csrf(request)
    return cookie


@router.post("/auth/register", status_code=status.HTTP_201_CREATED)
async def register(
    body: Credentials, request: Request, response: Response, svc: ServicesDep, ip: ClientIp
) -> SessionPublic:
    session = await accounts.do_register(svc, username=body.username, password=body.password, ip=ip)
    return session_response(svc, request, response, session)


@router.post("/auth/login")
async def login(
    body: Credentials, request: Request, response: Response, svc: ServicesDep, ip: ClientIp
) -> SessionPublic:
    session = await accounts.do_login(svc, username=body.username, password=body.password, ip=ip)
    return session_response(svc, request, response, session)


@router.post("/auth/refresh")
async def refresh(
    request: Request, response: Response, svc: ServicesDep, body: RefreshRequest | None = None
) -> SessionPublic:
    token = _refresh_token_of(request, body)
    if not token:
        raise TipchatError(Code.refresh_token_invalid, "no refresh token")
    session = await accounts.do_refresh(svc, refresh_token=token, ip=get_client_ip(request))
    return session_response(svc, request, response, session)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request, response: Response, svc: ServicesDep, body: RefreshRequest | None = None
) -> None:
    token = _refresh_token_of(request, body)
    if token:
        await accounts.do_logout(svc, refresh_token=token)
    clear_session_cookies(response)


@router.get("/me", tags=["users"])
async def me(user: CurrentUser, svc: ServicesDep) -> Me:
    async with svc.db.acquire() as conn:
        row = await user_store.get_user(conn=conn, user_id=user.user_id)
        credentials = await user_store.get_credentials(conn=conn, user_id=user.user_id)
    if row is None:
        raise TipchatError(Code.invalid_token, "this account no longer exists")
    return Me(
        id=row["id"],
        username=row["username"],
        created_at=row["created_at"],
        has_password=credentials is not None,
    )
