"""Who may see and change a room.

Private rooms and DMs are invisible to non-members: every path answers room_not_found (404),
exactly as for a room that does not exist. A public room's existence is public, so a
non-member is told not_a_member (403).
"""

from __future__ import annotations

import asyncpg

from tipchat.errors import Code, TipchatError
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


async def require_member_locked(
    conn: asyncpg.Connection, *, room_id: int, user_id: int, kind: str
) -> asyncpg.Record:
    """Membership check made after next_seq locked the room (kind comes from that row)."""
    membership = await room_store.get_membership(conn=conn, room_id=room_id, user_id=user_id)
    if membership is None:
        raise refuse_non_member(kind)
    return membership


def require_role(membership: asyncpg.Record, role: str, what: str) -> None:
    if ROLE_RANK[membership["role"]] < ROLE_RANK[role]:
        raise TipchatError(Code.forbidden, f"only a room {role} can {what}")
