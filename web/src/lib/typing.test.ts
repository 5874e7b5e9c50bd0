import { describe, expect, it } from "vitest";

import {
  describeTyping,
  nextTypingExpiry,
  noTypists,
  TYPING_SHOW_MS,
  typingDone,
  typingExpire,
  typingNames,
  typingSeen,
} from "./typing";

describe("typing", () => {
  it("shows a typist until TYPING_SHOW_MS after their last notice", () => {
    let t = typingSeen(noTypists, 2, "bob", 1000);
    expect(nextTypingExpiry(t, 1000)).toBe(TYPING_SHOW_MS);
    t = typingSeen(t, 2, "bob", 3000); // the next notice, 2 s later, extends it
    expect(typingExpire(t, 1000 + TYPING_SHOW_MS)).toBe(t);
    expect(typingNames(typingExpire(t, 3000 + TYPING_SHOW_MS - 1), new Set())).toEqual(["bob"]);
    expect(typingExpire(t, 3000 + TYPING_SHOW_MS).size).toBe(0);
  });

  it("outlasts one notice the server dropped (it passes one per 2 s at most)", () => {
    const t = typingSeen(noTypists, 2, "bob", 0);
    // bob keeps typing; his notice at 2 s is dropped, the one at 4 s arrives.
    expect(typingExpire(t, 4000).size).toBe(1);
  });

  it("ends at once when their message arrives; others stay", () => {
    let t = typingSeen(noTypists, 2, "bob", 0);
    t = typingSeen(t, 3, "carol", 0);
    t = typingDone(t, 2);
    expect(typingNames(t, new Set())).toEqual(["carol"]);
    expect(typingDone(t, 9)).toBe(t);
  });

  it("expires each typist on its own schedule", () => {
    let t = typingSeen(noTypists, 2, "bob", 0);
    t = typingSeen(t, 3, "carol", 2500);
    expect(nextTypingExpiry(t, 1000)).toBe(TYPING_SHOW_MS - 1000);
    t = typingExpire(t, TYPING_SHOW_MS);
    expect(typingNames(t, new Set())).toEqual(["carol"]);
    expect(nextTypingExpiry(noTypists, 0)).toBeNull();
  });

  it("leaves out people I block, and says it in words", () => {
    let t = typingSeen(noTypists, 2, "bob", 0);
    t = typingSeen(t, 3, "carol", 0);
    expect(typingNames(t, new Set([3]))).toEqual(["bob"]);
    expect(describeTyping([])).toBe("");
    expect(describeTyping(["bob"])).toBe("bob is typing…");
    expect(describeTyping(["bob", "carol"])).toBe("bob and carol are typing…");
    expect(describeTyping(["a", "b", "c"])).toBe("Several people are typing…");
  });
});
