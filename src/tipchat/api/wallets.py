"""Wallet linking with SIWE (EIP-4361): nonce, link, unlink, mine, a fellow member's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field

from tipchat.api.chains import ChainsDep
from tipchat.api.deps import CurrentUser, RoomIdPath, ServicesDep, UserIdPath
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.tips import siwe
from tipchat.tips import wallets as tip_wallets

router = APIRouter(prefix="/api", tags=["wallets"])


class SiweNonce(BaseModel):
    """What a client needs to build the EIP-4361 message for the wallet to sign."""

    nonce: str
    expires_at: datetime
    domain: str  # the message's first line: "<domain> wants you to sign in ..."
    uri: str  # the message's URI field
    version: str = "1"
    chain_ids: list[int]  # the message's Chain ID must be one of these


class WalletLink(BaseModel):
    message: str = Field(max_length=siwe.MAX_MESSAGE_CHARS)
    signature: str = Field(max_length=2 + 2 * tip_wallets.MAX_SIGNATURE_BYTES)


class WalletPublic(BaseModel):
    address: str  # EIP-55 checksummed
    chain_id: int  # the chain of the SIWE message that proved it
    linked_at: datetime


class WalletsPublic(BaseModel):
    wallets: list[WalletPublic]


class MemberWallet(BaseModel):
    address: str


class MemberWallets(BaseModel):
    """A fellow member's linked addresses (to tip them), newest first; nothing else."""

    user_id: int
    wallets: list[MemberWallet]


def expected_origin(request: Request, svc: Services, chain_ids: list[int]) -> siwe.Expected:
    """What SIWE messages must name: the configured public origin or, on a dev server
    without one, the request's own (see Settings.public_origin for why not in production)."""
    origin = svc.settings.public_origin
    if origin is not None:
        parts = urlsplit(origin)
        scheme, domain = parts.scheme, parts.netloc
    elif svc.settings.is_production:
        raise TipchatError(
            Code.siwe_origin_not_configured,
            "wallet linking needs TIPCHAT_PUBLIC_ORIGIN on this server",
        )
    else:
        scheme, domain = request.url.scheme, request.headers.get("host", "")
    return siwe.Expected(scheme=scheme, domain=domain, chain_ids=frozenset(chain_ids))


@router.get("/wallets/nonce", responses={429: {"description": "rate_limited"}})
async def siwe_nonce(
    request: Request, user: CurrentUser, svc: ServicesDep, chains: ChainsDep
) -> SiweNonce:
    """A single-use nonce (for a few minutes) to put in a SIWE message."""
    expected = expected_origin(request, svc, [c.chain_id for c in chains.chains])
    nonce, expires_at = await tip_wallets.issue_nonce(svc, user_id=user.user_id)
    return SiweNonce(
        nonce=nonce,
        expires_at=expires_at,
        domain=expected.domain,
        uri=expected.origin,
        chain_ids=sorted(expected.chain_ids),
    )


@router.post(
    "/wallets",
    status_code=status.HTTP_201_CREATED,
    responses={
        400: {"description": "siwe_* (the message or its signature did not pass)"},
        409: {"description": "wallet_linked_elsewhere"},
        429: {"description": "rate_limited"},
        503: {"description": "chain_unavailable (checking a contract wallet's signature)"},
    },
)
async def link_wallet(
    body: WalletLink, request: Request, user: CurrentUser, svc: ServicesDep, chains: ChainsDep
) -> WalletPublic:
    """Link the address that signed `message` (EIP-4361, with a nonce from /wallets/nonce)."""
    expected = expected_origin(request, svc, [c.chain_id for c in chains.chains])
    wallet = await tip_wallets.do_link_wallet(
        svc,
        chains,
        user_id=user.user_id,
        message=body.message,
        signature=body.signature,
        expected=expected,
        ip=user.ip,
    )
    return WalletPublic.model_validate(wallet)


@router.get("/wallets")
async def my_wallets(user: CurrentUser, svc: ServicesDep) -> WalletsPublic:
    from tipchat.storage import wallets as wallet_store

    async with svc.db.acquire() as conn:
        rows = await wallet_store.list_wallets(conn=conn, user_id=user.user_id)
    return WalletsPublic(wallets=[WalletPublic.model_validate(dict(r)) for r in rows])


@router.delete("/wallets/{address}", status_code=status.HTTP_204_NO_CONTENT)
async def unlink_wallet(
    address: Annotated[str, Path(max_length=64)], user: CurrentUser, svc: ServicesDep
) -> Response:
    await tip_wallets.do_unlink_wallet(svc, user_id=user.user_id, address=address, ip=user.ip)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/rooms/{room_id}/members/{user_id}/wallets")
async def member_wallets(
    room_id: RoomIdPath, user_id: UserIdPath, user: CurrentUser, svc: ServicesDep
) -> MemberWallets:
    """A fellow room member's linked addresses; only members of the room may ask."""
    rows = await tip_wallets.member_wallets(
        svc, viewer_id=user.user_id, room_id=room_id, user_id=user_id
    )
    return MemberWallets(
        user_id=user_id, wallets=[MemberWallet(address=r["address"]) for r in rows]
    )
