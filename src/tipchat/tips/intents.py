"""Tip intents (design §6.2): the sender asks, the server records a pending tip with a random
reference and the recipient's address, and posts it in the room as a `tip` message.

A room write like any other: the room lock first (chat.access), so membership checks hold
until commit; the tip, its message and the message event commit together, then publish.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from tipchat.chat import access, events
from tipchat.chat.rooms import Actor
from tipchat.config import ChainConfig, TokenConfig
from tipchat.errors import Code, TipchatError
from tipchat.services import Services
from tipchat.storage import rooms as room_store
from tipchat.storage import tips as tip_store
from tipchat.storage import users as user_store
from tipchat.storage import wallets as wallet_store
from tipchat.tips.calldata import Payment, payment
from tipchat.tips.runtime import ChainRuntime
from tipchat.tips.wallets import checksum

# Above 10**12 whole tokens a tip is a mistake (or an attack on someone's display); the
# router would take it, so the server refuses it before anyone signs anything.
MAX_WHOLE_TOKENS = 10**12
UINT256_MAX = 2**256 - 1


@dataclass(frozen=True)
class Intent:
    tip: asyncpg.Record
    chain: ChainConfig
    payment: Payment


def find_token(chain: ChainConfig, token: str) -> TokenConfig:
    address = checksum(token)
    found = next((t for t in chain.tokens if t.address == address), None)
    if found is None:
        raise TipchatError(
            Code.tip_token_unknown, f"{address} is not a token tips may use on {chain.name}"
        )
    return found


def parse_amount(amount: str | int) -> int:
    """Base units: an integer, or its decimal digits (78 hold any uint256)."""
    if isinstance(amount, int):
        return amount
    if not (amount.isascii() and amount.isdigit() and len(amount) <= 78):
        raise TipchatError(
            Code.tip_amount_invalid, "amount is a whole number of base units (wei, 10^-decimals)"
        )
    return int(amount)


def check_amount(amount: int, token: TokenConfig) -> int:
    if not 0 < amount <= min(UINT256_MAX, MAX_WHOLE_TOKENS * 10**token.decimals):
        raise TipchatError(
            Code.tip_amount_invalid,
            f"amount is in base units: more than 0 and at most {MAX_WHOLE_TOKENS} {token.symbol}",
        )
    return amount


def describe(amount: int, token: TokenConfig, recipient: str) -> str:
    """The message body: readable by clients that know nothing of tips."""
    whole = format(Decimal(amount).scaleb(-token.decimals).normalize(), "f")
    return f"tipped @{recipient} {whole} {token.symbol}"


async def _limit(svc: Services, user_id: int) -> None:
    retry_after = await svc.limiter.hit(f"tip:user:{user_id}", *svc.settings.tip_limit_per_user)
    if retry_after is not None:
        raise TipchatError(
            Code.rate_limited, "too many tips; try again later", retry_after=round(retry_after, 3)
        )


async def _recipient_address(conn: asyncpg.Connection, *, user_id: int, chosen: str | None) -> str:
    wallets = [w["address"] for w in await wallet_store.list_wallets(conn=conn, user_id=user_id)]
    if not wallets:
        raise TipchatError(
            Code.recipient_has_no_wallet, "this member has not linked a wallet to be tipped at"
        )
    if chosen is None:
        return str(wallets[0])  # the most recently linked
    if checksum(chosen) not in wallets:
        raise TipchatError(
            Code.recipient_has_no_wallet, "that address is not one of this member's wallets"
        )
    return checksum(chosen)


async def do_create_tip(
    svc: Services,
    chains: ChainRuntime,
    *,
    actor: Actor,
    room_id: int,
    to_user_id: int,
    chain_id: int,
    token: str,
    amount: int,
    to_address: str | None = None,
) -> Intent:
    chain = chains.find(chain_id)
    if chain is None:
        raise TipchatError(Code.tip_chain_unknown, f"tips cannot use chain {chain_id} here")
    token_config = find_token(chain, token)
    check_amount(amount, token_config)
    if to_user_id == actor.user_id:
        raise TipchatError(Code.tip_to_self, "you cannot tip yourself")
    await _limit(svc, actor.user_id)
    reference = secrets.token_bytes(32)
    async with svc.db.acquire() as conn, conn.transaction():
        locked, _ = await access.lock_room_as_member(conn, room_id=room_id, user_id=actor.user_id)
        if not await room_store.get_membership(conn=conn, room_id=room_id, user_id=to_user_id):
            raise TipchatError(Code.recipient_not_member, "you can tip members of this room only")
        if not await wallet_store.list_wallets(conn=conn, user_id=actor.user_id):
            # The watcher counts a payment only from the tipper's own linked wallet.
            raise TipchatError(Code.sender_has_no_wallet, "link the wallet you will pay from first")
        address = await _recipient_address(conn, user_id=to_user_id, chosen=to_address)
        recipient = await user_store.get_user(conn=conn, user_id=to_user_id)
        assert recipient is not None  # a member
        tip = await tip_store.insert_tip(
            conn=conn,
            reference=reference,
            chain_id=chain_id,
            room_id=room_id,
            seq=locked["seq"],
            sender_id=actor.user_id,
            recipient_id=to_user_id,
            recipient_address=address,
            token=token_config.address,
            amount=amount,
            ttl_s=svc.settings.tip_intent_ttl_s,
        )
        body = describe(amount, token_config, recipient["username"])
        event = await events.append(
            conn,
            room_id=room_id,
            seq=locked["seq"],
            type="message",
            body={"message": _message(actor, tip, body, locked["now"])},
        )
        await tip_store.insert_tip_message(
            conn=conn,
            room_id=room_id,
            seq=locked["seq"],
            sender_id=actor.user_id,
            client_msg_id=f"tip:{tip['id']}",
            body=body,
            created_at=locked["now"],
        )
    await events.publish(svc, event)
    return Intent(tip=tip, chain=chain, payment=payment_of(tip, chain))


def _message(actor: Actor, tip: asyncpg.Record, body: str, now: Any) -> dict[str, Any]:
    """The tip message as events.message_snapshot shows it."""
    return {
        "room_id": tip["room_id"],
        "seq": tip["seq"],
        "sender_id": actor.user_id,
        "sender": actor.username,
        "client_msg_id": f"tip:{tip['id']}",
        "kind": "tip",
        "body": body,
        "reply_to": None,
        "created_at": now,
        "edited_at": None,
        "deleted": False,
        "tip": tip["snapshot"],
        "reactions": [],
        "mentions": [],
        "attachments": [],
    }


def payment_of(tip: asyncpg.Record, chain: ChainConfig) -> Payment:
    return payment(
        router=chain.router,
        reference=bytes(tip["reference"]),
        recipient=tip["recipient_address"],
        token=tip["token"],
        amount=int(tip["amount"]),
    )


async def visible_tip(svc: Services, *, viewer_id: int, tip_id: int) -> asyncpg.Record:
    """The tip, for a member of its room; tip_not_found for anyone else (as if none)."""
    async with svc.db.acquire() as conn:
        tip = await tip_store.get_tip(conn=conn, tip_id=tip_id)
        if tip is None or not await room_store.get_membership(
            conn=conn, room_id=tip["room_id"], user_id=viewer_id
        ):
            raise TipchatError(Code.tip_not_found, "no such tip")
    return tip


async def do_hint_tx(svc: Services, *, actor: Actor, tip_id: int, tx_hash: str) -> asyncpg.Record:
    """The sender says which transaction paid: the watcher looks at it first. Never proof."""
    if not (len(tx_hash) == 66 and tx_hash.startswith("0x")) or not _is_hex(tx_hash[2:]):
        raise TipchatError(Code.tx_hash_invalid, "tx_hash must be 0x and 64 hex digits")
    tip = await visible_tip(svc, viewer_id=actor.user_id, tip_id=tip_id)
    if tip["sender_id"] != actor.user_id:
        raise TipchatError(Code.forbidden, "only the sender can say how a tip was paid")
    if tip["status"] in ("failed", "finalized"):
        raise TipchatError(Code.tip_finished, f"this tip is already {tip['status']}")
    async with svc.db.acquire() as conn:
        await tip_store.set_tx_hint(conn=conn, tip_id=tip_id, tx_hash=tx_hash.lower())
        updated = await tip_store.get_tip(conn=conn, tip_id=tip_id)
    assert updated is not None
    return updated


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)
