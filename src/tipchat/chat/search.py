"""Search: full-text over the rooms I am a member of now, newest first, paged by an opaque
cursor, with highlights as plain-text parts (never markup)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tipchat.chat import access, events
from tipchat.chat.rooms import Actor
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import search as search_store

MAX_QUERY = 200  # characters
MAX_PAGE = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Hit:
    message: dict[str, Any]
    # The best passage of the body as parts [{text, match}]: render each as text, emphasize
    # the matches.
    highlight: list[dict[str, Any]]


def encode_cursor(message: dict[str, Any]) -> str:
    """'<created_at in µs since the epoch>.<room_id>.<seq>' of the last hit of a page."""
    micros = (message["created_at"] - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{message['room_id']}.{message['seq']}"


def decode_cursor(cursor: str) -> tuple[datetime, int, int]:
    parts = cursor.split(".")
    if len(cursor) > 64 or len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise TipchatError(Code.cursor_invalid, "before must be a next_before from a search")
    micros, room_id, seq = (int(p) for p in parts)
    try:
        return _EPOCH + timedelta(microseconds=micros), room_id, seq
    except OverflowError:
        raise TipchatError(Code.cursor_invalid, "before is out of range") from None


def highlight_parts(headline: str) -> list[dict[str, Any]]:
    """Split ts_headline's marked passage into [{text, match}] parts."""
    parts: list[dict[str, Any]] = []
    headline = headline.replace(search_store.LT, "<")
    for i, chunk in enumerate(headline.split(search_store.START)):
        text, _, rest = chunk.partition(search_store.STOP) if i else ("", "", chunk)
        for piece, match in ((text, True), (rest, False)):
            if piece:
                parts.append({"text": piece, "match": match})
    return parts


async def search(
    svc: Services,
    *,
    actor: Actor,
    query: str,
    room_id: int | None,
    before: str | None,
    limit: int,
) -> tuple[list[Hit], str | None]:
    """A page of hits and the cursor of the next page (None: no more)."""
    query = query.strip()
    if not 1 <= len(query) <= MAX_QUERY:
        raise TipchatError(
            Code.search_query_invalid, f"a search is 1-{MAX_QUERY} characters of text"
        )
    if not 1 <= limit <= MAX_PAGE:
        raise TipchatError(Code.invalid_limit, f"limit must be between 1 and {MAX_PAGE}")
    after = decode_cursor(before) if before is not None else None
    retry_after = await svc.limiter.hit(
        f"search:user:{actor.user_id}", *svc.settings.search_limit_per_user
    )
    if retry_after is not None:
        raise TipchatError(
            Code.rate_limited, "too many searches; wait a moment", retry_after=round(retry_after, 3)
        )
    async with svc.db.acquire() as conn:
        if room_id is not None:
            await access.require_member(conn, room_id=room_id, user_id=actor.user_id)
        rows = await search_store.search_messages(
            conn=conn,
            user_id=actor.user_id,
            query=query,
            room_id=room_id,
            before=after,
            limit=limit + 1,
        )
    hits = [
        Hit(events.message_snapshot(row), highlight_parts(row["headline"])) for row in rows[:limit]
    ]
    more = len(rows) > limit
    return hits, encode_cursor(hits[-1].message) if more else None
