"""GET /api/chains and the dev faucet, on servers with a real chain behind them."""

from __future__ import annotations

import httpx
from eth_utils import to_checksum_address

from tests.helpers import register
from tipchat.config import NATIVE_TOKEN
from tipchat.tips import artifacts
from tipchat.tips.anvil import DEV_CHAIN_ID
from tipchat.tips.faucet import FAUCET_NATIVE_WEI, FAUCET_TOKEN_AMOUNT
from tipchat.tips.rpc import ChainClient

BASE_SEPOLIA = {
    "chain_id": 84532,
    "name": "Base Sepolia",
    "rpc_urls": ["https://rpc.example.invalid/secret-key", "https://backup.example.invalid"],
    "router": "0x" + "ab" * 20,
    "tokens": [
        {"symbol": "ETH", "decimals": 18},
        {"address": "0x036cbd53842c5426634e7929541ec2318f3dcf7e", "symbol": "USDC", "decimals": 6},
    ],
    "confirmations": 3,
    "explorer_url": "https://sepolia.basescan.org",
}


async def get_chains(base_url: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=base_url) as anon:  # public: no sign-in
        r = await anon.get("/api/chains")
    assert r.status_code == 200, r.text
    return r.json()["chains"]


async def test_configured_chains_are_listed_without_their_rpc_urls(start_server):
    server = start_server(chains=[BASE_SEPOLIA])
    (chain,) = await get_chains(server.base_url)
    assert chain == {
        "chain_id": 84532,
        "name": "Base Sepolia",
        "router": to_checksum_address("0x" + "ab" * 20),
        "tokens": [
            {"address": NATIVE_TOKEN, "symbol": "ETH", "decimals": 18, "native": True},
            {
                "address": "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
                "symbol": "USDC",
                "decimals": 6,
                "native": False,
            },
        ],
        "confirmations": 3,
        "explorer_url": "https://sepolia.basescan.org",
        "dev": False,
        "rpc_url": None,  # may carry an API key; wallets use their own
    }


async def test_without_chains_and_without_the_dev_chain_tips_are_off(server):
    assert await get_chains(server.base_url) == []


async def test_the_dev_chain_starts_with_the_app_and_its_faucet_funds_an_address(
    start_server, tmp_path
):
    server = start_server(dev_chain=True, dev_chain_block_time_s=0)
    (chain,) = await get_chains(server.base_url)
    assert chain["chain_id"] == DEV_CHAIN_ID and chain["dev"] is True
    assert chain["rpc_url"].startswith("http://127.0.0.1:")
    native, usd = chain["tokens"]
    assert native == {"address": NATIVE_TOKEN, "symbol": "ETH", "decimals": 18, "native": True}
    assert usd["symbol"] == "tUSD" and usd["decimals"] == 6 and usd["native"] is False

    alice = await register(server.base_url)
    address = "0x" + "5a" * 20
    async with ChainClient(chain["rpc_url"]) as client:
        router = client.contract(artifacts.load("TipRouter"), chain["router"])
        assert await router.functions.tokenAllowed(usd["address"]).call() is True
        r = await alice.http.post("/api/dev/faucet", json={"address": address})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["native_wei"] == str(FAUCET_NATIVE_WEI)
        assert body["token_amount"] == str(FAUCET_TOKEN_AMOUNT)
        assert await client.balance(address) == FAUCET_NATIVE_WEI
        token = client.contract(artifacts.load("TestUSD"), usd["address"])
        checksummed = client.w3.to_checksum_address(address)
        assert await token.functions.balanceOf(checksummed).call() == FAUCET_TOKEN_AMOUNT
    await alice.http.aclose()

    server.stop()  # the app's anvil goes with it
    async with ChainClient(chain["rpc_url"], timeout_s=1) as client:
        try:
            await client.chain_id()
        except Exception:  # noqa: S110 - refused is what we want
            pass
        else:
            raise AssertionError("anvil still answers after the server stopped")


async def test_faucet_needs_sign_in_a_valid_address_and_is_rate_limited(start_server):
    server = start_server(dev_chain=True, dev_chain_block_time_s=0, faucet_limit_per_user=(2, 60))
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        r = await anon.post("/api/dev/faucet", json={"address": "0x" + "11" * 20})
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"

    alice = await register(server.base_url)
    r = await alice.http.post("/api/dev/faucet", json={"address": "0x1234"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_address"
    for _ in range(2):  # bad input is refused before it counts
        r = await alice.http.post("/api/dev/faucet", json={"address": "0x" + "22" * 20})
        assert r.status_code == 200, r.text
    r = await alice.http.post("/api/dev/faucet", json={"address": "0x" + "22" * 20})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert "retry-after" in r.headers
    await alice.http.aclose()


async def test_faucet_without_a_dev_chain_says_so(start_server, chain_settings):
    # Development with a configured chain (here the test anvil): no dev chain of its own.
    server = start_server(**chain_settings)
    alice = await register(server.base_url)
    r = await alice.http.post("/api/dev/faucet", json={"address": "0x" + "33" * 20})
    assert r.status_code == 409 and r.json()["code"] == "no_dev_chain"
    await alice.http.aclose()


async def test_production_has_no_faucet_and_no_dev_chain(start_server):
    server = start_server(env="production", dev_chain=True)
    assert await get_chains(server.base_url) == []  # no chain configured: tips are off
    alice = await register(server.base_url)
    r = await alice.http.post("/api/dev/faucet", json={"address": "0x" + "44" * 20})
    assert r.status_code in (404, 405), r.text
    async with httpx.AsyncClient(base_url=server.base_url) as anon:
        paths = (await anon.get("/openapi.json")).json()["paths"]
    assert "/api/dev/faucet" not in paths and "/api/chains" in paths
    await alice.http.aclose()
