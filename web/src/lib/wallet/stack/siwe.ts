/**
 * The EIP-4361 (Sign-In with Ethereum) message that links a wallet: built with viem's
 * `createSiweMessage` from what `GET /api/wallets/nonce` says it must name (domain, URI,
 * version, chain ids, the single-use nonce). The server checks every field strictly
 * (docs/tipping.md), so nothing here is guessed from `window.location`.
 */
import { getAddress, type Address } from "viem";
import { createSiweMessage } from "viem/siwe";

import type { Schemas } from "../../api/client";
import { WrongNetworkError } from "../errors";

export type SiweNonce = Schemas["SiweNonce"];

export const SIWE_STATEMENT = "Link this wallet to my tipchat account, so people can tip me at it.";

export function buildSiweMessage({
  nonce,
  address,
  chainId,
  issuedAt = new Date(),
}: {
  nonce: SiweNonce;
  address: string;
  chainId: number | undefined;
  issuedAt?: Date;
}): string {
  if (chainId === undefined || !nonce.chain_ids.includes(chainId)) {
    throw new WrongNetworkError(chainId, nonce.chain_ids);
  }
  return createSiweMessage({
    domain: nonce.domain,
    address: getAddress(address) as Address,
    statement: SIWE_STATEMENT,
    uri: nonce.uri,
    version: nonce.version as "1",
    chainId,
    nonce: nonce.nonce,
    issuedAt,
  });
}
