from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tipchat.errors import Code, TipchatError, storage_unavailable
from tipchat.ratelimit import retry_after_header
from tipchat.storage.database import is_connection_error

log = logging.getLogger(__name__)

_STATUS: dict[Code, int] = {
    Code.not_authenticated: 401,
    Code.invalid_token: 401,
    Code.token_expired: 401,
    Code.invalid_credentials: 401,
    Code.refresh_token_invalid: 401,
    Code.refresh_token_reused: 401,
    Code.session_revoked: 401,
    Code.wrong_password: 403,
    Code.csrf_failed: 403,
    Code.origin_not_allowed: 403,
    Code.forbidden: 403,
    Code.not_a_member: 403,
    Code.room_not_found: 404,
    Code.user_not_found: 404,
    Code.message_not_found: 404,
    Code.username_taken: 409,
    Code.client_msg_id_conflict: 409,
    Code.already_member: 409,
    Code.owner_cannot_leave: 409,
    Code.message_deleted: 409,
    Code.too_many_reactions: 409,
    Code.cannot_message_user: 403,
    Code.attachment_too_large: 413,
    Code.attachment_type_not_allowed: 415,
    Code.attachment_not_found: 404,
    Code.attachment_not_uploaded: 409,
    Code.attachment_rejected: 409,
    Code.body_too_large: 413,
    Code.rate_limited: 429,
    Code.internal_error: 500,
    Code.unavailable: 503,
    Code.no_dev_chain: 409,
    Code.chain_unavailable: 503,
    Code.siwe_origin_not_configured: 503,
    Code.wallet_linked_elsewhere: 409,
    Code.wallet_not_found: 404,
    Code.tip_not_found: 404,
    Code.tip_finished: 409,
    Code.oidc_not_configured: 404,
    Code.oidc_provider_unavailable: 503,
    Code.oidc_identity_taken: 409,
    Code.account_deleted: 403,
}


def status_of(code: Code) -> int:
    return _STATUS.get(code, 400)


def error_response(exc: TipchatError) -> JSONResponse:
    headers = {}
    if exc.code is Code.rate_limited and "retry_after" in exc.extra:
        headers["Retry-After"] = retry_after_header(float(str(exc.extra["retry_after"])))
    elif exc.code is Code.unavailable:
        headers["Retry-After"] = "1"
    return JSONResponse(exc.to_dict(), status_code=status_of(exc.code), headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(TipchatError)
    async def on_tipchat_error(request: Request, exc: TipchatError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'] if p != 'body') or 'body'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        code = (
            Code.invalid_json
            if any(e["type"] == "json_invalid" for e in exc.errors())
            else Code.invalid_request
        )
        return JSONResponse({"code": code.value, "message": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"code": code, "message": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_connection_error(exc):
            return error_response(storage_unavailable())  # 503 with Retry-After
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"code": Code.internal_error.value, "message": "internal error"}, status_code=500
        )
