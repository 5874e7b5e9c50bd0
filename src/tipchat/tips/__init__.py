"""Tips on EVM chains: chain access and the dev chain (the rules of tipping come later).

- `artifacts`: the compiled TipRouter and TestUSD (built from contracts/ by build.mjs).
- `rpc`: `ChainClient`, the one narrow door to a chain's JSON-RPC (web3.py AsyncWeb3).
- `anvil`: runs the local anvil node (npm @foundry-rs/anvil) for development and tests.
- `deploy`: deploys the router (any chain) and the whole dev chain (router + test USD).
- `devchain`: `DevChain`, what a started dev chain is: addresses, funded dev-only keys.
- `faucet`: sends dev coins to an address (dev chain only).
- `runtime`: the chains an app runs with: configured ones, or a dev chain started for it.
- `cli`: `tipchat chain deploy` and `tipchat chain dev`.

Amounts are always integers in base units (wei, or 10**-decimals of a token).
"""
