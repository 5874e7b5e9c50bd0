/**
 * The chains tips may use, as the server lists them (`GET /api/chains`): chain id, name,
 * router, tokens (the native coin has the zero address), confirmations, explorer, and the
 * RPC URL of a dev chain. Fetched once per session; the wallet config (stack/config.ts) is
 * built from it.
 */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";

export type ServerChain = Schemas["ChainPublic"];
export type ServerToken = Schemas["TokenPublic"];

export const chainsKey = ["chains"] as const;

export function useServerChains() {
  return useQuery({
    queryKey: chainsKey,
    queryFn: async () => (await unwrap(api.GET("/api/chains"))).chains,
    staleTime: Infinity,
    retry: 1,
  });
}

export function findChain(chains: readonly ServerChain[] | undefined, chainId: number): ServerChain | undefined {
  return chains?.find((c) => c.chain_id === chainId);
}

export function findToken(chain: ServerChain | undefined, address: string): ServerToken | undefined {
  const wanted = address.toLowerCase();
  return chain?.tokens.find((t) => t.address.toLowerCase() === wanted);
}

/** A link to a transaction on the chain's explorer; none for dev chains (no explorer). */
export function explorerTxUrl(chain: ServerChain | undefined, txHash: string | null): string | null {
  if (!chain?.explorer_url || !txHash) return null;
  return `${chain.explorer_url.replace(/\/+$/, "")}/tx/${txHash}`;
}
