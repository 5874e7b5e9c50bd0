"""@mentions: resolved by the server when a message is sent or edited, to the ids of room
members only. A name that is not a member of the room resolves to nothing and nothing is
said about it, so mentioning someone cannot tell the sender whether that person exists, nor
tell that person anything about the room.

Sends resolve mentions for a whole batch in one statement (chat/sending.py); edits resolve
their one message here.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import regex

from tipchat.chat.rooms import Actor
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import mentions as mention_store

# Names one message may mention: more is a mass ping, and the rest stay plain text.
MAX_MENTIONS = 20
MAX_PAGE = 100
# Usernames are 3-32 characters, a letter then letters, digits and '_' (auth.accounts). Not
# after a word character or '@' (an e-mail address, '@@name'), and the whole name only.
_MENTION = regex.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{2,31})(?![A-Za-z0-9_])")


def mentioned_names(body: str) -> list[str]:
    """The distinct names body @mentions, lowercased, in order, at most MAX_MENTIONS."""
    names: dict[str, None] = {}
    for match in _MENTION.finditer(body):
        names.setdefault(match.group(1).lower(), None)
        if len(names) == MAX_MENTIONS:
            break
    return list(names)


async def resolve_many(
    conn: asyncpg.Connection, sends: list[tuple[int, int, str]]
) -> list[list[int]]:
    """For each (room_id, sender_id, body): the ids of the room members it mentions. One
    statement for all of them, and none at all when no body names anyone."""
    rows: list[tuple[int, int, int, str]] = [
        (n, room_id, sender_id, name)
        for n, (room_id, sender_id, body) in enumerate(sends)
        for name in mentioned_names(body)
    ]
    if not rows:
        return [[] for _ in sends]
    found = await mention_store.resolve(
        conn=conn,
        sends=[r[0] for r in rows],
        room_ids=[r[1] for r in rows],
        sender_ids=[r[2] for r in rows],
        names=[r[3] for r in rows],
    )
    return [found.get(n, []) for n in range(len(sends))]


async def update_for_edit(
    conn: asyncpg.Connection, *, room_id: int, seq: int, sender_id: int, body: str
) -> None:
    """An edited message mentions whom its new body mentions (call before reading its
    snapshot, inside the edit's transaction)."""
    (user_ids,) = await resolve_many(conn, [(room_id, sender_id, body)])
    await mention_store.replace_for_message(conn=conn, room_id=room_id, seq=seq, user_ids=user_ids)


async def get_mentions(
    svc: Services, *, actor: Actor, before_id: int | None, limit: int
) -> tuple[list[tuple[int, asyncpg.Record]], bool]:
    """My mentions, newest first: (mention id, message row) and whether older ones exist."""
    if not 1 <= limit <= MAX_PAGE:
        raise TipchatError(Code.invalid_limit, f"limit must be between 1 and {MAX_PAGE}")
    async with svc.db.acquire() as conn:
        rows = await mention_store.list_for_user(
            conn=conn, user_id=actor.user_id, before_id=before_id, limit=limit + 1
        )
    page: list[Any] = rows[:limit]
    return [(row["mention_id"], row) for row in page], len(rows) > limit
