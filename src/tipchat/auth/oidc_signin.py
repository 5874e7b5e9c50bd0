"""OIDC sign-in, the account side: start a flow, then at the callback sign in, link or create.

An identity is (issuer, subject), the provider's stable id for a person. A first sign-in
creates a NEW account: never one found by a matching username or email, which anyone can
choose at some providers (that would hand them the account). To sign in to an existing
account with a provider, its owner links the identity while signed in.

A flow is bound to the browser that started it (login CSRF): the browser holds a random
cookie whose hash is stored with the flow, and the callback must present it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from tipchat.auth import passwords
from tipchat.auth.accounts import Session, rate_limit, start_session
from tipchat.auth.id_token import Identity
from tipchat.auth.oidc import OidcClient
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import identities as identity_store
from tipchat.storage import users as user_store
from tipchat.storage.audit import AuditEvent, insert_event

log = logging.getLogger(__name__)

# Time between leaving for the provider and coming back: enough to type a password and pass
# MFA, short enough that a leaked state is soon worthless.
FLOW_TTL_S = 600
# Bounds on what the callback's query may carry (providers' codes are well under 2 KiB).
MAX_STATE = 128
MAX_CODE = 4096
_BROWSER_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class FlowStart:
    url: str  # the provider's authorization endpoint, with our request
    browser_token: str  # for the browser's cookie


@dataclass(frozen=True)
class CallbackOutcome:
    session: Session | None  # signed in (or signed up); None after linking
    linked: bool


def _client(svc: Services) -> OidcClient:
    if svc.oidc is None:
        raise TipchatError(Code.oidc_not_configured, "sign-in with a provider is not set up here")
    return svc.oidc


def _browser_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def do_oidc_start(
    svc: Services,
    *,
    redirect_uri: str,
    browser_token: str | None,
    ip: str,
    link_user_id: int | None = None,
) -> FlowStart:
    """Record a flow and build the provider URL. A browser keeps its token across flows, so
    two tabs signing in at once both finish."""
    client = _client(svc)
    await rate_limit(svc, f"oidc:ip:{ip}", svc.settings.oidc_limit_per_ip)
    if browser_token is None or not _BROWSER_TOKEN.fullmatch(browser_token):
        browser_token = secrets.token_urlsafe(32)
    request = await client.authorization_request(redirect_uri=redirect_uri)
    async with svc.db.acquire() as conn:
        await identity_store.delete_expired_flows(conn=conn)
        if link_user_id is not None:
            await _account_usable(conn, link_user_id)
        await identity_store.insert_flow(
            conn=conn,
            state=request.state,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            browser_hash=_browser_hash(browser_token),
            link_user_id=link_user_id,
            expires_at=datetime.now(UTC) + timedelta(seconds=FLOW_TTL_S),
        )
    return FlowStart(url=request.url, browser_token=browser_token)


async def do_oidc_callback(
    svc: Services,
    *,
    state: str | None,
    code: str | None,
    error: str | None,
    browser_token: str | None,
    redirect_uri: str,
    ip: str,
) -> CallbackOutcome:
    """Finish a flow. Every refusal is a TipchatError with an oidc_* code; nothing is written
    then, except that the flow is spent."""
    client = _client(svc)
    if error is not None and not state:
        # Some providers leave the state out of error answers; nothing would be done anyway.
        raise _provider_error(error)
    if not state or len(state) > MAX_STATE:
        raise TipchatError(Code.oidc_state_invalid, "the sign-in has no valid state")
    async with svc.db.acquire() as conn:
        flow = await identity_store.take_flow(conn=conn, state=state)
    if flow is None:
        raise TipchatError(Code.oidc_state_invalid, "unknown or already used sign-in state")
    if flow["expires_at"] <= datetime.now(UTC):
        raise TipchatError(Code.oidc_state_invalid, "the sign-in took too long; start again")
    if not browser_token or not hmac.compare_digest(
        _browser_hash(browser_token), bytes(flow["browser_hash"])
    ):
        raise TipchatError(
            Code.oidc_browser_mismatch, "the sign-in was finished in another browser"
        )
    if error is not None:
        raise _provider_error(error)
    if not code or len(code) > MAX_CODE:
        raise TipchatError(Code.oidc_provider_error, "the provider sent no code")

    token = await client.exchange_code(
        code=code, redirect_uri=redirect_uri, code_verifier=flow["code_verifier"]
    )
    identity = await client.verify_id_token(token, nonce=flow["nonce"])

    async with svc.db.acquire() as conn, conn.transaction():
        await identity_store.lock_identity(
            conn=conn, issuer=identity.issuer, subject=identity.subject
        )
        if flow["link_user_id"] is not None:
            await _link(conn, identity, user_id=flow["link_user_id"], ip=ip)
            return CallbackOutcome(session=None, linked=True)
        known = await identity_store.get_identity(
            conn=conn, issuer=identity.issuer, subject=identity.subject
        )
        if known is not None:
            if known["deleted_at"] is not None:
                raise TipchatError(Code.account_deleted, "this account was deleted")
            user_id, username = known["user_id"], known["username"]
            await identity_store.touch_identity(
                conn=conn, issuer=identity.issuer, subject=identity.subject, email=identity.email
            )
        else:
            user_id, username = await _create_account(conn, identity, ip=ip)
        await insert_event(
            conn=conn,
            event=AuditEvent.oidc_login_succeeded,
            user_id=user_id,
            actor_id=user_id,
            ip=ip,
            details={"issuer": identity.issuer},
        )
        session = await start_session(svc, conn, user_id=user_id, username=username)
    return CallbackOutcome(session=session, linked=False)


def _provider_error(error: str) -> TipchatError:
    code = Code.oidc_denied if error == "access_denied" else Code.oidc_provider_error
    return TipchatError(code, f"the provider answered {error[:64]!r}")


async def _account_usable(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record:
    account = await identity_store.get_account(conn=conn, user_id=user_id)
    if account is None or account["deleted_at"] is not None:
        raise TipchatError(Code.account_deleted, "this account was deleted")
    return account


async def _link(conn: asyncpg.Connection, identity: Identity, *, user_id: int, ip: str) -> None:
    await _account_usable(conn, user_id)
    known = await identity_store.get_identity(
        conn=conn, issuer=identity.issuer, subject=identity.subject
    )
    if known is not None and known["user_id"] != user_id:
        raise TipchatError(
            Code.oidc_identity_taken, "this provider account already signs in to another account"
        )
    if known is not None:  # linked already: nothing to do
        await identity_store.touch_identity(
            conn=conn, issuer=identity.issuer, subject=identity.subject, email=identity.email
        )
        return
    await _add_identity(
        conn, identity, user_id=user_id, ip=ip, event=AuditEvent.oidc_identity_linked
    )


async def _create_account(
    conn: asyncpg.Connection, identity: Identity, *, ip: str
) -> tuple[int, str]:
    """A new account with no password, named after the identity; a taken name gets a number."""
    for username in username_candidates(identity):
        user_id = await user_store.insert_user(conn=conn, username=username, password_hash=None)
        if user_id is not None:
            break
    else:  # pragma: no cover - the last candidates are random
        raise TipchatError(Code.username_taken, "no free username; try again")
    await _add_identity(
        conn, identity, user_id=user_id, ip=ip, event=AuditEvent.registered, via="oidc"
    )
    return user_id, username


async def _add_identity(
    conn: asyncpg.Connection,
    identity: Identity,
    *,
    user_id: int,
    ip: str,
    event: AuditEvent,
    **details: str,
) -> None:
    """The identity now signs in to user_id; the audit log says so, with the issuer (never the
    subject or email: the log outlives erasure)."""
    await identity_store.insert_identity(
        conn=conn,
        issuer=identity.issuer,
        subject=identity.subject,
        user_id=user_id,
        email=identity.email,
    )
    await insert_event(
        conn=conn,
        event=event,
        user_id=user_id,
        actor_id=user_id,
        ip=ip,
        details={**details, "issuer": identity.issuer},
    )


def username_base(identity: Identity) -> str:
    """A valid username (passwords.USERNAME_RE) from preferred_username, else the email's
    local part, else "user"."""
    for raw in (identity.preferred_username, identity.email):
        if not raw:
            continue
        local = raw.split("@", 1)[0]
        ascii_ = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
        name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_)
        name = re.sub(r"^[^A-Za-z]+", "", name).rstrip("_")[:32]
        if passwords.USERNAME_RE.fullmatch(name):
            return name
    return "user"


def username_candidates(identity: Identity) -> list[str]:
    """The base, then base2 ... base20, then a few random numbers (never an unbounded loop)."""
    base = username_base(identity)
    suffixes = [str(n) for n in range(2, 21)] + [str(secrets.randbelow(10**6)) for _ in range(5)]
    return [base] + [base[: 32 - len(s)] + s for s in suffixes]
