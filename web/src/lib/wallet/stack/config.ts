/**
 * The wagmi config, built at runtime from the server's chains.
 *
 * Wallets are found by EIP-6963 (`multiInjectedProviderDiscovery`: every wallet that
 * announces itself gets a connector); the plain `injected()` connector covers an older
 * wallet that only sets `window.ethereum`.
 *
 * Every read (receipts, balances) goes through the connected wallet's own provider
 * (`unstable_connector(injected)`): the page's Content-Security-Policy allows it to talk to
 * its own origin only, and real chains' RPC URLs are not shown to clients anyway.
 */
import { createConfig, injected, unstable_connector, type Config, type Connector, type Transport } from "wagmi";
import { defineChain, type Chain } from "viem";

import type { ServerChain } from "../chains";

export function buildWagmiConfig(chains: readonly ServerChain[]): Config | null {
  const [first, ...rest] = chains.map(toViemChain);
  if (!first) return null; // tips are off on this server
  const viemChains: [Chain, ...Chain[]] = [first, ...rest];
  const transports: Record<number, Transport> = {};
  for (const chain of viemChains) transports[chain.id] = unstable_connector(injected);
  return createConfig({
    chains: viemChains,
    connectors: [injected()],
    multiInjectedProviderDiscovery: true,
    transports,
  });
}

/** The wallets to offer: those that announced themselves; the generic one only if none did. */
export function offeredConnectors(connectors: readonly Connector[]): Connector[] {
  const announced = connectors.filter((c) => c.id !== "injected");
  return announced.length > 0 ? announced : [...connectors];
}

/** viem's description of a server chain, for wagmi (and for wallet_addEthereumChain). */
export function toViemChain(chain: ServerChain): Chain {
  const native = chain.tokens.find((t) => t.native);
  return defineChain({
    id: chain.chain_id,
    name: chain.name,
    nativeCurrency: {
      name: native?.symbol ?? "Ether",
      symbol: native?.symbol ?? "ETH",
      decimals: native?.decimals ?? 18,
    },
    rpcUrls: { default: { http: chain.rpc_url ? [chain.rpc_url] : [] } },
    blockExplorers: chain.explorer_url
      ? { default: { name: `${chain.name} explorer`, url: chain.explorer_url } }
      : undefined,
    testnet: chain.dev,
  });
}
