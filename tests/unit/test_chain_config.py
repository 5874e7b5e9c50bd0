"""Chain configuration (TIPCHAT_CHAINS), when the dev chain starts, and what /api/chains
shows; the dev accounts are anvil's well-known ones. No I/O."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from tipchat.api.chains import chain_public
from tipchat.config import NATIVE_TOKEN, ChainConfig, Settings
from tipchat.tips.anvil import DEV_MNEMONIC
from tipchat.tips.devchain import DevAccount, DevChain, dev_accounts

USDC_BASE = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
CHAIN = {
    "chain_id": 8453,
    "name": "Base",
    "rpc_urls": ["https://a.example", "https://b.example"],
    "router": "0x" + "12" * 20,
    "tokens": [
        {"symbol": "ETH", "decimals": 18},
        {"address": USDC_BASE.lower(), "symbol": "USDC", "decimals": 6},
    ],
    "confirmations": 10,
    "explorer_url": "https://basescan.org",
}


def settings(monkeypatch, **env: str) -> Settings:
    for name in ("TIPCHAT_CHAINS", "TIPCHAT_ENV", "TIPCHAT_DEV_CHAIN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


def test_chains_come_from_json_with_checksummed_addresses(monkeypatch):
    s = settings(monkeypatch, TIPCHAT_CHAINS=json.dumps([CHAIN]))
    (chain,) = s.chains
    assert chain.router == "0x1212121212121212121212121212121212121212"
    assert [t.address for t in chain.tokens] == [NATIVE_TOKEN, USDC_BASE]
    assert chain.rpc_urls == ["https://a.example", "https://b.example"]
    assert not s.starts_dev_chain  # a configured chain wins


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"router": "0x1234"}, "not an address"),
        ({"tokens": [{"address": "0xnothex", "symbol": "X", "decimals": 6}]}, "not an address"),
        ({"tokens": [{"symbol": "ETH", "decimals": 18}] * 2}, "listed twice"),
        ({"tokens": []}, "at least 1"),
        ({"rpc_urls": []}, "at least 1"),
        ({"confirmations": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_chain_config_is_refused(change, problem):
    with pytest.raises(ValidationError, match=problem):
        ChainConfig.model_validate({**CHAIN, **change})


def test_confirmations_have_no_default():
    with pytest.raises(ValidationError, match="confirmations"):
        ChainConfig.model_validate({k: v for k, v in CHAIN.items() if k != "confirmations"})


def test_a_chain_id_listed_twice_is_refused(monkeypatch):
    with pytest.raises(ValidationError, match="listed twice"):
        settings(monkeypatch, TIPCHAT_CHAINS=json.dumps([CHAIN, CHAIN]))


def test_the_dev_chain_starts_only_in_development_without_chains(monkeypatch):
    assert settings(monkeypatch).starts_dev_chain
    assert not settings(monkeypatch, TIPCHAT_DEV_CHAIN="false").starts_dev_chain
    assert not settings(monkeypatch, TIPCHAT_ENV="production").starts_dev_chain


def test_public_chain_hides_rpc_urls_of_real_chains():
    public = chain_public(ChainConfig.model_validate(CHAIN))
    assert public.rpc_url is None and public.dev is False
    assert [(t.symbol, t.native) for t in public.tokens] == [("ETH", True), ("USDC", False)]


def dev_chain() -> DevChain:
    deployer, *users = dev_accounts(DEV_MNEMONIC, 3)
    return DevChain(
        rpc_url="http://127.0.0.1:8545",
        chain_id=31337,
        router="0x" + "34" * 20,
        token=ChainConfig.model_validate(CHAIN).tokens[1],
        deployer=DevAccount.of(deployer),
        accounts=tuple(DevAccount.of(u) for u in users),
    )


def test_dev_accounts_are_anvils_well_known_ones():
    first, second = dev_accounts(DEV_MNEMONIC, 2)
    assert first.address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert second.address == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert DevAccount.of(second).local().address == second.address


def test_dev_chain_shows_its_rpc_url_and_offers_wallet_accounts_not_the_deployer():
    dev = dev_chain()
    public = chain_public(dev.chain_config())
    assert public.rpc_url == "http://127.0.0.1:8545" and public.dev is True
    text = dev.wallet_instructions()
    assert dev.accounts[0].private_key in text and "chain id 31337" in text
    assert dev.deployer.private_key not in text
