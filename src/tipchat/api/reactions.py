"""Reactions: PUT adds my reaction, DELETE removes it; both idempotent, both return the
message's snapshot with its reactions afterwards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from tipchat.api.deps import CurrentUser, RoomIdPath, SeqPath, ServicesDep
from tipchat.api.schemas import MessagePublic
from tipchat.chat import reactions as chat_reactions

router = APIRouter(prefix="/api/rooms/{room_id}/messages/{seq}/reactions", tags=["messages"])

# Checked precisely by the rules (one emoji); this only bounds what reaches them.
EmojiPath = Annotated[str, Path(min_length=1, max_length=64)]


@router.put("/{emoji}")
async def add_reaction(
    room_id: RoomIdPath, seq: SeqPath, emoji: EmojiPath, user: CurrentUser, svc: ServicesDep
) -> MessagePublic:
    """Add my reaction (the emoji percent-encoded in the path). A new reaction is a
    `message_updated` event; adding one I already have changes nothing."""
    snapshot = await chat_reactions.do_set_reaction(
        svc, actor=user, room_id=room_id, seq=seq, emoji=emoji, present=True
    )
    return MessagePublic.model_validate(snapshot)


@router.delete("/{emoji}")
async def remove_reaction(
    room_id: RoomIdPath, seq: SeqPath, emoji: EmojiPath, user: CurrentUser, svc: ServicesDep
) -> MessagePublic:
    """Remove my reaction; removing one I do not have changes nothing."""
    snapshot = await chat_reactions.do_set_reaction(
        svc, actor=user, room_id=room_id, seq=seq, emoji=emoji, present=False
    )
    return MessagePublic.model_validate(snapshot)
