"""Chain fixtures on a real anvil: one node for the whole run, a snapshot per test.

Registered in tests/integration/conftest.py; use them from any integration test:

- `dev_chain` (session): the started `DevChain` (router, test USD, funded dev-only keys).
- `chain` (per test): a `ChainClient` on it; whatever the test does on the chain is undone
  afterwards (evm_snapshot before, evm_revert after), so tests never see each other's blocks.
- `chain_settings` (per test): settings overrides that point a server at the dev chain as a
  configured chain (no anvil of its own): `start_server(**chain_settings)`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tipchat.tips.anvil import Anvil, find_anvil
from tipchat.tips.deploy import deploy_dev_chain
from tipchat.tips.devchain import DevChain
from tipchat.tips.rpc import ChainClient


async def _start() -> tuple[Anvil, DevChain]:
    anvil = Anvil(find_anvil())
    await anvil.start()
    try:
        async with ChainClient(anvil.rpc_url) as client:
            return anvil, await deploy_dev_chain(client)
    except BaseException:
        anvil.stop()
        raise


@pytest.fixture(scope="session")
def dev_chain() -> Iterator[DevChain]:
    # Started from the main thread, which outlives the run (anvil dies with that thread).
    anvil, dev = asyncio.run(_start())
    try:
        yield dev
    finally:
        anvil.stop()


@pytest.fixture
async def chain(dev_chain: DevChain) -> AsyncIterator[ChainClient]:
    async with ChainClient(dev_chain.rpc_url) as client:
        snapshot = await client.rpc("evm_snapshot")
        try:
            yield client
        finally:
            assert await client.rpc("evm_revert", snapshot) is True


@pytest.fixture
def chain_settings(dev_chain: DevChain, chain: ChainClient) -> dict[str, Any]:
    return {"chains": [dev_chain.chain_config()]}
