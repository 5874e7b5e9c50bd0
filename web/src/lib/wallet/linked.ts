/** My linked wallets (`/api/wallets`), linking one with SIWE, and unlinking. */
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { getConnection, signMessage } from "wagmi/actions";
import type { Config } from "wagmi";

import { api, unwrap, type Schemas } from "../api/client";
import { NotConnectedError } from "./errors";
import { buildSiweMessage } from "./siwe";

export type LinkedWallet = Schemas["WalletPublic"];

export const walletsKey = ["wallets", "mine"] as const;

export function useLinkedWallets() {
  return useQuery({
    queryKey: walletsKey,
    queryFn: async () => (await unwrap(api.GET("/api/wallets"))).wallets,
    staleTime: 60_000,
  });
}

export function isLinked(wallets: readonly LinkedWallet[] | undefined, address: string | undefined): boolean {
  if (!address || !wallets) return false;
  const wanted = address.toLowerCase();
  return wallets.some((w) => w.address.toLowerCase() === wanted);
}

/** Nonce -> EIP-4361 message -> the wallet signs (personal_sign) -> the server links it. */
export async function linkConnectedWallet(config: Config, queryClient: QueryClient): Promise<LinkedWallet> {
  const connection = getConnection(config);
  if (!connection.address) throw new NotConnectedError();
  const nonce = await unwrap(api.GET("/api/wallets/nonce"));
  const message = buildSiweMessage({ nonce, address: connection.address, chainId: connection.chainId });
  const signature = await signMessage(config, { account: connection.address, message });
  const wallet = await unwrap(api.POST("/api/wallets", { body: { message, signature } }));
  await queryClient.invalidateQueries({ queryKey: walletsKey });
  return wallet;
}

export async function unlinkWallet(queryClient: QueryClient, address: string): Promise<void> {
  await unwrap(api.DELETE("/api/wallets/{address}", { params: { path: { address } } }));
  queryClient.setQueryData<LinkedWallet[]>(walletsKey, (wallets) =>
    wallets?.filter((w) => w.address.toLowerCase() !== address.toLowerCase()),
  );
  await queryClient.invalidateQueries({ queryKey: walletsKey });
}
