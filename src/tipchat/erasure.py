"""Deleting an account, which touches every rule set, so it sits above them all.

What goes: the name (it becomes `deleted-<id>`, which no one can register), the password,
external identities, wallets, blocks, every session (signed out on every node at once) and
every room membership. Messages stay under the erased name, or are deleted one by one when
the user chooses `erase`; tips stay either way (they record payments the chain keeps). The
account row and its audit events remain, so what others saw still points somewhere.
"""

from __future__ import annotations

import logging
from typing import Literal

from tipchat.auth import accounts, passwords, sessions
from tipchat.chat import access, events
from tipchat.chat.messages import delete_in_locked_room
from tipchat.chat.rooms import Actor, depart_deleted_user
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import audit
from tipchat.storage import events as event_store
from tipchat.storage import messages as message_store
from tipchat.storage import rooms as room_store
from tipchat.storage import users as user_store

log = logging.getLogger(__name__)


def tombstone_name(user_id: int) -> str:
    return f"deleted-{user_id}"  # "-" is outside the username rule: it cannot be taken


async def do_delete_account(
    svc: Services,
    *,
    actor: Actor,
    password: str | None,
    confirm_username: str | None,
    messages: Literal["keep", "erase"],
) -> None:
    """Delete actor's account, proven by their password (or, for an account without one,
    by typing its name). One transaction: it all happens, or nothing does."""
    await accounts.rate_limit(
        svc, f"delete-account:user:{actor.user_id}", svc.settings.login_limit_per_username
    )
    published: list[events.Event] = []
    async with svc.db.acquire() as conn, conn.transaction():
        user = await user_store.lock_live_user(conn=conn, user_id=actor.user_id)
        if user is None:
            raise TipchatError(Code.session_revoked, "this account no longer exists")
        if user["password_hash"] is not None:
            if not password or not await passwords.verify_password(user["password_hash"], password):
                raise TipchatError(Code.wrong_password, "the password is wrong")
        elif (confirm_username or "").lower() != user["username"].lower():
            raise TipchatError(Code.confirmation_mismatch, "type your username to confirm")

        name = tombstone_name(actor.user_id)
        ref = {"id": actor.user_id, "username": name}
        member_of = set(await room_store.user_room_ids(conn=conn, user_id=actor.user_id))
        to_erase = (
            await message_store.live_seqs_of_sender(conn=conn, user_id=actor.user_id)
            if messages == "erase"
            else {}
        )
        # Rooms in id order, like every multi-room writer, so no two can deadlock. Locked
        # rooms also stop this user's other devices from sending until we commit.
        for room_id in sorted(member_of | to_erase.keys()):
            locked = await access.lock_room(conn, room_id)
            event_seq: int | None = locked["seq"]
            for seq in to_erase.get(room_id, []):
                if event_seq is None:
                    event_seq = (await access.lock_room(conn, room_id))["seq"]
                published.append(
                    await delete_in_locked_room(
                        conn, room_id=room_id, seq=seq, event_seq=event_seq, by=actor.user_id
                    )
                )
                event_seq = None
            if room_id in member_of:
                published += await depart_deleted_user(
                    conn,
                    locked=locked if event_seq is not None else None,
                    room_id=room_id,
                    user=ref,
                )

        unlinked = await user_store.erase_user(conn=conn, user_id=actor.user_id, tombstone=name)
        renamed = await event_store.rename_user_in_events(conn=conn, old=user["username"], new=name)
        revoked = await sessions.revoke_all(conn, user_id=actor.user_id)
        await audit.insert_event(
            conn=conn,
            event=audit.AuditEvent.account_deleted,
            user_id=actor.user_id,
            actor_id=actor.user_id,
            ip=actor.ip,
            details={
                "messages": messages,
                "messages_erased": sum(len(seqs) for seqs in to_erase.values()),
                "rooms_left": len(member_of),
                "wallets_unlinked": unlinked,
            },
        )
    log.info(
        "account %s deleted: %d rooms left, %d events renamed",
        actor.user_id,
        len(member_of),
        renamed,
    )
    await events.publish(svc, *published)
    await sessions.publish(svc, user_id=actor.user_id, families=revoked)
