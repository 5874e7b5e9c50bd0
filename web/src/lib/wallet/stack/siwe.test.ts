import { parseSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";

import { WrongNetworkError } from "../errors";
import { buildSiweMessage, SIWE_STATEMENT, type SiweNonce } from "./siwe";

const NONCE: SiweNonce = {
  nonce: "k3Jd8a7Qp2xZ9wLm",
  expires_at: "2026-11-24T10:05:00Z",
  domain: "chat.example.com",
  uri: "https://chat.example.com",
  version: "1",
  chain_ids: [8453, 31337],
};

describe("buildSiweMessage", () => {
  it("names exactly what the server asked for", () => {
    const issuedAt = new Date("2026-11-24T10:00:00.000Z");
    const text = buildSiweMessage({
      nonce: NONCE,
      address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", // any case in, EIP-55 out
      chainId: 31337,
      issuedAt,
    });
    expect(text.split("\n")[0]).toBe("chat.example.com wants you to sign in with your Ethereum account:");
    expect(parseSiweMessage(text)).toEqual({
      domain: "chat.example.com",
      address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      statement: SIWE_STATEMENT,
      uri: "https://chat.example.com",
      version: "1",
      chainId: 31337,
      nonce: "k3Jd8a7Qp2xZ9wLm",
      issuedAt,
    });
  });

  it("refuses a wallet on a chain the server does not allow", () => {
    const build = (chainId: number | undefined) =>
      buildSiweMessage({ nonce: NONCE, address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", chainId });
    expect(() => build(1)).toThrow(WrongNetworkError);
    expect(() => build(undefined)).toThrow(WrongNetworkError);
  });
});
