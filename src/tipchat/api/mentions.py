"""My mentions: the messages that @mention me, in rooms I am in now, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tipchat.api.deps import MAX_ID, CurrentUser, ServicesDep
from tipchat.api.schemas import MentionPublic, MentionsPublic, MessagePublic
from tipchat.chat import mentions as chat_mentions
from tipchat.chat.events import message_snapshot

router = APIRouter(prefix="/api", tags=["messages"])


@router.get("/mentions")
async def my_mentions(
    user: CurrentUser,
    svc: ServicesDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: int = 50,
) -> MentionsPublic:
    """A page of my mentions (limit 1-100), newest first; `before`: the `id` of the oldest
    mention already shown. Deleted messages, rooms I left and users I block are left out."""
    page, more = await chat_mentions.get_mentions(svc, actor=user, before_id=before, limit=limit)
    return MentionsPublic(
        mentions=[
            MentionPublic(
                id=mention_id, message=MessagePublic.model_validate(message_snapshot(row))
            )
            for mention_id, row in page
        ],
        has_more=more,
    )
