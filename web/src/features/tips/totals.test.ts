import { describe, expect, it } from "vitest";

import type { RoomTip, TipState } from "../../lib/tips";
import { statusText } from "./status";
import { tipTotals } from "./totals";

const TUSD = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const ETH = "0x0000000000000000000000000000000000000000";

function aRoomTip(id: number, over: Partial<TipState>): RoomTip {
  return {
    tip: {
      id,
      status: "confirmed",
      failure: null,
      sender_id: 1,
      recipient_id: 2,
      recipient_address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      chain_id: 31337,
      token: TUSD,
      amount: "1000000",
      tx_hash: null,
      block_number: null,
      ...over,
    },
    room_id: 1,
    message_seq: id,
    created_at: "2026-11-24T10:00:00Z",
    expires_at: "2026-11-24T11:00:00Z",
  };
}

describe("tipTotals", () => {
  it("sums paid tips per member and token, received and sent; open and failed ones do not count", () => {
    const totals = tipTotals([
      aRoomTip(1, { amount: "2500000" }),
      aRoomTip(2, { amount: "500000", status: "finalized" }),
      aRoomTip(3, { amount: "7000000", status: "pending" }),
      aRoomTip(4, { amount: "9000000", status: "failed", failure: "reverted" }),
      aRoomTip(5, { sender_id: 2, recipient_id: 1, amount: "1000000" }),
      aRoomTip(6, { token: ETH, amount: "10000000000000000", sender_id: 3 }),
      aRoomTip(7, { token: TUSD.toLowerCase(), amount: "1" }), // same token, other spelling
    ]);
    expect(totals).toEqual([
      { userId: 2, chainId: 31337, token: ETH, received: 10n ** 16n, sent: 0n },
      { userId: 2, chainId: 31337, token: TUSD, received: 3_000_001n, sent: 1_000_000n },
      { userId: 1, chainId: 31337, token: TUSD, received: 1_000_000n, sent: 3_000_001n },
      { userId: 3, chainId: 31337, token: ETH, received: 0n, sent: 10n ** 16n },
    ]);
  });
});

describe("statusText", () => {
  it("says why a tip failed", () => {
    expect(statusText({ status: "failed", failure: "expired" })).toBe("Failed: no payment came in time");
    expect(statusText({ status: "seen", failure: null })).toBe("Seen on chain");
    expect(statusText({ status: "confirmed", failure: null })).toBe("Confirmed");
  });
});
