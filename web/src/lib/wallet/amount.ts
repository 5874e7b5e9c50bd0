/**
 * Token amounts: what people type (human units, "2.5") to base units (a bigint, by the
 * token's decimals) and back. Strict on input: a tip is money, so "1e3", "1,5", "-2" or
 * more decimals than the token has are refused rather than guessed at.
 */
import { formatUnits, parseUnits } from "viem";

export class AmountError extends Error {}

// The server refuses more than 10^12 whole tokens (tip_amount_invalid); say so before asking.
const MAX_WHOLE_TOKENS = 10n ** 12n;

/** "2.5" with 6 decimals -> 2500000n. Throws AmountError with a message for people. */
export function parseAmount(text: string, decimals: number): bigint {
  const value = text.trim();
  if (!value) throw new AmountError("Enter an amount.");
  if (!/^(\d+\.?\d*|\.\d+)$/.test(value)) {
    throw new AmountError("Enter an amount as a number, like 2.5.");
  }
  const fraction = value.split(".")[1] ?? "";
  if (fraction.length > decimals) {
    throw new AmountError(
      decimals === 0
        ? "This token has no decimals: enter a whole number."
        : `This token has ${decimals} decimals at most.`,
    );
  }
  const base = parseUnits(value.endsWith(".") ? value.slice(0, -1) : value, decimals);
  if (base <= 0n) throw new AmountError("The amount must be more than zero.");
  if (base > MAX_WHOLE_TOKENS * 10n ** BigInt(decimals)) throw new AmountError("That amount is too large.");
  return base;
}

/** Base units (a decimal string, may exceed 2^53) -> "2.5". Unknown decimals: base units. */
export function formatAmount(base: string | bigint, decimals: number | undefined): string {
  let value: bigint;
  try {
    value = typeof base === "bigint" ? base : BigInt(base);
  } catch {
    return String(base);
  }
  if (decimals === undefined) return value.toString();
  const [whole = "0", fraction] = formatUnits(value, decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction ? `${grouped}.${fraction}` : grouped;
}
