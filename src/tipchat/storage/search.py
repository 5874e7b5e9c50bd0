"""Full-text search over message bodies (the GIN index messages_body_search of migration 0003).

The query must use the index's exact expression, to_tsvector('simple', body), to be served
by it. Deleted messages have a NULL body, so they never match.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from tipchat.storage.messages import MESSAGE_COLUMNS

# ts_headline marks matches with these; they are removed from the body first, so every one
# in the result is ours. The rules split the result into plain-text parts: no markup is ever
# produced, so a body cannot inject any.
START, STOP = "\x01", "\x02"
# ts_headline drops what its parser takes for HTML tags ("<b>"); '<' goes in as this and is
# put back afterwards (LT), so the passage shows the body's own characters.
LT = "\x03"
HEADLINE_OPTIONS = f'StartSel="{START}", StopSel="{STOP}", MinWords=15, MaxWords=35, ShortWord=2'


SEARCH_SQL = (
    f"SELECT {MESSAGE_COLUMNS},"
    " ts_headline('simple', translate(m.body, E'\\x01\\x02\\x03<', E'   \\x03'), q.q, $8)"
    "  AS headline"
    " FROM websearch_to_tsquery('simple', $2) AS q(q),"
    " messages m JOIN users u ON u.id = m.sender_id"
    " JOIN memberships me ON me.room_id = m.room_id AND me.user_id = $1"
    " WHERE to_tsvector('simple', m.body) @@ q.q AND m.deleted_at IS NULL"
    "   AND ($3::bigint IS NULL OR m.room_id = $3)"
    "   AND NOT EXISTS (SELECT 1 FROM blocks b"
    "                   WHERE b.user_id = $1 AND b.blocked_id = m.sender_id)"
    "   AND ($4::timestamptz IS NULL OR (m.created_at, m.room_id, m.seq) < ($4, $5, $6))"
    " ORDER BY m.created_at DESC, m.room_id DESC, m.seq DESC LIMIT $7"
)


async def search_messages(
    *,
    conn: asyncpg.Connection,
    user_id: int,
    query: str,
    room_id: int | None,
    before: tuple[datetime, int, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Messages matching query (websearch syntax: words, "phrases", -exclusions, or), newest
    first, in rooms user_id is a member of now (or just room_id), not deleted, not from users
    they block; before: (created_at, room_id, seq) of the last hit of the previous page.
    Each row has MESSAGE_COLUMNS and `headline`, the best passage with marked matches."""
    created_at, before_room, before_seq = before or (None, None, None)
    rows: list[asyncpg.Record] = await conn.fetch(
        SEARCH_SQL,
        user_id,
        query,
        room_id,
        created_at,
        before_room,
        before_seq,
        limit,
        HEADLINE_OPTIONS,
    )
    return rows
