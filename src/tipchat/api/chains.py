"""GET /api/chains: the chains tips may use, for wallets to switch to and call the router."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from tipchat.config import NATIVE_TOKEN, ChainConfig
from tipchat.tips.runtime import ChainRuntime

router = APIRouter(prefix="/api", tags=["chains"])


def get_chains(request: Request) -> ChainRuntime:
    chains: ChainRuntime = request.app.state.chains
    return chains


ChainsDep = Annotated[ChainRuntime, Depends(get_chains)]


class TokenPublic(BaseModel):
    address: str  # checksummed; the zero address for the native coin (as in the Tip event)
    symbol: str
    decimals: int
    native: bool


class ChainPublic(BaseModel):
    chain_id: int
    name: str
    router: str
    tokens: list[TokenPublic]
    confirmations: int
    explorer_url: str | None
    dev: bool
    # Only for dev chains: the wallet adds the local network with it. Real chains' RPC URLs
    # often carry API keys, and wallets bring their own.
    rpc_url: str | None


class ChainsPublic(BaseModel):
    chains: list[ChainPublic]


def chain_public(chain: ChainConfig) -> ChainPublic:
    return ChainPublic(
        chain_id=chain.chain_id,
        name=chain.name,
        router=chain.router,
        tokens=[
            TokenPublic(
                address=t.address,
                symbol=t.symbol,
                decimals=t.decimals,
                native=t.address == NATIVE_TOKEN,
            )
            for t in chain.tokens
        ],
        confirmations=chain.confirmations,
        explorer_url=chain.explorer_url,
        dev=chain.dev,
        rpc_url=chain.rpc_urls[0] if chain.dev else None,
    )


@router.get("/chains")
async def list_chains(chains: ChainsDep) -> ChainsPublic:
    """Chains tips may use (empty: tips are off on this server). Public: no sign-in needed."""
    return ChainsPublic(chains=[chain_public(c) for c in chains.chains])
