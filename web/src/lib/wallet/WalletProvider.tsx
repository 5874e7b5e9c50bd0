/**
 * Whether the signed-in app has tips at all: a server with no chain has no tipping UI.
 * No wallet code here: the wagmi config and its hooks come with the wallet stack (stack/),
 * which the tips feature loads when a wallet is first needed.
 */
import { createContext, useContext, type ReactNode } from "react";

import { useServerChains } from "./chains";

const TipsEnabled = createContext(false);

/** True when the server takes tips on at least one chain: tipping UI may be shown. */
export function useTipsEnabled(): boolean {
  return useContext(TipsEnabled);
}

export function WalletProvider({ children }: { children: ReactNode }) {
  const chains = useServerChains();
  // One short public request; waiting for it keeps the tipping UI from popping in later.
  // If it fails, the app runs without tips.
  if (chains.isPending) {
    return <p className="splash muted">Loading…</p>;
  }
  return <TipsEnabled value={(chains.data?.length ?? 0) > 0}>{children}</TipsEnabled>;
}
