/**
 * Wallet plumbing for the signed-in app: the server's chains, the wagmi config built from
 * them, and whether tips are on at all (a server with no chain has no tipping UI).
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { WagmiProvider } from "wagmi";

import { useServerChains } from "./chains";
import { buildWagmiConfig } from "./config";

const TipsEnabled = createContext(false);

/** True inside a WagmiProvider with at least one chain: wallet hooks may be used. */
export function useTipsEnabled(): boolean {
  return useContext(TipsEnabled);
}

export function WalletProvider({ children }: { children: ReactNode }) {
  const chains = useServerChains();
  const config = useMemo(() => (chains.data ? buildWagmiConfig(chains.data) : null), [chains.data]);
  // One short public request; waiting for it keeps the tree from remounting under a
  // provider that appears later. If it fails, the app runs without tips.
  if (chains.isPending) {
    return <p className="splash muted">Loading…</p>;
  }
  if (!config) return <TipsEnabled value={false}>{children}</TipsEnabled>;
  return (
    <WagmiProvider config={config}>
      <TipsEnabled value={true}>{children}</TipsEnabled>
    </WagmiProvider>
  );
}
