/** Totals per member per token over a room's tips: received and sent, paid ones only. */
import type { RoomTip } from "../../lib/tips";
import { isPaid } from "./status";

export interface MemberTotal {
  userId: number;
  chainId: number;
  /** The token's address as the tips carry it (zero address: the native coin). */
  token: string;
  received: bigint;
  sent: bigint;
}

export function tipTotals(tips: readonly RoomTip[]): MemberTotal[] {
  const byKey = new Map<string, MemberTotal>();
  const entry = (userId: number, chainId: number, token: string): MemberTotal => {
    const key = `${userId}:${chainId}:${token.toLowerCase()}`;
    let total = byKey.get(key);
    if (!total) {
      total = { userId, chainId, token, received: 0n, sent: 0n };
      byKey.set(key, total);
    }
    return total;
  };
  for (const { tip } of tips) {
    if (!isPaid(tip.status)) continue;
    const amount = BigInt(tip.amount);
    entry(tip.recipient_id, tip.chain_id, tip.token).received += amount;
    entry(tip.sender_id, tip.chain_id, tip.token).sent += amount;
  }
  return [...byKey.values()].sort(
    (a, b) => (b.received > a.received ? 1 : b.received < a.received ? -1 : 0) || a.userId - b.userId,
  );
}
