"""`tipchat chain deploy` (the router to a real chain) and `tipchat chain dev` (a local chain).

The deployer's private key comes from the TIPCHAT_DEPLOYER_KEY environment variable, never
from a flag: flags end up in shell history and in `ps` output.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from typing import Annotated

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.console import Console

from tipchat.config import NATIVE_TOKEN, ChainConfig, TokenConfig
from tipchat.tips import artifacts
from tipchat.tips.anvil import find_anvil
from tipchat.tips.deploy import deploy_router, set_token_allowed
from tipchat.tips.rpc import ChainClient

DEPLOYER_KEY_ENV = "TIPCHAT_DEPLOYER_KEY"

app = typer.Typer(
    help="Chains for tips: deploy the TipRouter, run a local dev chain.", no_args_is_help=True
)
console = Console(stderr=True, highlight=False, soft_wrap=True)

# Enough of ERC-20 to describe a token for the configuration snippet.
_ERC20_INFO = [
    {"type": "function", "name": n, "stateMutability": "view", "inputs": [], "outputs": [o]}
    for n, o in (("symbol", {"type": "string"}), ("decimals", {"type": "uint8"}))
]


@app.callback()
def main() -> None:
    """tipchat chains"""


def _deployer() -> LocalAccount:
    key = os.environ.get(DEPLOYER_KEY_ENV, "").strip()
    if not key:
        console.print(f"[red]set {DEPLOYER_KEY_ENV} to the deployer's private key (0x...)[/]")
        raise typer.Exit(2)
    try:
        account: LocalAccount = Account.from_key(key)
    except (ValueError, TypeError):
        console.print(f"[red]{DEPLOYER_KEY_ENV} is not a private key[/]")
        raise typer.Exit(2) from None
    return account


@app.command()
def deploy(
    rpc_url: Annotated[str, typer.Option(help="JSON-RPC URL of the chain.")],
    owner: Annotated[
        str | None, typer.Option(help="Owner of the token allow-list (default: the deployer).")
    ] = None,
    allow: Annotated[
        list[str] | None, typer.Option(help="Token address to allow-list (repeat the option).")
    ] = None,
    chain_id: Annotated[
        int | None, typer.Option(help="Refuse to deploy unless the chain has this id.")
    ] = None,
    name: Annotated[str, typer.Option(help="Chain name for the config snippet.")] = "",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Deploy the TipRouter (key in TIPCHAT_DEPLOYER_KEY); print its address, the allow-list
    calls and a TIPCHAT_CHAINS entry."""
    deployer = _deployer()
    asyncio.run(_deploy(rpc_url, deployer, owner, allow or [], chain_id, name, yes))


async def _deploy(
    rpc_url: str,
    deployer: LocalAccount,
    owner: str | None,
    allow: list[str],
    expect_chain_id: int | None,
    name: str,
    yes: bool,
) -> None:
    async with ChainClient(rpc_url, timeout_s=30) as client:
        actual = await client.chain_id()
        if expect_chain_id is not None and actual != expect_chain_id:
            console.print(f"[red]the RPC answers chain id {actual}, not {expect_chain_id}[/]")
            raise typer.Exit(1)
        owner = client.w3.to_checksum_address(owner or deployer.address)
        tokens = [client.w3.to_checksum_address(t) for t in allow]
        balance = await client.balance(deployer.address)
        console.print(
            f"chain id {actual}; deployer {deployer.address} "
            f"(balance {balance / 10**18:.6f} native); allow-list owner {owner}"
        )
        if not yes and not typer.confirm("Deploy the TipRouter?"):
            raise typer.Exit(1)
        router = await deploy_router(client, deployer, owner=owner)
        typer.echo(f"router: {router}")
        contract = client.contract(artifacts.load("TipRouter"), router)
        for token in tokens:
            if owner == deployer.address:
                await set_token_allowed(client, deployer, router=router, token=token)
                typer.echo(f"allow-listed: {token}")
            else:
                data = contract.encode_abi("setTokenAllowed", args=[token, True])
                typer.echo(
                    f"the owner {owner} must send: to {router} data {data}"
                    f"  (setTokenAllowed({token}, true))"
                )
        token_configs = [TokenConfig(address=NATIVE_TOKEN, symbol="ETH", decimals=18)]
        for token in tokens:
            token_configs.append(await _describe(client, token))
        snippet = ChainConfig(
            chain_id=actual,
            name=name or f"chain {actual}",
            rpc_urls=[rpc_url],
            router=router,
            tokens=token_configs,
            confirmations=12,
            explorer_url=None,
        )
        typer.echo("TIPCHAT_CHAINS entry (check the native symbol, confirmations, explorer):")
        typer.echo(json.dumps(snippet.model_dump(exclude={"dev"})))


async def _describe(client: ChainClient, token: str) -> TokenConfig:
    erc20 = client.w3.eth.contract(address=client.w3.to_checksum_address(token), abi=_ERC20_INFO)
    symbol = str(await erc20.functions.symbol().call())
    decimals = int(await erc20.functions.decimals().call())
    return TokenConfig(address=token, symbol=symbol, decimals=decimals)


@app.command()
def dev(
    block_time: Annotated[
        int, typer.Option(help="Seconds between blocks (0: a block per transaction).")
    ] = 1,
) -> None:
    """Run the local dev chain (anvil, router, test USD, funded accounts) until Ctrl-C, and
    print the TIPCHAT_CHAINS value that points tipchat nodes at it."""
    asyncio.run(_run_dev(block_time))


async def _run_dev(block_time: int) -> None:
    from tipchat.tips.runtime import start_dev_chain

    dev_chain, anvil, client = await start_dev_chain(find_anvil(), block_time)
    try:
        console.print(dev_chain.wallet_instructions())
        config = dev_chain.chain_config().model_dump()
        typer.echo(f"TIPCHAT_CHAINS='{json.dumps([config])}'")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await client.close()
        anvil.stop()
