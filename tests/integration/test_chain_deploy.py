"""Deploying: the dev chain as the app starts it, and `tipchat chain deploy` on a chain."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys

from tipchat.tips import artifacts
from tipchat.tips.anvil import DEV_CHAIN_ID
from tipchat.tips.deploy import DEV_TOKEN_MINT

ROUTER_LINE = re.compile(r"^router: (0x[0-9a-fA-F]{40})$", re.M)


def deployed_code(name: str) -> str:
    from pathlib import Path

    import tipchat.tips

    path = Path(tipchat.tips.__file__).parent / "artifacts" / f"{name}.json"
    return str(json.loads(path.read_text())["deployedBytecode"])


async def test_dev_chain_deploys_router_and_test_usd_and_funds_the_accounts(dev_chain, chain):
    assert await chain.chain_id() == DEV_CHAIN_ID
    # The router on chain is exactly the committed artifact (it has no immutables).
    assert (await chain.w3.eth.get_code(dev_chain.router)).to_0x_hex() == deployed_code("TipRouter")
    router = chain.contract(artifacts.load("TipRouter"), dev_chain.router)
    assert await router.functions.owner().call() == dev_chain.deployer.address
    assert await router.functions.tokenAllowed(dev_chain.token.address).call() is True
    usd = chain.contract(artifacts.load("TestUSD"), dev_chain.token.address)
    assert await usd.functions.decimals().call() == 6 == dev_chain.token.decimals
    assert await usd.functions.symbol().call() == "tUSD" == dev_chain.token.symbol
    assert len(dev_chain.accounts) == 9
    for account in dev_chain.accounts:
        assert await usd.functions.balanceOf(account.address).call() == DEV_TOKEN_MINT
        assert await chain.balance(account.address) > 1000 * 10**18
    # The deployer (the server's own account) is not offered for wallets.
    assert dev_chain.deployer.address not in {a.address for a in dev_chain.accounts}


async def tipchat(*args: str, key: str | None) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TIPCHAT_DEPLOYER_KEY"}
    if key is not None:
        env["TIPCHAT_DEPLOYER_KEY"] = key
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tipchat", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_cli_deploys_the_router_and_allow_lists_tokens(dev_chain, chain):
    deployer = dev_chain.accounts[5]
    code, out, err = await tipchat(
        "chain", "deploy", "--rpc-url", dev_chain.rpc_url, "--chain-id", str(DEV_CHAIN_ID),
        "--allow", dev_chain.token.address, "--name", "local", "--yes",
        key=deployer.private_key,
    )  # fmt: skip
    assert code == 0, err
    assert deployer.private_key not in out + err
    router_address = ROUTER_LINE.search(out).group(1)
    router = chain.contract(artifacts.load("TipRouter"), router_address)
    assert await router.functions.owner().call() == deployer.address
    assert await router.functions.tokenAllowed(dev_chain.token.address).call() is True
    entry = json.loads(out.strip().splitlines()[-1])
    assert entry["router"] == router_address and entry["chain_id"] == DEV_CHAIN_ID
    assert {"address": dev_chain.token.address, "symbol": "tUSD", "decimals": 6} in entry["tokens"]


async def test_cli_with_another_owner_prints_the_calls_for_that_owner(dev_chain, chain):
    deployer, owner = dev_chain.accounts[5], dev_chain.accounts[6]
    code, out, err = await tipchat(
        "chain", "deploy", "--rpc-url", dev_chain.rpc_url, "--owner", owner.address,
        "--allow", dev_chain.token.address, "--yes",
        key=deployer.private_key,
    )  # fmt: skip
    assert code == 0, err
    router_address = ROUTER_LINE.search(out).group(1)
    router = chain.contract(artifacts.load("TipRouter"), router_address)
    assert await router.functions.owner().call() == owner.address
    assert await router.functions.tokenAllowed(dev_chain.token.address).call() is False
    # The printed call is the one the owner has to send.
    data = re.search(r"data (0x[0-9a-f]+)", out).group(1)
    await chain.send(owner.local(), to=router_address, data=data)
    assert await router.functions.tokenAllowed(dev_chain.token.address).call() is True


async def test_cli_refuses_without_the_key_or_on_the_wrong_chain(dev_chain, chain):
    code, _, err = await tipchat("chain", "deploy", "--rpc-url", dev_chain.rpc_url, key=None)
    assert code == 2 and "TIPCHAT_DEPLOYER_KEY" in err
    code, _, err = await tipchat(
        "chain", "deploy", "--rpc-url", dev_chain.rpc_url, "--chain-id", "8453", "--yes",
        key=dev_chain.accounts[5].private_key,
    )  # fmt: skip
    assert code == 1 and "not 8453" in err
    assert await chain.w3.eth.get_transaction_count(dev_chain.accounts[5].address) == 0
