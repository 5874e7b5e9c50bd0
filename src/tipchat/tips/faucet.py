"""The dev faucet: native coin and test USD for any address, on the dev chain only."""

from __future__ import annotations

from dataclasses import dataclass

from tipchat.tips import artifacts
from tipchat.tips.devchain import DevChain
from tipchat.tips.rpc import ChainClient

# One drip pays the gas of thousands of dev-chain tips, and tips of a few tUSD for a while;
# the deployer's 10,000 ETH last for thousands of drips under the rate limit.
FAUCET_NATIVE_WEI = 10**18  # 1 ETH
FAUCET_TOKEN_AMOUNT = 1_000 * 10**6  # 1,000.00 tUSD


@dataclass(frozen=True)
class Drip:
    address: str
    native_wei: int
    token: str
    token_amount: int
    tx_hashes: tuple[str, ...]


async def drip(client: ChainClient, dev: DevChain, address: str) -> Drip:
    """Send FAUCET_NATIVE_WEI and mint FAUCET_TOKEN_AMOUNT test USD to `address`."""
    to = client.w3.to_checksum_address(address)
    deployer = dev.deployer.local()
    native = await client.send(deployer, to=to, value=FAUCET_NATIVE_WEI)
    token = client.contract(artifacts.load("TestUSD"), dev.token.address)
    minted = await client.transact(deployer, token, "mint", to, FAUCET_TOKEN_AMOUNT)
    return Drip(
        address=to,
        native_wei=FAUCET_NATIVE_WEI,
        token=dev.token.address,
        token_amount=FAUCET_TOKEN_AMOUNT,
        tx_hashes=(native["transactionHash"].to_0x_hex(), minted["transactionHash"].to_0x_hex()),
    )
