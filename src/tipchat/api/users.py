from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tipchat.api.deps import CurrentUser, ServicesDep
from tipchat.api.schemas import UserPublic, UsersPublic
from tipchat.storage import users as user_store

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/users")
async def search_users(
    user: CurrentUser,
    svc: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=32)],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> UsersPublic:
    """Users whose name starts with q, to start a DM or invite someone."""
    async with svc.db.acquire() as conn:
        rows = await user_store.search_users(
            conn=conn, prefix=q, limit=limit, exclude_id=user.user_id
        )
    return UsersPublic(users=[UserPublic(id=r["id"], username=r["username"]) for r in rows])
