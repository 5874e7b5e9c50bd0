"""`Endpoints`: one chain over several RPC URLs, failing over in order.

A call goes to the URL that answered last; when it fails (down, timeout, an error answer) the
next URL gets the same call, and so on once round the list. Each URL's chain id is checked on
first use: a URL that answers for another chain is a configuration error, and is never used
(a wrong-chain RPC could otherwise make tips on one chain look paid on another).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from web3.exceptions import Web3Exception

from tipchat.config import ChainConfig
from tipchat.errors import Code, TipchatError
from tipchat.tips.rpc import ChainClient, ChainError

log = logging.getLogger(__name__)

T = TypeVar("T")

# What "this URL did not answer properly" looks like from web3.py and aiohttp.
RPC_FAILURES = (ChainError, OSError, TimeoutError, aiohttp.ClientError, Web3Exception)


class ChainUnavailable(TipchatError):
    def __init__(self, chain_id: int) -> None:
        super().__init__(Code.chain_unavailable, f"chain {chain_id}: no RPC URL answered")


class Endpoints:
    def __init__(self, chain: ChainConfig, *, timeout_s: float = 10.0) -> None:
        self.chain = chain
        self._clients = [ChainClient(url, timeout_s=timeout_s) for url in chain.rpc_urls]
        self._checked: set[int] = set()
        self._wrong_chain: set[int] = set()
        self._current = 0

    async def call(self, fn: Callable[[ChainClient], Awaitable[T]]) -> T:
        """fn(client) on the first URL that answers; ChainUnavailable when none does."""
        count = len(self._clients)
        for step in range(count):
            index = (self._current + step) % count
            if index in self._wrong_chain:
                continue
            client = self._clients[index]
            try:
                if index not in self._checked:
                    await self._check_chain_id(index, client)
                    if index in self._wrong_chain:
                        continue
                result = await fn(client)
            except RPC_FAILURES as exc:
                # The URL itself is never logged: it often carries an API key.
                log.warning(
                    "chain %s: RPC URL #%d failed (%s); trying the next",
                    self.chain.chain_id,
                    index + 1,
                    type(exc).__name__,
                )
                continue
            self._current = index
            return result
        raise ChainUnavailable(self.chain.chain_id)

    async def _check_chain_id(self, index: int, client: ChainClient) -> None:
        answered = await client.chain_id()
        if answered != self.chain.chain_id:
            log.error(
                "chain %s: RPC URL #%d answers for chain %s; never using it",
                self.chain.chain_id,
                index + 1,
                answered,
            )
            self._wrong_chain.add(index)
        self._checked.add(index)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.close()
