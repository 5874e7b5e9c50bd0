"""`DevChain`: a started local chain with the router and test USD deployed.

DEV ONLY. Its private keys come from anvil's public test mnemonic: anyone can spend from
these accounts on any chain, so they are for the local chain and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount

from tipchat.config import NATIVE_TOKEN, ChainConfig, TokenConfig

# Dev chain blocks come fast and nothing of value is on it: two blocks is enough to watch a
# tip go pending -> confirmed in the UI without waiting.
DEV_CONFIRMATIONS = 2


def dev_accounts(mnemonic: str, count: int) -> list[LocalAccount]:
    """The accounts anvil funds for `mnemonic` (m/44'/60'/0'/0/i, as anvil derives them)."""
    # eth-account hides mnemonic derivation behind this switch; derivation is all we use.
    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)
    ]


@dataclass(frozen=True)
class DevAccount:
    address: str
    private_key: str  # 0x-hex; public knowledge (see the module docstring)

    @classmethod
    def of(cls, account: LocalAccount) -> DevAccount:
        return cls(address=account.address, private_key="0x" + bytes(account.key).hex())

    def local(self) -> LocalAccount:
        account: LocalAccount = Account.from_key(self.private_key)
        return account


@dataclass(frozen=True)
class DevChain:
    rpc_url: str
    chain_id: int
    router: str
    token: TokenConfig  # the 6-decimal test stablecoin (TestUSD)
    # Owns the router and TestUSD and sends the faucet's coins: the server's own account,
    # never to be imported into a wallet (its nonces would race the server's).
    deployer: DevAccount
    # Funded with native coin and test USD, for browser wallets and tests.
    accounts: tuple[DevAccount, ...]

    def chain_config(self) -> ChainConfig:
        return ChainConfig(
            chain_id=self.chain_id,
            name="Local dev chain (anvil)",
            rpc_urls=[self.rpc_url],
            router=self.router,
            tokens=[TokenConfig(address=NATIVE_TOKEN, symbol="ETH", decimals=18), self.token],
            confirmations=DEV_CONFIRMATIONS,
            explorer_url=None,
            dev=True,
        )

    def wallet_instructions(self, shown: int = 2) -> str:
        """How to import a dev account into a browser wallet (printed at start)."""
        lines = [
            "Dev chain (anvil, in memory: a fresh chain at every start) - DEV ONLY keys:",
            f"  network:  RPC URL {self.rpc_url}, chain id {self.chain_id}, currency ETH",
            f"  router:   {self.router}",
            f"  test USD: {self.token.address} ({self.token.symbol}, "
            f"{self.token.decimals} decimals)",
            "  import one of these accounts into your wallet (Import account -> private key):",
        ]
        for account in self.accounts[:shown]:
            lines.append(f"    {account.address}  key {account.private_key}")
        lines.append(
            "  These keys are public knowledge: never send real funds to them on any chain."
        )
        return "\n".join(lines)
