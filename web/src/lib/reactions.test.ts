import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import type { Message, Room } from "./api/client";
import { messagesKey, type MessageWindow } from "./messages";
import { reactedByMe, toggleReaction, type Reaction } from "./reactions";
import { applyRoomEvent } from "./roomSync";
import { roomsKey } from "./rooms";
import { aMessage, aRoom } from "./testing/data";
import { FakeSocket } from "./testing/fakeSocket";

const ME = 1;

describe("toggleReaction", () => {
  it("adds a new emoji at the end, and joins an existing one", () => {
    let r: Reaction[] = [{ emoji: "👍", count: 1, user_ids: [2] }];
    r = toggleReaction(r, "🎉", ME, true, false);
    expect(r).toEqual([
      { emoji: "👍", count: 1, user_ids: [2] },
      { emoji: "🎉", count: 1, user_ids: [ME] },
    ]);
    r = toggleReaction(r, "👍", ME, true, false);
    expect(r[0]).toEqual({ emoji: "👍", count: 2, user_ids: [2, ME] });
  });

  it("removes mine, dropping an emoji nobody else used", () => {
    const r: Reaction[] = [
      { emoji: "👍", count: 2, user_ids: [2, ME] },
      { emoji: "🎉", count: 1, user_ids: [ME] },
    ];
    expect(toggleReaction(r, "👍", ME, false, true)).toEqual([
      { emoji: "👍", count: 1, user_ids: [2] },
      { emoji: "🎉", count: 1, user_ids: [ME] },
    ]);
    expect(toggleReaction(r, "🎉", ME, false, true)).toEqual([{ emoji: "👍", count: 2, user_ids: [2, ME] }]);
  });

  it("is idempotent like the server: adding twice or removing what I lack changes nothing", () => {
    const r: Reaction[] = [{ emoji: "👍", count: 1, user_ids: [ME] }];
    expect(toggleReaction(r, "👍", ME, true, true)).toBe(r);
    expect(toggleReaction(r, "🎉", ME, false, false)).toBe(r);
  });

  it("keeps user_ids to the first 20 reactors, while the count stays exact", () => {
    const many = Array.from({ length: 20 }, (_, i) => 100 + i);
    const r = toggleReaction([{ emoji: "👍", count: 20, user_ids: many }], "👍", ME, true, false);
    expect(r[0]).toEqual({ emoji: "👍", count: 21, user_ids: many });
  });

  it("knows I reacted from user_ids while they are complete", () => {
    const m = { room_id: 1, seq: 5 };
    expect(reactedByMe(m, { emoji: "👍", count: 2, user_ids: [2, ME] }, ME)).toBe(true);
    expect(reactedByMe(m, { emoji: "👍", count: 1, user_ids: [2] }, ME)).toBe(false);
  });
});

describe("message_updated for reactions", () => {
  /** The server's snapshots of message 5 after each change, as history would return them. */
  const base = aMessage({ seq: 5, sender_id: 2, body: "lunch?" });
  const afterBob: Message = { ...base, reactions: [{ emoji: "👍", count: 1, user_ids: [2] }] };
  const afterMe: Message = {
    ...base,
    reactions: [
      { emoji: "👍", count: 2, user_ids: [2, ME] },
      { emoji: "🎉", count: 1, user_ids: [ME] },
    ],
  };
  const afterUndo: Message = { ...base, reactions: [{ emoji: "🎉", count: 1, user_ids: [ME] }] };

  function setup(room: Room, messages: Message[]) {
    const queryClient = new QueryClient();
    queryClient.setQueryData(roomsKey, [room]);
    queryClient.setQueryData<MessageWindow>(messagesKey(room.id), { messages, hasMore: false });
    const socket = new FakeSocket();
    return {
      apply: (seq: number, message: Message, by = 2) =>
        applyRoomEvent(queryClient, socket, { type: "message_updated", room_id: 1, seq, by, message }, ME),
      window: () => queryClient.getQueryData<MessageWindow>(messagesKey(room.id))!,
      room: () => queryClient.getQueryData<Room[]>(roomsKey)![0]!,
    };
  }

  it("applying each event gives what fetching the history gives", () => {
    const t = setup(aRoom({ id: 1, last_seq: 6, last_read_seq: 6 }), [base, aMessage({ seq: 6 })]);
    t.apply(7, afterBob);
    t.apply(8, { ...afterBob, reactions: [afterBob.reactions[0]!, { emoji: "🎉", count: 1, user_ids: [ME] }] }, ME);
    t.apply(9, afterMe, ME);
    t.apply(10, afterUndo, 2);
    expect(t.window().messages).toEqual([afterUndo, aMessage({ seq: 6 })]);
    // A reaction is an event but not a message: nothing unread, the room's seq moves on.
    expect(t.room()).toMatchObject({ last_seq: 10, unread_count: 0, unread_mentions: 0 });
  });

  it("my optimistic toggles end where the server's snapshots do", () => {
    let reactions = afterBob.reactions;
    reactions = toggleReaction(reactions, "👍", ME, true, false);
    reactions = toggleReaction(reactions, "🎉", ME, true, false);
    expect(reactions).toEqual(afterMe.reactions);
    reactions = toggleReaction(reactions, "👍", ME, false, true);
    expect(reactions).toEqual([
      { emoji: "👍", count: 1, user_ids: [2] },
      { emoji: "🎉", count: 1, user_ids: [ME] },
    ]);
  });

  it("a replayed event does not move the room's seq back", () => {
    const t = setup(aRoom({ id: 1, last_seq: 6 }), [base]);
    t.apply(7, afterMe);
    t.apply(7, afterBob); // a duplicate of seq 7 with other content must not win
    expect(t.room().last_seq).toBe(7);
  });
});
