/**
 * The wagmi config for the server's chains, made once when the stack first loads, and the
 * context its hooks read. A part of the page that uses a wallet renders inside WalletStack.
 *
 * What WagmiProvider does on mount (reconnect a wallet from an earlier visit) runs once
 * here, when the config is made, rather than on each render of every part that needs it.
 */
import type { ReactNode } from "react";
import { WagmiContext, type Config } from "wagmi";
import { getConnection, reconnect, watchConnection } from "wagmi/actions";

import { useServerChains, type ServerChain } from "../chains";
import { reportWalletAddress } from "../connection";
import { buildWagmiConfig } from "./config";

let current: { key: string; config: Config | null; unwatch: () => void } | undefined;

/** One config per list of chains (it holds the connection), shared by every part. */
function walletConfig(chains: readonly ServerChain[]): Config | null {
  const key = JSON.stringify(chains);
  if (current?.key === key) return current.config;
  current?.unwatch();
  const config = buildWagmiConfig(chains);
  let unwatch = () => {};
  if (config) {
    reportWalletAddress(getConnection(config).address);
    unwatch = watchConnection(config, { onChange: (connection) => reportWalletAddress(connection.address) });
    void reconnect(config);
  }
  current = { key, config, unwatch };
  return config;
}

export function WalletStack({ children }: { children: ReactNode }) {
  const chains = useServerChains().data;
  const config = chains ? walletConfig(chains) : null;
  if (!config) return null; // tips are off: nothing here uses a wallet
  return <WagmiContext value={config}>{children}</WagmiContext>;
}
