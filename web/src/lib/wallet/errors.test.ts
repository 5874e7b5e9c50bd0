import {
  ChainMismatchError,
  InsufficientFundsError,
  TransactionExecutionError,
  UserRejectedRequestError,
  defineChain,
} from "viem";
import { describe, expect, it } from "vitest";

import { ApiError } from "../api/client";
import { describeWalletError, InsufficientBalanceError, NotLinkedError, WrongNetworkError } from "./errors";

const chain = defineChain({
  id: 31337,
  name: "dev",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});

describe("describeWalletError", () => {
  it("a refused signature or transaction, however deep in the causes", () => {
    const rejected = new UserRejectedRequestError(new Error("User denied"));
    expect(describeWalletError(rejected).kind).toBe("rejected");
    const wrapped = new TransactionExecutionError(rejected, { account: undefined, chain } as never);
    expect(describeWalletError(wrapped)).toMatchObject({ kind: "rejected", text: expect.stringMatching(/declined/) });
    // A wallet's raw EIP-1193 error.
    expect(describeWalletError(Object.assign(new Error("nope"), { code: 4001 })).kind).toBe("rejected");
  });

  it("the wrong network", () => {
    expect(describeWalletError(new ChainMismatchError({ chain, currentChainId: 1 })).kind).toBe("wrong_network");
    expect(describeWalletError(new WrongNetworkError(1, [31337])).kind).toBe("wrong_network");
  });

  it("insufficient funds: viem's error, a token's revert, or our own balance check", () => {
    expect(describeWalletError(new InsufficientFundsError()).kind).toBe("insufficient_funds");
    expect(describeWalletError(new Error("execution reverted: ERC20: transfer amount exceeds balance")).kind).toBe(
      "insufficient_funds",
    );
    expect(describeWalletError(new InsufficientBalanceError("tUSD"))).toEqual({
      kind: "insufficient_funds",
      text: "Not enough tUSD in this wallet for that tip (and its network fee).",
    });
  });

  it("server refusals by code, with our words for the known ones", () => {
    expect(describeWalletError(new ApiError(400, "recipient_has_no_wallet", "no wallet"))).toEqual({
      kind: "server",
      code: "recipient_has_no_wallet",
      text: "They have not linked a wallet yet, so they cannot be tipped.",
    });
    expect(describeWalletError(new ApiError(400, "tip_to_self", "x")).text).toBe("You cannot tip yourself.");
    expect(describeWalletError(new ApiError(400, "sender_has_no_wallet", "x")).text).toMatch(/Link a wallet first/);
    expect(describeWalletError(new ApiError(400, "siwe_domain_mismatch", "the message names another site")).text).toBe(
      "the message names another site",
    );
  });

  it("a wallet that is not linked", () => {
    expect(describeWalletError(new NotLinkedError("0xabc")).kind).toBe("not_linked");
  });

  it("anything else keeps its short message", () => {
    expect(describeWalletError(new Error("boom"))).toEqual({ kind: "unknown", text: "boom" });
  });
});
