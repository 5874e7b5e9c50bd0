"""Register, log in, refresh (rotating, with reuse detection), log out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from tipchat.auth import passwords, sessions, tokens
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import audit
from tipchat.storage import tokens as token_store
from tipchat.storage import users as user_store
from tipchat.storage.audit import AuditEvent


@dataclass(frozen=True)
class Session:
    user_id: int
    username: str
    access_token: str
    access_expires_at: float
    refresh_token: str
    session_id: str


async def rate_limit(svc: Services, key: str, rule: tuple[int, int]) -> None:
    retry_after = await svc.limiter.hit(key, *rule)
    if retry_after is not None:
        raise TipchatError(
            Code.rate_limited,
            "too many attempts; try again later",
            retry_after=round(retry_after, 3),
        )


async def start_session(
    svc: Services,
    conn: asyncpg.Connection,
    *,
    user_id: int,
    username: str,
    family_id: uuid.UUID | None = None,
) -> Session:
    family = family_id or uuid.uuid4()
    refresh = tokens.new_refresh_token()
    await token_store.insert_refresh_token(
        conn=conn,
        token_hash=tokens.hash_refresh_token(refresh),
        family_id=family,
        user_id=user_id,
        expires_at=datetime.now(UTC) + timedelta(seconds=svc.settings.refresh_token_ttl_s),
    )
    access, expires_at = tokens.issue_access_token(
        secret=svc.settings.jwt_secret,
        user_id=user_id,
        username=username,
        session_id=str(family),
        ttl_s=svc.settings.access_token_ttl_s,
    )
    return Session(user_id, username, access, expires_at, refresh, str(family))


async def do_register(svc: Services, *, username: str, password: str, ip: str) -> Session:
    passwords.check_username(username)
    passwords.check_password(password, username=username)
    await rate_limit(svc, f"register:ip:{ip}", svc.settings.register_limit_per_ip)
    await rate_limit(
        svc, f"register:user:{username.lower()}", svc.settings.register_limit_per_username
    )
    password_hash = await passwords.hash_password(password)
    async with svc.db.acquire() as conn, conn.transaction():
        user_id = await user_store.insert_user(
            conn=conn, username=username, password_hash=password_hash
        )
        if user_id is None:
            raise TipchatError(Code.username_taken, "that username is taken")
        await audit.insert_event(
            conn=conn, event=AuditEvent.registered, user_id=user_id, actor_id=user_id, ip=ip
        )
        return await start_session(svc, conn, user_id=user_id, username=username)


async def do_login(svc: Services, *, username: str, password: str, ip: str) -> Session:
    await rate_limit(svc, f"login:ip:{ip}", svc.settings.login_limit_per_ip)
    await rate_limit(
        svc, f"login:user:{username.lower()[:64]}", svc.settings.login_limit_per_username
    )
    async with svc.db.acquire() as conn:
        row = await user_store.get_login(conn=conn, username=username)
        ok = await passwords.verify_password(row["password_hash"] if row else None, password)
        if row is None or not ok:
            # A failure on an unknown name is recorded under no account, and without the
            # name: people type their password into the name field.
            await audit.insert_event(
                conn=conn,
                event=AuditEvent.login_failed,
                user_id=row["id"] if row else None,
                actor_id=None,
                ip=ip,
            )
            raise TipchatError(Code.invalid_credentials, "wrong username or password")
        async with conn.transaction():
            await audit.insert_event(
                conn=conn,
                event=AuditEvent.login_succeeded,
                user_id=row["id"],
                actor_id=row["id"],
                ip=ip,
            )
            return await start_session(svc, conn, user_id=row["id"], username=row["username"])


async def do_refresh(svc: Services, *, refresh_token: str, ip: str | None = None) -> Session:
    """Spend a refresh token for a new pair. Spending one twice means it was stolen (or
    replayed): the whole family is revoked and every device of that sign-in must log in again."""
    token_hash = tokens.hash_refresh_token(refresh_token)
    async with svc.db.acquire() as conn:
        async with conn.transaction():
            row = await token_store.lock_refresh_token(conn=conn, token_hash=token_hash)
            if (
                row is None
                or row["revoked_at"] is not None
                or row["expires_at"] <= datetime.now(UTC)
            ):
                raise TipchatError(Code.refresh_token_invalid, "sign in again")
            reused = row["used_at"] is not None
            if reused:
                await token_store.revoke_family(conn=conn, family_id=row["family_id"])
                await audit.insert_event(
                    conn=conn,
                    event=AuditEvent.refresh_token_reused,
                    user_id=row["user_id"],
                    actor_id=None,
                    ip=ip,
                    details={"session_id": str(row["family_id"])},
                )
            else:
                await token_store.mark_used(conn=conn, token_hash=token_hash)
                user = await user_store.get_user(conn=conn, user_id=row["user_id"])
                assert user is not None  # tokens cascade with their user
                return await start_session(
                    svc,
                    conn,
                    user_id=user["id"],
                    username=user["username"],
                    family_id=row["family_id"],
                )
        # Outside the transaction, so the revocation above is committed before we refuse.
        await sessions.publish(svc, user_id=row["user_id"], families=[row["family_id"]])
        raise TipchatError(
            Code.refresh_token_reused, "this session was revoked because a refresh token was reused"
        )


async def do_logout(svc: Services, *, refresh_token: str) -> None:
    async with svc.db.acquire() as conn:
        family = await token_store.family_of(
            conn=conn, token_hash=tokens.hash_refresh_token(refresh_token)
        )
        if family is None:
            return
        await token_store.revoke_family(conn=conn, family_id=family["family_id"])
    await sessions.publish(svc, user_id=family["user_id"], families=[family["family_id"]])


async def do_change_password(
    svc: Services,
    *,
    user_id: int,
    session_id: str | None,
    ip: str | None,
    current_password: str,
    new_password: str,
) -> None:
    """Change my password; every other session of mine is signed out (the one that asked
    stays), since a password change is what people do when they fear someone else is in."""
    await rate_limit(svc, f"password:user:{user_id}", svc.settings.login_limit_per_username)
    async with svc.db.acquire() as conn:
        row = await user_store.get_credentials(conn=conn, user_id=user_id)
        if row is None:
            raise TipchatError(Code.wrong_password, "this account has no password to change")
        passwords.check_password(new_password, username=row["username"])
        if not await passwords.verify_password(row["password_hash"], current_password):
            raise TipchatError(Code.wrong_password, "the current password is wrong")
        new_hash = await passwords.hash_password(new_password)
        async with conn.transaction():
            await user_store.set_password_hash(conn=conn, user_id=user_id, password_hash=new_hash)
            revoked = await sessions.revoke_all(conn, user_id=user_id, keep=session_id)
            await audit.insert_event(
                conn=conn,
                event=AuditEvent.password_changed,
                user_id=user_id,
                actor_id=user_id,
                ip=ip,
                details={"sessions_revoked": len(revoked)},
            )
    await sessions.publish(svc, user_id=user_id, families=revoked)
