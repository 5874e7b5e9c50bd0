"""Rooms and membership: every change is a room event (`member`, `room_updated`).

Every write takes the room lock first (storage.events.next_seq), then checks and changes
memberships: two concurrent changes to one room are serialized, and an error raised inside the
transaction rolls the seq back with everything else.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import asyncpg

from tipchat.chat import access, events
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import audit
from tipchat.storage import rooms as room_store
from tipchat.storage import users as user_store

MAX_ROOM_NAME = 100
ROLES = ("owner", "admin", "member")


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    # Where the request came from and under which sign-in: for the audit log (storage.audit)
    # and for what a session may do to itself (a password change keeps its own session).
    ip: str | None = None
    session_id: str | None = None


def clean_room_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_ROOM_NAME or any(
        unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name
    ):
        raise TipchatError(
            Code.room_name_invalid,
            f"room names are 1-{MAX_ROOM_NAME} characters with no control characters",
        )
    return name


async def _member_event(
    conn: asyncpg.Connection,
    *,
    room_id: int,
    user: dict[str, Any],
    action: str,
    role: str | None,
    by: int,
    locked: asyncpg.Record | None = None,
) -> events.Event:
    """Append a `member` event: with the seq of `locked` (the next_seq call that locked the
    room for this change) or, for a further event in the same transaction, the next one."""
    if locked is None:
        locked = await access.lock_room(conn, room_id)
    return await events.append(
        conn,
        room_id=room_id,
        seq=locked["seq"],
        type="member",
        body={"user": user, "action": action, "role": role, "by": by, "at": locked["now"]},
        notify_user=user["id"],
    )


def _user_ref(user_id: int, username: str) -> dict[str, Any]:
    return {"id": user_id, "username": username}


async def do_create_room(svc: Services, *, actor: Actor, name: str, kind: str) -> int:
    name = clean_room_name(name)
    if kind not in ("public", "private"):
        raise TipchatError(Code.invalid_request, "kind must be public or private")
    async with svc.db.acquire() as conn, conn.transaction():
        room = await room_store.insert_room(
            conn=conn, kind=kind, name=name, created_by=actor.user_id
        )
        await room_store.insert_membership(
            conn=conn, room_id=room["id"], user_id=actor.user_id, role="owner"
        )
        event = await _member_event(
            conn,
            room_id=room["id"],
            user=_user_ref(actor.user_id, actor.username),
            action="joined",
            role="owner",
            by=actor.user_id,
        )
    await events.publish(svc, event)
    room_id: int = room["id"]
    return room_id


async def do_join_room(svc: Services, *, actor: Actor, room_id: int) -> None:
    """Join a public room; joining again changes nothing."""
    async with svc.db.acquire() as conn:
        room = await room_store.get_room(conn=conn, room_id=room_id)
        if room is None:
            raise access.not_found()
        if room["kind"] != "public":
            # Only invitations let people into private rooms and DMs; their members may
            # "join" again like anyone joining a room twice, outsiders learn nothing.
            if await room_store.get_membership(conn=conn, room_id=room_id, user_id=actor.user_id):
                return
            raise access.not_found()
        try:
            async with conn.transaction():
                locked = await access.lock_room(conn, room_id)  # lock first, like every change
                if not await room_store.insert_membership(
                    conn=conn, room_id=room_id, user_id=actor.user_id, role="member"
                ):
                    raise TipchatError(Code.already_member, "already a member")
                event = await _member_event(
                    conn,
                    locked=locked,
                    room_id=room_id,
                    user=_user_ref(actor.user_id, actor.username),
                    action="joined",
                    role="member",
                    by=actor.user_id,
                )
        except TipchatError as exc:
            if exc.code is Code.already_member:
                return
            raise
    await events.publish(svc, event)


async def do_add_member(svc: Services, *, actor: Actor, room_id: int, user_id: int) -> None:
    """Invite (add) a user; any member may add people to a public or private room."""
    async with svc.db.acquire() as conn, conn.transaction():
        locked, _ = await access.lock_room_as_member(conn, room_id=room_id, user_id=actor.user_id)
        if locked["kind"] == "dm":
            raise TipchatError(Code.forbidden, "a direct message has exactly two members")
        user = await user_store.get_live_user(conn=conn, user_id=user_id)
        if user is None:
            raise TipchatError(Code.user_not_found, "no such user")
        if not await room_store.insert_membership(
            conn=conn, room_id=room_id, user_id=user_id, role="member"
        ):
            raise TipchatError(Code.already_member, "already a member")
        event = await _member_event(
            conn,
            locked=locked,
            room_id=room_id,
            user=_user_ref(user["id"], user["username"]),
            action="added",
            role="member",
            by=actor.user_id,
        )
    await events.publish(svc, event)


async def do_remove_member(svc: Services, *, actor: Actor, room_id: int, user_id: int) -> None:
    """Leave (user_id is the actor) or remove someone: an owner removes anyone, an admin
    removes members. The owner hands ownership on before leaving a room others are in."""
    async with svc.db.acquire() as conn, conn.transaction():
        locked, mine = await access.lock_room_as_member(
            conn, room_id=room_id, user_id=actor.user_id
        )
        if locked["kind"] == "dm":
            raise TipchatError(Code.forbidden, "you cannot leave a direct message")
        leaving = user_id == actor.user_id
        if leaving:
            target = mine
            if (
                mine["role"] == "owner"
                and await room_store.count_members(conn=conn, room_id=room_id) > 1
            ):
                raise TipchatError(
                    Code.owner_cannot_leave, "make someone else owner before leaving"
                )
        else:
            found = await room_store.get_membership(conn=conn, room_id=room_id, user_id=user_id)
            if found is None:
                raise TipchatError(Code.user_not_found, "that user is not in this room")
            target = found
            if access.ROLE_RANK[mine["role"]] <= access.ROLE_RANK[target["role"]]:
                raise TipchatError(Code.forbidden, "you can only remove members below your role")
        user = await user_store.get_user(conn=conn, user_id=user_id)
        assert user is not None
        await room_store.delete_membership(conn=conn, room_id=room_id, user_id=user_id)
        if not leaving:
            await audit.insert_event(
                conn=conn,
                event=audit.AuditEvent.member_removed,
                user_id=user_id,
                actor_id=actor.user_id,
                ip=actor.ip,
                details={"room_id": room_id},
            )
        event = await _member_event(
            conn,
            locked=locked,
            room_id=room_id,
            user=_user_ref(user["id"], user["username"]),
            action="left" if leaving else "removed",
            role=None,
            by=actor.user_id,
        )
    await events.publish(svc, event)


async def do_set_role(
    svc: Services, *, actor: Actor, room_id: int, user_id: int, role: str
) -> None:
    """The owner makes members admins (or back); giving `owner` hands ownership over and
    makes the old owner an admin."""
    if role not in ROLES:
        raise TipchatError(Code.invalid_request, "role must be owner, admin or member")
    published = []
    async with svc.db.acquire() as conn, conn.transaction():
        locked, mine = await access.lock_room_as_member(
            conn, room_id=room_id, user_id=actor.user_id
        )
        access.require_role(mine, "owner", "change roles")
        if locked["kind"] == "dm" or user_id == actor.user_id:
            raise TipchatError(Code.forbidden, "that role cannot change")
        target = await room_store.get_membership(conn=conn, room_id=room_id, user_id=user_id)
        user = await user_store.get_user(conn=conn, user_id=user_id)
        if target is None or user is None:
            raise TipchatError(Code.user_not_found, "that user is not in this room")
        await room_store.set_role(conn=conn, room_id=room_id, user_id=user_id, role=role)
        await _audit_role(conn, actor, room_id=room_id, user_id=user_id, role=role)
        published.append(
            await _member_event(
                conn,
                locked=locked,
                room_id=room_id,
                user=_user_ref(user_id, user["username"]),
                action="role",
                role=role,
                by=actor.user_id,
            )
        )
        if role == "owner":
            await room_store.set_role(
                conn=conn, room_id=room_id, user_id=actor.user_id, role="admin"
            )
            await _audit_role(conn, actor, room_id=room_id, user_id=actor.user_id, role="admin")
            published.append(
                await _member_event(
                    conn,
                    room_id=room_id,
                    user=_user_ref(actor.user_id, actor.username),
                    action="role",
                    role="admin",
                    by=actor.user_id,
                )
            )
    await events.publish(svc, *published)


async def _audit_role(
    conn: asyncpg.Connection, actor: Actor, *, room_id: int, user_id: int, role: str
) -> None:
    await audit.insert_event(
        conn=conn,
        event=audit.AuditEvent.role_changed,
        user_id=user_id,
        actor_id=actor.user_id,
        ip=actor.ip,
        details={"room_id": room_id, "role": role},
    )


async def do_rename_room(svc: Services, *, actor: Actor, room_id: int, name: str) -> None:
    name = clean_room_name(name)
    async with svc.db.acquire() as conn, conn.transaction():
        locked, mine = await access.lock_room_as_member(
            conn, room_id=room_id, user_id=actor.user_id
        )
        if locked["kind"] == "dm":
            raise TipchatError(Code.forbidden, "a direct message has no name")
        access.require_role(mine, "admin", "rename it")
        await room_store.rename_room(conn=conn, room_id=room_id, name=name)
        event = await events.append(
            conn,
            room_id=room_id,
            seq=locked["seq"],
            type="room_updated",
            body={
                "room": {"id": room_id, "name": name, "kind": locked["kind"]},
                "by": actor.user_id,
            },
        )
    await events.publish(svc, event)


async def do_open_dm(svc: Services, *, actor: Actor, user_id: int) -> int:
    """The one DM room of the pair, created on first use."""
    if user_id == actor.user_id:
        raise TipchatError(Code.invalid_request, "a direct message needs another user")
    low, high = sorted((actor.user_id, user_id))
    dm_key = f"{low}:{high}"
    async with svc.db.acquire() as conn:
        existing = await room_store.get_dm_room_id(conn=conn, dm_key=dm_key)
        if existing is not None:
            return existing
        other = await user_store.get_live_user(conn=conn, user_id=user_id)
        if other is None:
            raise TipchatError(Code.user_not_found, "no such user")
        try:
            async with conn.transaction():
                room = await room_store.insert_room(
                    conn=conn, kind="dm", name=None, created_by=actor.user_id, dm_key=dm_key
                )
                published = []
                for uid, uname in ((actor.user_id, actor.username), (user_id, other["username"])):
                    await room_store.insert_membership(
                        conn=conn, room_id=room["id"], user_id=uid, role="member"
                    )
                    published.append(
                        await _member_event(
                            conn,
                            room_id=room["id"],
                            user=_user_ref(uid, uname),
                            action="joined",
                            role="member",
                            by=actor.user_id,
                        )
                    )
        except asyncpg.UniqueViolationError:
            # The other user opened it at the same moment: theirs is the one room.
            raced = await room_store.get_dm_room_id(conn=conn, dm_key=dm_key)
            assert raced is not None
            return raced
    await events.publish(svc, *published)
    room_id: int = room["id"]
    return room_id


async def depart_deleted_user(
    conn: asyncpg.Connection,
    *,
    locked: asyncpg.Record | None,
    room_id: int,
    user: dict[str, Any],
) -> list[events.Event]:
    """A deleted account leaves room_id (locked by this transaction; `locked` if its seq is
    not yet used):
    a `left` event under the erased name. An owner hands the room on first, to its senior
    admin or else its longest-standing member, so no room is left without an owner."""
    membership = await room_store.get_membership(conn=conn, room_id=room_id, user_id=user["id"])
    assert membership is not None
    unused: asyncpg.Record | None = locked
    handed_over = []
    if membership["role"] == "owner":
        heir = await room_store.successor(conn=conn, room_id=room_id, leaving_id=user["id"])
        if heir is not None:
            await room_store.set_role(
                conn=conn, room_id=room_id, user_id=heir["user_id"], role="owner"
            )
            handed_over.append(
                await _member_event(
                    conn,
                    locked=locked,
                    room_id=room_id,
                    user=_user_ref(heir["user_id"], heir["username"]),
                    action="role",
                    role="owner",
                    by=user["id"],
                )
            )
            unused = None  # its seq is taken; the next event takes another
    await room_store.delete_membership(conn=conn, room_id=room_id, user_id=user["id"])
    left = await _member_event(
        conn, locked=unused, room_id=room_id, user=user, action="left", role=None, by=user["id"]
    )
    return [*handed_over, left]
