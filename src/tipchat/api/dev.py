"""Development-only routes (registered only when TIPCHAT_ENV is not production)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints

from tipchat.api.chains import ChainsDep
from tipchat.api.deps import CurrentUser, ServicesDep
from tipchat.errors import Code, TipchatError

router = APIRouter(prefix="/api/dev", tags=["dev"])


class FaucetRequest(BaseModel):
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


class FaucetDrip(BaseModel):
    address: str
    chain_id: int
    native_wei: str  # decimal strings: amounts in base units overflow JavaScript numbers
    token: str
    token_amount: str
    tx_hashes: list[str]


@router.post(
    "/faucet",
    responses={
        409: {"description": "no dev chain runs on this server (no_dev_chain)"},
        429: {"description": "rate_limited"},
        503: {"description": "the dev chain did not answer (chain_unavailable)"},
    },
)
async def faucet(
    body: FaucetRequest, user: CurrentUser, svc: ServicesDep, chains: ChainsDep
) -> FaucetDrip:
    """Dev chain only: send 1 ETH and 1,000 test USD to `address`, for a browser wallet."""
    from eth_utils.address import is_hex_address

    if not is_hex_address(body.address):
        raise TipchatError(Code.invalid_address, "address must be 0x and 40 hex digits")
    retry_after = await svc.limiter.hit(
        f"faucet:user:{user.user_id}", *svc.settings.faucet_limit_per_user
    )
    if retry_after is not None:
        raise TipchatError(
            Code.rate_limited, "faucet used too often; try later", retry_after=round(retry_after, 3)
        )
    drip = await chains.faucet(body.address)
    assert chains.dev is not None  # faucet() raised otherwise
    return FaucetDrip(
        address=drip.address,
        chain_id=chains.dev.chain_id,
        native_wei=str(drip.native_wei),
        token=drip.token,
        token_amount=str(drip.token_amount),
        tx_hashes=list(drip.tx_hashes),
    )
