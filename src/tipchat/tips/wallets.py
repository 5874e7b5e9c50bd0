"""Linking wallets with SIWE (design §6.1): nonce, verify, link; unlink; who sees what.

The order of the checks matters: the message's own claims first (cheap, no state), then the
nonce is taken in a transaction of its own — from then on it is spent whatever follows, so a
signature can never be retried against it — then the signature: ecrecover for ordinary
accounts, else, on the message's chain (`contract_signatures`), EIP-1271 `isValidSignature`
for contract wallets and EIP-6492 for contract wallets not deployed yet (checked by a
side-effect-free eth_call that deploys them only in simulation).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.hexadecimal import decode_hex

from tipchat.chat import access
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import audit
from tipchat.storage import wallets as wallet_store
from tipchat.tips import contract_signatures, siwe
from tipchat.tips.rpc import ChainClient
from tipchat.tips.runtime import ChainRuntime

# Bounds all a client can make us send to the chain, an EIP-6492 signature's factory calldata
# included; real ones (a factory call with a few owners, a passkey signature) are under 2 KB.
MAX_SIGNATURE_BYTES = 4096


async def _limit(svc: Services, user_id: int) -> None:
    retry_after = await svc.limiter.hit(
        f"wallet:user:{user_id}", *svc.settings.wallet_limit_per_user
    )
    if retry_after is not None:
        raise TipchatError(
            Code.rate_limited,
            "too many wallet requests; try later",
            retry_after=round(retry_after, 3),
        )


async def issue_nonce(svc: Services, *, user_id: int) -> tuple[str, datetime]:
    """A fresh single-use nonce for this user, and when it expires."""
    await _limit(svc, user_id)
    nonce = secrets.token_hex(16)  # 128 bits, letters and digits as EIP-4361 wants
    async with svc.db.acquire() as conn:
        expires_at = await wallet_store.insert_nonce(
            conn=conn, user_id=user_id, nonce=nonce, ttl_s=svc.settings.siwe_nonce_ttl_s
        )
    return nonce, expires_at


def parse_signature(signature: str) -> bytes:
    try:
        raw = decode_hex(signature)
    except (ValueError, TypeError) as exc:
        raise TipchatError(Code.siwe_signature_invalid, "signature must be 0x-hex") from exc
    if not 0 < len(raw) <= MAX_SIGNATURE_BYTES:
        raise TipchatError(Code.siwe_signature_invalid, "signature has the wrong length")
    return raw


async def do_link_wallet(
    svc: Services,
    chains: ChainRuntime,
    *,
    user_id: int,
    message: str,
    signature: str,
    expected: siwe.Expected,
    ip: str | None = None,
) -> dict[str, Any]:
    """Verify a signed SIWE message and link its address to user_id; the wallet."""
    await _limit(svc, user_id)
    parsed = siwe.parse(message)
    raw_signature = parse_signature(signature)
    now = datetime.now(UTC)
    max_age = timedelta(seconds=svc.settings.siwe_nonce_ttl_s)
    siwe.check_claims(parsed, expected=expected, now=now, max_age=max_age)
    async with svc.db.acquire() as conn:
        nonce = await wallet_store.take_nonce(conn=conn, user_id=user_id, nonce=parsed.nonce)
    if nonce is None:
        raise TipchatError(
            Code.siwe_nonce_invalid, "unknown, used or expired nonce: ask for a new one"
        )
    # A message cannot predate the nonce it carries.
    if parsed.issued_at < nonce["created_at"] - siwe.CLOCK_SKEW:
        raise TipchatError(Code.siwe_issued_at_invalid, "Issued At is before the nonce was made")
    await _check_signature(chains, parsed, message, raw_signature)
    async with svc.db.acquire() as conn, conn.transaction():
        row = await wallet_store.insert_wallet(
            conn=conn, user_id=user_id, address=parsed.address, chain_id=parsed.chain_id
        )
        if row["user_id"] != user_id:
            raise TipchatError(
                Code.wallet_linked_elsewhere, "this address is linked to another account"
            )
        await audit.insert_event(
            conn=conn,
            event=audit.AuditEvent.wallet_linked,
            user_id=user_id,
            actor_id=user_id,
            ip=ip,
            details={"address": parsed.address, "chain_id": parsed.chain_id},
        )
    return dict(row)


async def _check_signature(
    chains: ChainRuntime, parsed: siwe.SiweMessage, message: str, signature: bytes
) -> None:
    if siwe.recover_signer(message, signature) == parsed.address:
        return
    wrapped = contract_signatures.unwrap_6492(signature)
    chain = chains.find(parsed.chain_id)
    if chain is None:  # check_claims allowed only configured chains
        raise TipchatError(Code.siwe_chain_not_allowed, "no such chain on this server")
    digest = siwe.message_hash(message)

    async def is_valid(client: ChainClient) -> bool:
        return await contract_signatures.is_valid(
            client, address=parsed.address, digest=digest, signature=signature, wrapped=wrapped
        )

    if not await chains.endpoints(chain).call(is_valid):
        raise TipchatError(
            Code.siwe_signature_invalid, "the signature is not this address's signature"
        )


async def do_unlink_wallet(
    svc: Services, *, user_id: int, address: str, ip: str | None = None
) -> None:
    """Unlink; tips already intended keep the address they snapshotted."""
    checksummed = checksum(address)
    async with svc.db.acquire() as conn, conn.transaction():
        if not await wallet_store.delete_wallet(conn=conn, user_id=user_id, address=checksummed):
            raise TipchatError(Code.wallet_not_found, "no such wallet linked to your account")
        await audit.insert_event(
            conn=conn,
            event=audit.AuditEvent.wallet_unlinked,
            user_id=user_id,
            actor_id=user_id,
            ip=ip,
            details={"address": checksummed},
        )


def checksum(address: str) -> str:
    from eth_utils.address import is_hex_address

    if not is_hex_address(address):
        raise TipchatError(Code.invalid_address, "address must be 0x and 40 hex digits")
    return str(to_checksum_address(address))


async def member_wallets(
    svc: Services, *, viewer_id: int, room_id: int, user_id: int
) -> list[dict[str, Any]]:
    """user_id's linked addresses, for a fellow member of room_id (to tip them); a
    non-member of the room gets the room's usual refusal, a non-member target user_not_found."""
    from tipchat.storage import rooms as room_store

    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=viewer_id)
        if await room_store.get_membership(conn=conn, room_id=room_id, user_id=user_id) is None:
            raise TipchatError(Code.user_not_found, "no such member in this room")
        rows = await wallet_store.list_wallets(conn=conn, user_id=user_id)
    return [dict(r) for r in rows]
