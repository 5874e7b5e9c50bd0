"""Deploying the TipRouter (to any chain) and the whole dev chain (router + test USD)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from tipchat.config import TokenConfig
from tipchat.tips import artifacts
from tipchat.tips.anvil import DEV_ACCOUNTS, DEV_MNEMONIC
from tipchat.tips.devchain import DevAccount, DevChain, dev_accounts
from tipchat.tips.rpc import ChainClient

# Each funded dev account starts with this much test USD (6 decimals: 10,000.00 tUSD).
DEV_TOKEN_MINT = 10_000 * 10**6


async def deploy_router(client: ChainClient, deployer: LocalAccount, *, owner: str) -> str:
    """Deploy a TipRouter whose allow-list `owner` curates; its address."""
    return await client.deploy(deployer, artifacts.load("TipRouter"), owner)


async def set_token_allowed(
    client: ChainClient, owner: LocalAccount, *, router: str, token: str, allowed: bool = True
) -> None:
    contract = client.contract(artifacts.load("TipRouter"), router)
    await client.transact(owner, contract, "setTokenAllowed", token, allowed)


async def deploy_dev_chain(
    client: ChainClient, *, mnemonic: str = DEV_MNEMONIC, accounts: int = DEV_ACCOUNTS
) -> DevChain:
    """On a fresh local chain: TestUSD and the router from account 0, TestUSD allow-listed,
    test USD minted to accounts 1..n-1 (the ones for wallets)."""
    deployer, *users = dev_accounts(mnemonic, accounts)
    token_artifact = artifacts.load("TestUSD")
    token = await client.deploy(deployer, token_artifact)
    router = await deploy_router(client, deployer, owner=deployer.address)
    await set_token_allowed(client, deployer, router=router, token=token)
    test_usd = client.contract(token_artifact, token)
    for user in users:
        await client.transact(deployer, test_usd, "mint", user.address, DEV_TOKEN_MINT)
    return DevChain(
        rpc_url=client.rpc_url,
        chain_id=await client.chain_id(),
        router=router,
        token=TokenConfig(address=token, symbol="tUSD", decimals=6),
        deployer=DevAccount.of(deployer),
        accounts=tuple(DevAccount.of(u) for u in users),
    )
