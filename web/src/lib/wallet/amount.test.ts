import { describe, expect, it } from "vitest";

import { AmountError, formatAmount, parseAmount } from "./amount";

describe("parseAmount", () => {
  it.each([
    ["2.5", 6, 2_500_000n],
    ["1", 18, 10n ** 18n],
    [" 0.000001 ", 6, 1n],
    [".5", 6, 500_000n],
    ["3.", 6, 3_000_000n],
    ["1000000", 0, 1_000_000n],
  ])("%s with %i decimals -> %s base units", (text, decimals, base) => {
    expect(parseAmount(text, decimals)).toBe(base);
  });

  it.each([
    ["", "Enter an amount."],
    ["abc", "Enter an amount as a number, like 2.5."],
    ["1e3", "Enter an amount as a number, like 2.5."],
    ["-1", "Enter an amount as a number, like 2.5."],
    ["1,5", "Enter an amount as a number, like 2.5."],
    ["1.2.3", "Enter an amount as a number, like 2.5."],
    ["0", "The amount must be more than zero."],
    ["0.0000001", "This token has 6 decimals at most."],
    ["1000000000001", "That amount is too large."],
  ])("refuses %j", (text, message) => {
    expect(() => parseAmount(text, 6)).toThrow(new AmountError(message));
  });

  it("says a token without decimals takes whole numbers", () => {
    expect(() => parseAmount("1.5", 0)).toThrow("whole number");
  });
});

describe("formatAmount", () => {
  it("shows human units, grouped, without trailing zeros", () => {
    expect(formatAmount("2500000", 6)).toBe("2.5");
    expect(formatAmount("1234567000000", 6)).toBe("1,234,567");
    expect(formatAmount(10n ** 16n, 18)).toBe("0.01");
    expect(formatAmount("0", 6)).toBe("0");
  });

  it("keeps every digit past 2^53", () => {
    expect(formatAmount("123456789012345678901", 18)).toBe("123.456789012345678901");
  });

  it("round-trips with parseAmount", () => {
    for (const text of ["2.5", "0.000001", "999999.123456"]) {
      expect(formatAmount(parseAmount(text, 6), 6)).toBe(text.replace("999999", "999,999"));
    }
  });

  it("falls back to base units when the token is unknown", () => {
    expect(formatAmount("2500000", undefined)).toBe("2500000");
  });
});
