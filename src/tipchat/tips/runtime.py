"""The chains an app runs with: the configured ones, or a dev chain it starts for itself.

Configured chains (TIPCHAT_CHAINS) always win. With none, outside production and unless
TIPCHAT_DEV_CHAIN=false, the app starts anvil, deploys the router and test USD, and funds
the dev accounts. In production with none, tips are off (no chains, no anvil).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from tipchat.config import ChainConfig, Settings
from tipchat.errors import Code, TipchatError
from tipchat.tips.anvil import Anvil, AnvilNotFound, find_anvil
from tipchat.tips.deploy import deploy_dev_chain
from tipchat.tips.devchain import DevChain
from tipchat.tips.endpoints import Endpoints
from tipchat.tips.faucet import Drip, drip
from tipchat.tips.rpc import ChainClient, ChainError

log = logging.getLogger(__name__)


class ChainRuntime:
    def __init__(
        self,
        chains: list[ChainConfig],
        *,
        dev: DevChain | None = None,
        anvil: Anvil | None = None,
        dev_client: ChainClient | None = None,
    ) -> None:
        self.chains = chains
        self.dev = dev
        self._anvil = anvil
        self._dev_client = dev_client
        self._endpoints: dict[int, Endpoints] = {}

    def find(self, chain_id: int) -> ChainConfig | None:
        return next((c for c in self.chains if c.chain_id == chain_id), None)

    def endpoints(self, chain: ChainConfig) -> Endpoints:
        """The chain's RPC URLs with failover, shared by the verbs and the watcher."""
        if chain.chain_id not in self._endpoints:
            self._endpoints[chain.chain_id] = Endpoints(chain)
        return self._endpoints[chain.chain_id]

    async def faucet(self, address: str) -> Drip:
        if self.dev is None or self._dev_client is None:
            raise TipchatError(Code.no_dev_chain, "no dev chain is running on this server")
        try:
            return await drip(self._dev_client, self.dev, address)
        except (ChainError, OSError, TimeoutError) as exc:
            log.warning("dev faucet failed: %s", exc)
            raise TipchatError(Code.chain_unavailable, "the dev chain did not answer") from exc

    async def aclose(self) -> None:
        for endpoints in self._endpoints.values():
            await endpoints.aclose()
        if self._dev_client is not None:
            await self._dev_client.close()
        if self._anvil is not None:
            self._anvil.stop()


async def start_chains(settings: Settings) -> ChainRuntime:
    if settings.chains:
        return ChainRuntime(list(settings.chains))
    if not settings.starts_dev_chain:
        return ChainRuntime([])
    try:
        binary = find_anvil(settings.anvil_path)
    except AnvilNotFound as exc:
        # Chat works without tips: say how to get them and go on.
        log.warning("tips are off: %s (or set TIPCHAT_DEV_CHAIN=false to silence this)", exc)
        return ChainRuntime([])
    dev, anvil, client = await start_dev_chain(binary, settings.dev_chain_block_time_s)
    # A banner for people, like the "running at" line: how to point a wallet at the chain.
    print(dev.wallet_instructions(), file=sys.stderr, flush=True)
    return ChainRuntime([dev.chain_config()], dev=dev, anvil=anvil, dev_client=client)


async def start_dev_chain(
    binary: Path, block_time_s: int = 0
) -> tuple[DevChain, Anvil, ChainClient]:
    """Anvil started, contracts deployed, accounts funded; then, with block_time_s > 0, a
    block every block_time_s seconds (deploying first under automine keeps startup quick)."""
    anvil = Anvil(binary)
    await anvil.start()
    client = ChainClient(anvil.rpc_url)
    try:
        dev = await deploy_dev_chain(client)
        if block_time_s > 0:
            await client.rpc("evm_setIntervalMining", block_time_s)
    except BaseException:
        await client.close()
        anvil.stop()
        raise
    return dev, anvil, client
