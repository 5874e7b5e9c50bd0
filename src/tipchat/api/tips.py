"""Tips: intents, the sender's tx-hash hint, one tip, a room's tips."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, Field

from tipchat.api.chains import ChainsDep
from tipchat.api.deps import MAX_ID, CurrentUser, RoomIdPath, ServicesDep
from tipchat.api.schemas import Id, TipState
from tipchat.chat import access
from tipchat.storage import tips as tip_store
from tipchat.tips import intents
from tipchat.tips.calldata import Payment

router = APIRouter(prefix="/api", tags=["tips"])

TipIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


class TipCreate(BaseModel):
    room_id: Id
    to_user_id: Id
    chain_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    token: str = Field(max_length=64)  # the token's address; the zero address for native
    # Base units, as a decimal string (JavaScript numbers lose digits) or an integer.
    amount: str | int = Field(union_mode="left_to_right")
    # One of the recipient's linked wallets; default: the one they linked last.
    to_address: str | None = Field(default=None, max_length=64)


class ApproveCall(BaseModel):
    """ERC-20 only: the `approve(router, amount)` call to send before the tip."""

    to: str  # the token
    data: str
    spender: str  # the router


class PaymentCall(BaseModel):
    """The transaction the sender's wallet sends: to the router, with this data and value."""

    chain_id: int
    to: str
    data: str
    value: str  # wei, a decimal string ("0" for token tips)
    approve: ApproveCall | None


class TipPublic(BaseModel):
    tip: TipState
    room_id: int
    message_seq: int
    created_at: datetime
    expires_at: datetime  # with nothing seen on chain by then, the tip fails as expired
    # The sender's only: the router's `ref` argument, and the call to pay with.
    reference: str | None = None
    payment: PaymentCall | None = None


class TipsPublic(BaseModel):
    tips: list[TipPublic]


class TxHint(BaseModel):
    tx_hash: str = Field(max_length=100)


def _payment(chain_id: int, payment: Payment) -> PaymentCall:
    return PaymentCall(
        chain_id=chain_id,
        to=payment.to,
        data=payment.data,
        value=str(payment.value),
        approve=ApproveCall(**payment.approve) if payment.approve else None,
    )


def tip_public(tip: asyncpg.Record, viewer_id: int, chains: Any) -> TipPublic:
    view = TipPublic(
        tip=TipState.model_validate(tip["snapshot"]),
        room_id=tip["room_id"],
        message_seq=tip["seq"],
        created_at=tip["created_at"],
        expires_at=tip["expires_at"],
    )
    if tip["sender_id"] == viewer_id:
        view.reference = "0x" + bytes(tip["reference"]).hex()
        chain = chains.find(tip["chain_id"])
        if chain is not None and tip["status"] in ("pending", "dropped"):
            view.payment = _payment(chain.chain_id, intents.payment_of(tip, chain))
    return view


@router.post(
    "/tips",
    status_code=status.HTTP_201_CREATED,
    responses={
        400: {"description": "tip_to_self, tip_chain_unknown, tip_token_unknown, ..."},
        429: {"description": "rate_limited"},
    },
)
async def create_tip(
    body: TipCreate, user: CurrentUser, svc: ServicesDep, chains: ChainsDep
) -> TipPublic:
    """A tip intent: posted in the room as pending; pay with `payment` from a linked wallet."""
    intent = await intents.do_create_tip(
        svc,
        chains,
        actor=user,
        room_id=body.room_id,
        to_user_id=body.to_user_id,
        chain_id=body.chain_id,
        token=body.token,
        amount=intents.parse_amount(body.amount),
        to_address=body.to_address,
    )
    return tip_public(intent.tip, user.user_id, chains)


@router.post("/tips/{tip_id}/tx")
async def hint_tx(
    tip_id: TipIdPath,
    body: TxHint,
    request: Request,
    user: CurrentUser,
    svc: ServicesDep,
    chains: ChainsDep,
) -> TipPublic:
    """The sender tells which transaction paid (a hint: the chain decides)."""
    tip = await intents.do_hint_tx(svc, actor=user, tip_id=tip_id, tx_hash=body.tx_hash)
    watchers = getattr(request.app.state, "watchers", None)
    if watchers is not None:
        watchers.wake(tip["chain_id"])
    return tip_public(tip, user.user_id, chains)


@router.get("/tips/{tip_id}")
async def get_tip(
    tip_id: TipIdPath,
    user: CurrentUser,
    svc: ServicesDep,
    chains: ChainsDep,
) -> TipPublic:
    tip = await intents.visible_tip(svc, viewer_id=user.user_id, tip_id=tip_id)
    return tip_public(tip, user.user_id, chains)


@router.get("/rooms/{room_id}/tips")
async def room_tips(
    room_id: RoomIdPath,
    user: CurrentUser,
    svc: ServicesDep,
    chains: ChainsDep,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> TipsPublic:
    """The room's tips, newest first (page with before_id)."""
    async with svc.db.acquire() as conn:
        await access.require_member(conn, room_id=room_id, user_id=user.user_id)
        rows = await tip_store.room_tips(
            conn=conn, room_id=room_id, before_id=before_id, limit=limit
        )
    return TipsPublic(tips=[tip_public(r, user.user_id, chains) for r in rows])
