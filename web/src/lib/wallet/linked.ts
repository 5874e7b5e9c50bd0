/** My linked wallets (`/api/wallets`) and unlinking one; linking (SIWE) is in stack/link.ts. */
import { useQuery, type QueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";

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

export async function unlinkWallet(queryClient: QueryClient, address: string): Promise<void> {
  await unwrap(api.DELETE("/api/wallets/{address}", { params: { path: { address } } }));
  queryClient.setQueryData<LinkedWallet[]>(walletsKey, (wallets) =>
    wallets?.filter((w) => w.address.toLowerCase() !== address.toLowerCase()),
  );
  await queryClient.invalidateQueries({ queryKey: walletsKey });
}
