/**
 * tip_updated as a protocol event: applying it to the loaded messages gives what a fetch
 * after it returns (the tip message shows the tip's new state), also when it arrives while
 * the room's first page is in flight; and the room's tips list is refetched.
 */
import { onRequest, resetFetch } from "./testing/fetchMock";

import { beforeEach, describe, expect, it } from "vitest";

import type { Message } from "./api/client";
import { fetchLatest, messagesKey, type MessageWindow } from "./messages";
import { handleNotice } from "./roomSync";
import { roomsKey } from "./rooms";
import type { RoomEvent, TipSnapshot } from "./socket/types";
import { aMessage, aRoom } from "./testing/data";
import { FakeSocket } from "./testing/fakeSocket";
import { testQueryClient } from "./testing/render";
import { roomTipsKey } from "./tips";

const ME = 1;

function aTip(over: Partial<TipSnapshot> = {}): TipSnapshot {
  return {
    id: 3,
    status: "pending",
    failure: null,
    sender_id: 2,
    recipient_id: 1,
    recipient_address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    chain_id: 31337,
    token: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    amount: "2500000",
    tx_hash: null,
    block_number: null,
    ...over,
  };
}

const confirmed = aTip({ status: "confirmed", tx_hash: "0x5c" + "0".repeat(62), block_number: 118 });

/** The room as the server has it before and after the tip was confirmed. */
const before: Message[] = [
  aMessage({ seq: 11, body: "thanks!" }),
  aMessage({ seq: 12, kind: "tip", body: "tipped @alice 2.5 tUSD", tip: aTip() }),
  aMessage({ seq: 13, body: "you're welcome" }),
];
const after: Message[] = before.map((m) => (m.seq === 12 ? { ...m, tip: confirmed } : m));

const event: RoomEvent = { type: "tip_updated", room_id: 1, seq: 14, message_seq: 12, tip: confirmed };

function serve(messages: Message[]) {
  onRequest("GET", "/api/rooms/1/messages", { body: { messages, has_more: false } });
}

beforeEach(() => resetFetch());

describe("tip_updated", () => {
  it("applied to the loaded messages equals the messages fetched after it", async () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData(roomsKey, [aRoom({ id: 1, last_seq: 13 })]);
    serve(before);
    queryClient.setQueryData(messagesKey(1), await fetchLatest(1));

    handleNotice(queryClient, new FakeSocket(), { kind: "event", event }, ME);

    serve(after);
    const fetched = await fetchLatest(1);
    expect(queryClient.getQueryData<MessageWindow>(messagesKey(1))).toEqual(fetched);
    expect(queryClient.getQueryData<{ last_seq: number }[]>(roomsKey)![0]!.last_seq).toBe(14);
  });

  it("arriving while the first page is in flight is applied to that page", async () => {
    const queryClient = testQueryClient();
    let release!: () => void;
    const gate = new Promise<void>((done) => (release = done));
    onRequest("GET", "/api/rooms/1/messages", async () => {
      await gate;
      return { body: { messages: before, has_more: false } };
    });
    const loading = fetchLatest(1);
    await Promise.resolve();
    handleNotice(queryClient, new FakeSocket(), { kind: "event", event }, ME);
    release();
    expect((await loading).messages).toEqual(after);
  });

  it("of a message not loaded changes nothing", () => {
    const queryClient = testQueryClient();
    const window: MessageWindow = { messages: [aMessage({ seq: 20 })], hasMore: true };
    queryClient.setQueryData(messagesKey(1), window);
    handleNotice(queryClient, new FakeSocket(), { kind: "event", event }, ME);
    expect(queryClient.getQueryData(messagesKey(1))).toBe(window);
  });

  it("refetches the room's tips (history and totals)", async () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData(roomTipsKey(1), []);
    handleNotice(queryClient, new FakeSocket(), { kind: "event", event }, ME);
    expect(queryClient.getQueryState(roomTipsKey(1))?.isInvalidated).toBe(true);
  });
});
