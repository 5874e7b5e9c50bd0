/**
 * Reactions on a message (docs/protocol.md, "Reactions"): the pure rules of toggling one,
 * and the REST calls. The server answers every change with a `message_updated` carrying
 * the full `reactions` list, which lib/roomSync.ts applies like any edit; a toggle here is
 * shown at once (optimistically) and that event then replaces it with the server's truth.
 */
import { useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Message, type Schemas } from "./api/client";
import { applyMessage, findMessage } from "./messages";

export type Reaction = Schemas["ReactionPublic"];

/** The picker's choice: common reactions, exactly as the server will store them (❤️ with VS16). */
export const COMMON_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"] as const;

/** `user_ids` lists only the first 20 reactors: past that, my own PUTs and DELETEs tell. */
const USER_IDS_SHOWN = 20;

/** Reactions I added or removed in this tab, for emojis whose `user_ids` may not list me. */
const mine = new Map<string, boolean>();
const mineKey = (roomId: number, seq: number, emoji: string) => `${roomId}:${seq}:${emoji}`;

/** Whether I reacted with this emoji to this message. */
export function reactedByMe(message: Pick<Message, "room_id" | "seq">, reaction: Reaction, meId: number): boolean {
  if (reaction.user_ids.includes(meId)) return true;
  if (reaction.count <= reaction.user_ids.length) return false; // the list is complete
  return mine.get(mineKey(message.room_id, message.seq, reaction.emoji)) ?? false;
}

/**
 * The reactions after I add (`add`) or remove my `emoji`, as the server computes them:
 * idempotent, one entry per emoji in order of first appearance, an entry gone at count 0.
 * `already` says whether I had reacted (see reactedByMe).
 */
export function toggleReaction(
  reactions: Reaction[],
  emoji: string,
  meId: number,
  add: boolean,
  already: boolean,
): Reaction[] {
  if (add === already) return reactions;
  const index = reactions.findIndex((r) => r.emoji === emoji);
  if (add) {
    if (index === -1) return [...reactions, { emoji, count: 1, user_ids: [meId] }];
    const r = reactions[index]!;
    const user_ids = r.user_ids.length < USER_IDS_SHOWN ? [...r.user_ids, meId] : r.user_ids;
    return reactions.map((x, i) => (i === index ? { emoji, count: r.count + 1, user_ids } : x));
  }
  if (index === -1) return reactions;
  const r = reactions[index]!;
  if (r.count <= 1) return reactions.filter((_, i) => i !== index);
  return reactions.map((x, i) =>
    i === index ? { emoji, count: r.count - 1, user_ids: r.user_ids.filter((id) => id !== meId) } : x,
  );
}

function reactionPath(roomId: number, seq: number, emoji: string) {
  // openapi-fetch percent-encodes path parameters (👍 → %F0%9F%91%8D).
  return { params: { path: { room_id: roomId, seq, emoji } } };
}

/** Add or remove my reaction: shown at once, then confirmed by the room's message_updated. */
export function useReactionToggle() {
  const queryClient = useQueryClient();
  return async (message: Message, emoji: string, meId: number): Promise<void> => {
    const existing = message.reactions.find((r) => r.emoji === emoji);
    const already = existing ? reactedByMe(message, existing, meId) : false;
    const add = !already;
    const show = (adding: boolean, had: boolean) => {
      const current = findMessage(queryClient, message.room_id, message.seq) ?? message;
      const reactions = toggleReaction(current.reactions, emoji, meId, adding, had);
      applyMessage(queryClient, { ...current, reactions }, { insert: false });
    };
    show(add, already);
    mine.set(mineKey(message.room_id, message.seq, emoji), add);
    try {
      const path = reactionPath(message.room_id, message.seq, emoji);
      // The reply is not applied: a newer message_updated may already be here, and ours
      // follows over the socket (live, or in the replay after a reconnect).
      await unwrap(add ? api.PUT("/api/rooms/{room_id}/messages/{seq}/reactions/{emoji}", path)
        : api.DELETE("/api/rooms/{room_id}/messages/{seq}/reactions/{emoji}", path));
    } catch (err) {
      mine.set(mineKey(message.room_id, message.seq, emoji), already);
      show(already, add);
      throw err;
    }
  };
}
