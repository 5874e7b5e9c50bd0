"""Reactions: add or remove my emoji on a message, each change a `message_updated` event.

Both verbs are idempotent: adding a reaction I already have, or removing one I do not have,
changes nothing and creates no event (the room's seq is not taken).
"""

from __future__ import annotations

from typing import Any

import regex

from tipchat.chat import access, events
from tipchat.chat.messages import get_live_message
from tipchat.chat.rooms import Actor
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import messages as message_store
from tipchat.storage import reactions as reaction_store

# Distinct emojis one message may carry: bounds the snapshot every reaction change sends.
MAX_EMOJIS_PER_MESSAGE = 20
# Code points in one emoji: the longest RGI sequences (families, flags of regions with tag
# characters) have up to 10; anything longer is not one emoji.
MAX_EMOJI_CODE_POINTS = 16
_EMOJI_CHARS = regex.compile(r"[\p{Emoji}\p{Emoji_Component}]+")
_ONE_GRAPHEME = regex.compile(r"\X")
# What makes it an emoji rather than a lone component (a ZWJ, a skin tone, a tag).
_EMOJI_BASE = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")


def check_emoji(emoji: str) -> str:
    """One emoji: a single grapheme cluster of at most 16 code points, all of them emoji
    characters or emoji components (skin tones, ZWJ, VS16, keycaps, tags), with a pictograph,
    a flag or a keycap among them: not plain ASCII (digits, '#' and '*' have the Emoji
    property but are not reactions on their own), not a lone component."""
    if (
        not 1 <= len(emoji) <= MAX_EMOJI_CODE_POINTS
        or emoji.isascii()
        or not _ONE_GRAPHEME.fullmatch(emoji)
        or not _EMOJI_CHARS.fullmatch(emoji)
        or not _EMOJI_BASE.search(emoji)
    ):
        raise TipchatError(Code.emoji_invalid, "a reaction is one emoji")
    return emoji


class _Unchanged(Exception):
    """Nothing to write: leave the transaction, so the seq it took rolls back."""


async def do_set_reaction(
    svc: Services, *, actor: Actor, room_id: int, seq: int, emoji: str, present: bool
) -> dict[str, Any]:
    """Add (present) or remove my reaction; returns the message's snapshot afterwards."""
    check_emoji(emoji)
    try:
        async with svc.db.acquire() as conn, conn.transaction():
            locked, _ = await access.lock_room_as_member(
                conn, room_id=room_id, user_id=actor.user_id
            )
            await get_live_message(conn, room_id=room_id, seq=seq)
            where = {"conn": conn, "room_id": room_id, "seq": seq}
            if present:
                if (
                    not await reaction_store.has_emoji(**where, emoji=emoji)
                    and await reaction_store.count_emojis(**where) >= MAX_EMOJIS_PER_MESSAGE
                ):
                    raise TipchatError(
                        Code.too_many_reactions,
                        f"a message carries at most {MAX_EMOJIS_PER_MESSAGE} different emojis",
                    )
                changed = await reaction_store.add_reaction(
                    **where, user_id=actor.user_id, emoji=emoji
                )
            else:
                changed = await reaction_store.remove_reaction(
                    **where, user_id=actor.user_id, emoji=emoji
                )
            if not changed:
                raise _Unchanged
            row = await message_store.get_message(conn=conn, room_id=room_id, seq=seq)
            assert row is not None
            snapshot = events.message_snapshot(row)
            event = await events.append(
                conn,
                room_id=room_id,
                seq=locked["seq"],
                type="message_updated",
                body={"message": snapshot, "by": actor.user_id},
                target_seq=seq,
            )
    except _Unchanged:
        async with svc.db.acquire() as conn:
            row = await message_store.get_message(conn=conn, room_id=room_id, seq=seq)
        assert row is not None
        return events.message_snapshot(row)
    await events.publish(svc, event)
    return snapshot
