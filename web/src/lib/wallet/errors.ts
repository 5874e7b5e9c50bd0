/**
 * What went wrong with a wallet action, in words for people. Wallet errors come from viem
 * and wagmi (walk the `cause` chain: the wallet's own error is usually deep inside), server
 * refusals are ApiErrors with a stable code.
 */
import { ApiError } from "../api/client";

export type WalletProblemKind =
  | "rejected" // the person said no in the wallet
  | "wrong_network" // the wallet is on another chain (offer to switch)
  | "insufficient_funds"
  | "not_connected"
  | "not_linked" // the connected address is not one of mine (link it first)
  | "server" // the server refused (its code is in `code`)
  | "unknown";

export interface WalletProblem {
  kind: WalletProblemKind;
  text: string;
  code?: string;
}

/** Server codes with a message written for this screen; others show the server's own. */
const SERVER_TEXT: Record<string, string> = {
  recipient_has_no_wallet: "They have not linked a wallet yet, so they cannot be tipped.",
  sender_has_no_wallet: "Link a wallet first: only a payment from your own linked wallet counts.",
  tip_to_self: "You cannot tip yourself.",
  recipient_not_member: "They are no longer in this room.",
  tip_chain_unknown: "This server does not take tips on that network.",
  tip_token_unknown: "This server does not take tips in that token.",
  tip_amount_invalid: "That amount cannot be tipped.",
  rate_limited: "Too many tips at once. Wait a minute and try again.",
  wallet_linked_elsewhere: "This wallet is linked to another account.",
  siwe_signature_invalid: "The signature did not match the wallet's address.",
  siwe_nonce_invalid: "The sign-in request expired. Try again.",
  siwe_chain_not_allowed: "Switch the wallet to a network this server uses, then try again.",
  siwe_origin_not_configured: "Wallet linking is not set up on this server yet.",
};

export class WrongNetworkError extends Error {
  constructor(readonly chainId: number | undefined, readonly allowed: readonly number[]) {
    super("The wallet is on a network this server does not use for tips.");
  }
}

export class NotLinkedError extends Error {
  constructor(readonly address: string) {
    super("This wallet is not linked to your account.");
  }
}

export class NotConnectedError extends Error {
  constructor() {
    super("Connect a wallet first.");
  }
}

export class InsufficientBalanceError extends Error {
  constructor(readonly symbol: string) {
    super(`Not enough ${symbol} in this wallet for that tip (and its network fee).`);
  }
}

type ErrorLike = { name?: unknown; code?: unknown; message?: unknown; shortMessage?: unknown; details?: unknown; cause?: unknown };

function chainOf(err: unknown): ErrorLike[] {
  const seen: ErrorLike[] = [];
  let current: unknown = err;
  while (current && typeof current === "object" && seen.length < 10 && !seen.includes(current as ErrorLike)) {
    seen.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return seen;
}

const REJECTED_NAMES = new Set(["UserRejectedRequestError", "UserRejectedRequestErrorType"]);
const WRONG_CHAIN_NAMES = new Set([
  "ChainMismatchError",
  "ConnectorChainMismatchError",
  "ChainNotConfiguredError",
  "SwitchChainNotSupportedError",
]);

export function describeWalletError(err: unknown): WalletProblem {
  if (err instanceof ApiError) {
    return { kind: "server", code: err.code, text: SERVER_TEXT[err.code] ?? err.message };
  }
  if (err instanceof WrongNetworkError) return { kind: "wrong_network", text: err.message };
  if (err instanceof NotLinkedError) return { kind: "not_linked", text: "This wallet is not linked to your account: link it first." };
  if (err instanceof NotConnectedError) return { kind: "not_connected", text: err.message };
  if (err instanceof InsufficientBalanceError) return { kind: "insufficient_funds", text: err.message };
  const links = chainOf(err);
  const names = links.map((e) => String(e.name ?? ""));
  const texts = links.map((e) => `${String(e.message ?? "")} ${String(e.details ?? "")}`).join(" ");
  if (names.some((n) => REJECTED_NAMES.has(n)) || links.some((e) => e.code === 4001)) {
    return { kind: "rejected", text: "You declined the request in your wallet. Nothing was sent." };
  }
  if (names.some((n) => WRONG_CHAIN_NAMES.has(n))) {
    return { kind: "wrong_network", text: "The wallet is on another network." };
  }
  if (
    names.includes("InsufficientFundsError") ||
    /insufficient funds|exceeds balance|ERC20InsufficientBalance/i.test(texts)
  ) {
    return { kind: "insufficient_funds", text: "Not enough funds in this wallet for that tip and its network fee." };
  }
  if (names.includes("ConnectorNotConnectedError") || names.includes("ConnectorAccountNotFoundError")) {
    return { kind: "not_connected", text: "Connect a wallet first." };
  }
  if (err instanceof TypeError) return { kind: "unknown", text: "Could not reach the server. Check your connection." };
  const first = links[0];
  const short = first?.shortMessage ?? first?.message;
  return { kind: "unknown", text: typeof short === "string" && short ? short : "Something went wrong. Please try again." };
}
