import type { TipState } from "../../lib/tips";

type Status = TipState["status"];

const LABEL: Record<Status, string> = {
  pending: "Pending",
  seen: "Seen on chain",
  confirmed: "Confirmed",
  finalized: "Finalized",
  failed: "Failed",
  dropped: "Dropped",
};

const FAILURE: Record<string, string> = {
  reverted: "the payment was reverted",
  mismatch: "the payment did not match the tip",
  expired: "no payment came in time",
};

/** "Confirmed", "Failed: the payment was reverted", ... */
export function statusText(tip: Pick<TipState, "status" | "failure">): string {
  if (tip.status === "failed" && tip.failure) return `Failed: ${FAILURE[tip.failure] ?? tip.failure}`;
  if (tip.status === "dropped") return "Dropped: its block left the chain";
  return LABEL[tip.status];
}

/** Statuses that count as paid (in totals). */
export function isPaid(status: Status): boolean {
  return status === "confirmed" || status === "finalized";
}

export function isOpen(status: Status): boolean {
  return status === "pending" || status === "seen" || status === "dropped";
}
