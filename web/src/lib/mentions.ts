/**
 * @mentions in message bodies. The server resolves them (docs/protocol.md, "Mentions") and
 * lists the mentioned members' ids in each snapshot; the client only marks those names, so
 * an `@name` of a non-member or a stranger stays plain text, as it did for the server.
 */
import { useInfiniteQuery } from "@tanstack/react-query";

import { api, unwrap } from "./api/client";

export interface BodyPart {
  text: string;
  /** Set on an `@name` the server resolved: whom it names, and whether that is me. */
  mention?: { userId: number; me: boolean };
}

/**
 * `@name` as the server reads it: not after a letter, digit, `_` or `@` (so an e-mail
 * address mentions nobody), and the whole name (`@bobby` is not `@bob`).
 */
const MENTION = /(?<![\p{L}\p{N}_@])@([A-Za-z0-9_]+)/gu;

/**
 * Split a body into plain text and resolved mentions. `people` maps user ids to usernames
 * (the room's members); ids in `mentions` without a known name stay unmarked.
 */
export function mentionParts(
  body: string,
  mentions: readonly number[],
  people: ReadonlyMap<number, string>,
  meId: number,
): BodyPart[] {
  if (mentions.length === 0) return [{ text: body }];
  const byName = new Map<string, number>();
  for (const id of mentions) {
    const name = people.get(id);
    if (name) byName.set(name.toLowerCase(), id);
  }
  const parts: BodyPart[] = [];
  let last = 0;
  for (const match of body.matchAll(MENTION)) {
    const userId = byName.get(match[1]!.toLowerCase());
    if (userId === undefined) continue;
    const start = match.index;
    if (start > last) parts.push({ text: body.slice(last, start) });
    parts.push({ text: match[0], mention: { userId, me: userId === meId } });
    last = start + match[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last) });
  return parts.length > 0 ? parts : [{ text: body }];
}

export const mentionsKey = ["mentions"] as const;
const MENTIONS_PAGE = 30;

/** Messages that mention me, newest first, a page at a time (`GET /api/mentions`). */
export function useMentions() {
  return useInfiniteQuery({
    queryKey: mentionsKey,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/mentions", {
          params: { query: { limit: MENTIONS_PAGE, ...(pageParam !== null ? { before: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => (page.has_more ? (page.mentions.at(-1)?.id ?? null) : null),
  });
}
