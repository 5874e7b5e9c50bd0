"""Who may see and change a room.

Private rooms and DMs are invisible to non-members: every path answers room_not_found (404),
exactly as for a room that does not exist. A public room's existence is public, so a
non-member is told not_a_member (403).
"""

from __future__ import annotations

import asyncpg

from tipchat.errors import Code, TipchatError
from tipchat.storage import events as event_store
from tipchat.storage import rooms as room_store

ROLE_RANK = {"member": 0, "admin": 1, "owner": 2}


def not_found() -> TipchatError:
    return TipchatError(Code.room_not_found, "no such room")


def refuse_non_member(kind: str) -> TipchatError:
    if kind == "public":
        return TipchatError(Code.not_a_member, "join this room first")
    return not_found()


async def require_member(
    conn: asyncpg.Connection, *, room_id: int, user_id: int
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """(room, membership), or the error a non-member gets."""
    room = await room_store.get_room(conn=conn, room_id=room_id)
    if room is None:
        raise not_found()
    membership = await room_store.get_membership(conn=conn, room_id=room_id, user_id=user_id)
    if membership is None:
        raise refuse_non_member(room["kind"])
    return room, membership


async def lock_room(conn: asyncpg.Connection, room_id: int) -> asyncpg.Record:
    """Take the room's next seq, locking the room until commit: (seq, now, kind).

    Every write to a room starts here, so writes to one room are serialized and a check
    made after this call still holds at commit."""
    locked = await event_store.next_seq(conn=conn, room_id=room_id)
    if locked is None:
        raise not_found()
    return locked


async def lock_room_as_member(
    conn: asyncpg.Connection, *, room_id: int, user_id: int
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """lock_room, then the membership check: (locked, membership) or the non-member's error."""
    locked = await lock_room(conn, room_id)
    membership = await room_store.get_membership(conn=conn, room_id=room_id, user_id=user_id)
    if membership is None:
        raise refuse_non_member(locked["kind"])
    return locked, membership


def require_role(membership: asyncpg.Record, role: str, what: str) -> None:
    if ROLE_RANK[membership["role"]] < ROLE_RANK[role]:
        raise TipchatError(Code.forbidden, f"only a room {role} can {what}")
