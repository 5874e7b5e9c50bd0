import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import type { Room } from "./api/client";
import { blocksKey } from "./blocks";
import { mentionParts } from "./mentions";
import { applyRoomEvent } from "./roomSync";
import { roomsKey } from "./rooms";
import { aMessage, aRoom } from "./testing/data";
import { FakeSocket } from "./testing/fakeSocket";

const people = new Map([
  [1, "alice"],
  [2, "bob"],
  [3, "Carol_3"],
]);

describe("mentionParts", () => {
  it("marks the names the server resolved, and which is me", () => {
    expect(mentionParts("hi @bob and @alice!", [2, 1], people, 1)).toEqual([
      { text: "hi " },
      { text: "@bob", mention: { userId: 2, me: false } },
      { text: " and " },
      { text: "@alice", mention: { userId: 1, me: true } },
      { text: "!" },
    ]);
  });

  it("leaves unresolved names as text: strangers, non-members, a snapshot without mentions", () => {
    expect(mentionParts("@dave @bob", [2], people, 1)).toEqual([
      { text: "@dave " },
      { text: "@bob", mention: { userId: 2, me: false } },
    ]);
    expect(mentionParts("@bob", [], people, 1)).toEqual([{ text: "@bob" }]);
    // A mentioned id whose name is unknown (e.g. they left) is not guessed at.
    expect(mentionParts("@zed", [9], people, 1)).toEqual([{ text: "@zed" }]);
  });

  it("reads names as the server does: whole, case-insensitive, not inside a word or address", () => {
    expect(mentionParts("@BOB @carol_3", [2, 3], people, 1).filter((p) => p.mention)).toHaveLength(2);
    expect(mentionParts("@bobby bob@bob x@bob @@bob _@bob", [2], people, 1)).toEqual([
      { text: "@bobby bob@bob x@bob @@bob _@bob" },
    ]);
    expect(mentionParts("(@bob)", [2], people, 1)).toEqual([
      { text: "(" },
      { text: "@bob", mention: { userId: 2, me: false } },
      { text: ")" },
    ]);
  });

  it("keeps every character of the body, markup included, as text", () => {
    const body = "<b>@bob</b> <img src=x onerror=alert(1)>";
    const parts = mentionParts(body, [2], people, 1);
    expect(parts.map((p) => p.text).join("")).toBe(body);
  });
});

describe("unread mentions from live events", () => {
  function setup(room: Room, blocked: number[] = []) {
    const queryClient = new QueryClient();
    queryClient.setQueryData(roomsKey, [room]);
    queryClient.setQueryData(blocksKey, blocked.map((id) => ({ id, username: `u${id}`, blocked_at: "" })));
    return {
      send: (seq: number, senderId: number, mentions: number[]) =>
        applyRoomEvent(
          queryClient,
          new FakeSocket(),
          { type: "message", room_id: room.id, seq, message: aMessage({ room_id: room.id, seq, sender_id: senderId, mentions }) },
          1,
        ),
      room: () => queryClient.getQueryData<Room[]>(roomsKey)![0]!,
    };
  }

  it("counts a message that mentions me, once, and not from people I block", () => {
    const t = setup(aRoom({ id: 1, last_seq: 10 }), [3]);
    t.send(11, 2, [1]);
    t.send(11, 2, [1]); // replayed
    t.send(12, 2, [4]); // someone else
    t.send(13, 3, [1]); // blocked sender
    expect(t.room()).toMatchObject({ unread_count: 3, unread_mentions: 1 });
  });
});
