"""Tips on EVM chains: wallet linking, intents, verification by the chain, the dev chain.

Sits above `chat` (tips post in rooms through chat's events and access checks); chat never
imports tips.

- `siwe`: our strict EIP-4361 parser and claim checks; `wallets`: nonce, link, unlink.
- `contract_signatures`: contract wallets' signatures on chain (EIP-1271, EIP-6492).
- `intents`: tip intents posted as `tip` messages; `calldata`: the router call and Tip logs.
- `status`: every tip state change, as a `tip_updated` room event.
- `verifier`: one pass over a chain (logs, hints, re-checks, expiry); `watcher`: the loops,
  one per chain under an advisory lock; `worker`: `tipchat worker`.
- `endpoints`: one chain over several RPC URLs with failover.

- `artifacts`: the compiled TipRouter, TestUSD, Erc6492Check (built from contracts/ by build.mjs).
- `rpc`: `ChainClient`, the one narrow door to a chain's JSON-RPC (web3.py AsyncWeb3).
- `anvil`: runs the local anvil node (npm @foundry-rs/anvil) for development and tests.
- `deploy`: deploys the router (any chain) and the whole dev chain (router + test USD).
- `devchain`: `DevChain`, what a started dev chain is: addresses, funded dev-only keys.
- `faucet`: sends dev coins to an address (dev chain only).
- `runtime`: the chains an app runs with: configured ones, or a dev chain started for it.
- `cli`: `tipchat chain deploy` and `tipchat chain dev`.

Amounts are always integers in base units (wei, or 10**-decimals of a token).
"""
