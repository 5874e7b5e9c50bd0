"""Rooms and memberships."""

from __future__ import annotations

import asyncpg

ROOM_COLUMNS = "r.id, r.kind, r.name, r.created_by, r.created_at, r.last_seq, r.last_event_at"


async def insert_room(
    *,
    conn: asyncpg.Connection,
    kind: str,
    name: str | None,
    created_by: int,
    dm_key: str | None = None,
) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        "INSERT INTO rooms AS r (kind, name, created_by, dm_key) VALUES ($1, $2, $3, $4)"
        f" RETURNING {ROOM_COLUMNS}",
        kind,
        name,
        created_by,
        dm_key,
    )
    return row


async def get_room(*, conn: asyncpg.Connection, room_id: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {ROOM_COLUMNS} FROM rooms r WHERE r.id = $1", room_id
    )
    return row


async def get_dm_room_id(*, conn: asyncpg.Connection, dm_key: str) -> int | None:
    room_id: int | None = await conn.fetchval("SELECT id FROM rooms WHERE dm_key = $1", dm_key)
    return room_id


async def rename_room(*, conn: asyncpg.Connection, room_id: int, name: str) -> None:
    await conn.execute("UPDATE rooms SET name = $2 WHERE id = $1", room_id, name)


async def get_membership(
    *, conn: asyncpg.Connection, room_id: int, user_id: int
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT room_id, user_id, role, joined_at, last_read_seq FROM memberships"
        " WHERE room_id = $1 AND user_id = $2",
        room_id,
        user_id,
    )
    return row


async def insert_membership(
    *, conn: asyncpg.Connection, room_id: int, user_id: int, role: str
) -> bool:
    """False when the user is already a member."""
    status: str = await conn.execute(
        "INSERT INTO memberships (room_id, user_id, role) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        room_id,
        user_id,
        role,
    )
    return status.endswith(" 1")


async def delete_membership(*, conn: asyncpg.Connection, room_id: int, user_id: int) -> bool:
    status: str = await conn.execute(
        "DELETE FROM memberships WHERE room_id = $1 AND user_id = $2", room_id, user_id
    )
    return status.endswith(" 1")


async def set_role(*, conn: asyncpg.Connection, room_id: int, user_id: int, role: str) -> None:
    await conn.execute(
        "UPDATE memberships SET role = $3 WHERE room_id = $1 AND user_id = $2",
        room_id,
        user_id,
        role,
    )


async def advance_read_marker(
    *, conn: asyncpg.Connection, room_id: int, user_id: int, seq: int
) -> int:
    """Move last_read_seq forward (never back); return the marker now stored."""
    marker: int = await conn.fetchval(
        "UPDATE memberships SET last_read_seq = greatest(last_read_seq, $3)"
        " WHERE room_id = $1 AND user_id = $2 RETURNING last_read_seq",
        room_id,
        user_id,
        seq,
    )
    return marker


async def list_user_rooms(
    *, conn: asyncpg.Connection, user_id: int, room_id: int | None = None
) -> list[asyncpg.Record]:
    """My rooms (or just room_id), most recently active first, with my role, read marker and
    unread message count (not counting people I block); dm_peer is the other member of a DM."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {ROOM_COLUMNS}, m.role, m.last_read_seq,
               (SELECT count(*) FROM messages msg
                 WHERE msg.room_id = r.id AND msg.seq > m.last_read_seq
                   AND msg.sender_id <> $1 AND msg.deleted_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM blocks b
                                   WHERE b.user_id = $1 AND b.blocked_id = msg.sender_id)
               ) AS unread_count,
               (SELECT u.username FROM memberships o JOIN users u ON u.id = o.user_id
                 WHERE r.kind = 'dm' AND o.room_id = r.id AND o.user_id <> $1) AS dm_peer
        FROM memberships m JOIN rooms r ON r.id = m.room_id
        WHERE m.user_id = $1 AND ($2::bigint IS NULL OR r.id = $2)
        ORDER BY r.last_event_at DESC, r.id DESC
        """,
        user_id,
        room_id,
    )
    return rows


async def list_members(*, conn: asyncpg.Connection, room_id: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT u.id, u.username, m.role, m.joined_at, m.last_read_seq"
        " FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.room_id = $1"
        " ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END,"
        " lower(u.username)",
        room_id,
    )
    return rows


async def count_members(*, conn: asyncpg.Connection, room_id: int) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM memberships WHERE room_id = $1", room_id)
    return count


async def list_public_rooms(
    *, conn: asyncpg.Connection, query: str, limit: int, user_id: int
) -> list[asyncpg.Record]:
    pattern = (
        "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    )
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {ROOM_COLUMNS},
               (SELECT count(*) FROM memberships c WHERE c.room_id = r.id) AS member_count,
               EXISTS (SELECT 1 FROM memberships me WHERE me.room_id = r.id AND me.user_id = $3)
                 AS is_member
        FROM rooms r WHERE r.kind = 'public' AND lower(r.name) LIKE $1
        ORDER BY r.last_event_at DESC, r.id DESC LIMIT $2
        """,
        pattern,
        limit,
        user_id,
    )
    return rows


async def user_room_ids(*, conn: asyncpg.Connection, user_id: int) -> list[int]:
    rows = await conn.fetch("SELECT room_id FROM memberships WHERE user_id = $1", user_id)
    return [row["room_id"] for row in rows]


async def successor(
    *, conn: asyncpg.Connection, room_id: int, leaving_id: int
) -> asyncpg.Record | None:
    """Who takes a room over when its owner's account is deleted: the longest-standing
    admin, else the longest-standing member; None when nobody else is in it."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT m.user_id, u.username FROM memberships m JOIN users u ON u.id = m.user_id"
        " WHERE m.room_id = $1 AND m.user_id <> $2"
        " ORDER BY CASE m.role WHEN 'admin' THEN 0 ELSE 1 END, m.joined_at, m.user_id LIMIT 1",
        room_id,
        leaving_id,
    )
    return row
