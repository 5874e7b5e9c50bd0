/** Linking the connected wallet to my account with SIWE. */
import type { QueryClient } from "@tanstack/react-query";
import type { Config } from "wagmi";
import { getConnection, signMessage } from "wagmi/actions";

import { api, unwrap } from "../../api/client";
import { NotConnectedError } from "../errors";
import { walletsKey, type LinkedWallet } from "../linked";
import { buildSiweMessage } from "./siwe";

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
