"""Full-text search over the rooms I am a member of."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tipchat.api.deps import MAX_ID, CurrentUser, ServicesDep
from tipchat.api.schemas import SearchHit, SearchPublic
from tipchat.chat import search as chat_search

router = APIRouter(prefix="/api", tags=["messages"])


@router.get("/search", responses={429: {"description": "rate_limited"}})
async def search(
    user: CurrentUser,
    svc: ServicesDep,
    q: Annotated[str, Query(max_length=1000)],
    room_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    before: Annotated[str | None, Query(max_length=100)] = None,
    limit: int = 20,
) -> SearchPublic:
    """Messages matching q (words, "a phrase", -excluded, or), newest first, in the rooms I
    am in now (or only room_id). limit 1-50; pass next_before as before for the next page.
    highlight is the best passage as plain-text parts, matches marked: render as text."""
    hits, next_before = await chat_search.search(
        svc, actor=user, query=q, room_id=room_id, before=before, limit=limit
    )
    return SearchPublic(
        results=[
            SearchHit.model_validate({"message": h.message, "highlight": h.highlight}) for h in hits
        ],
        next_before=next_before,
    )
