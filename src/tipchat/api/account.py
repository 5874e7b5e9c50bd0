"""My account: change my password, read my security log, delete my account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tipchat import erasure
from tipchat.api.auth import clear_session_cookies
from tipchat.api.deps import MAX_ID, CurrentUser, ServicesDep
from tipchat.api.schemas import (
    AccountDeletion,
    AuditEventPublic,
    AuditEventsPublic,
    PasswordChange,
)
from tipchat.auth import accounts
from tipchat.storage import audit

router = APIRouter(prefix="/api/me", tags=["account"])

MAX_AUDIT_PAGE = 100


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(body: PasswordChange, user: CurrentUser, svc: ServicesDep) -> Response:
    """Change my password; every other session of mine is signed out, this one stays."""
    await accounts.do_change_password(
        svc,
        user_id=user.user_id,
        session_id=user.session_id,
        ip=user.ip,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/audit")
async def my_audit_log(
    user: CurrentUser,
    svc: ServicesDep,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 50,
) -> AuditEventsPublic:
    """Security events about my account, newest first: sign-ins (and failed ones), password
    changes, wallets linked and unlinked, roles given, removals and deletions by moderators."""
    async with svc.db.acquire() as conn:
        rows = await audit.list_events(
            conn=conn, user_id=user.user_id, before_id=before_id, limit=limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditEventsPublic(
        events=[AuditEventPublic.model_validate(dict(row)) for row in rows],
        next_before_id=rows[-1]["id"] if more else None,
    )


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_my_account(body: AccountDeletion, user: CurrentUser, svc: ServicesDep) -> Response:
    """Delete my account for good (see tipchat.erasure for what goes and what stays)."""
    await erasure.do_delete_account(
        svc,
        actor=user,
        password=body.password,
        confirm_username=body.confirm_username,
        messages=body.messages,
    )
    done = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(done)
    return done
