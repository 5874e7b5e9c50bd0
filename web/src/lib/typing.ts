/**
 * Who is typing in a room, from ephemeral `typing` frames (docs/protocol.md §2 `typing`).
 *
 * A typing frame means "typing now" and is never followed by a "stopped": senders repeat it
 * while they type (our socket at most every 2 s per room; the server passes on at most one
 * per 2 s per socket and room, dropping extras). So each typist expires on its own: after
 * TYPING_SHOW_MS without a new frame, which outlasts one dropped repeat (2 s + 2 s + slack).
 * Their message arriving ends it at once.
 */
export const TYPING_SHOW_MS = 6000;

export type Typists = ReadonlyMap<number, { name: string; until: number }>;

export const noTypists: Typists = new Map();

/** A typing frame from `userId` arrived at `now`. */
export function typingSeen(typists: Typists, userId: number, name: string, now: number): Typists {
  return new Map(typists).set(userId, { name, until: now + TYPING_SHOW_MS });
}

/** Their message arrived: they are done typing it. */
export function typingDone(typists: Typists, userId: number): Typists {
  if (!typists.has(userId)) return typists;
  const next = new Map(typists);
  next.delete(userId);
  return next;
}

/** Drop whoever has not typed for TYPING_SHOW_MS (the same map when nobody expired). */
export function typingExpire(typists: Typists, now: number): Typists {
  const kept = [...typists].filter(([, t]) => t.until > now);
  return kept.length === typists.size ? typists : new Map(kept);
}

/** When the next typist expires (ms from `now`), or null with nobody typing. */
export function nextTypingExpiry(typists: Typists, now: number): number | null {
  if (typists.size === 0) return null;
  return Math.max(0, Math.min(...[...typists.values()].map((t) => t.until)) - now);
}

/** The names to show, leaving out people I block. */
export function typingNames(typists: Typists, hidden: ReadonlySet<number>): string[] {
  return [...typists].filter(([id]) => !hidden.has(id)).map(([, t]) => t.name);
}

export function describeTyping(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}
