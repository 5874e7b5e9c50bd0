import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { Room } from "../../lib/api/client";
import { useRoomSync } from "../../lib/roomSync";
import { roomsKey, useRoom } from "../../lib/rooms";
import { session } from "../../lib/session";
import { aMessage, aRoom } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders, testQueryClient } from "../../lib/testing/render";
import { ChatView } from "./ChatView";

const ME = { id: 1, username: "alice" };

/** What the app mounts around a chat: the socket sync and the room from the rooms query. */
function ChatOf({ roomId }: { roomId: number }) {
  useRoomSync();
  const room = useRoom(roomId);
  return room ? <ChatView room={room} /> : null;
}

async function renderChat(room: Room) {
  const queryClient = testQueryClient();
  queryClient.setQueryData(roomsKey, [room]);
  const socket = new FakeSocket();
  renderWithProviders(<ChatOf roomId={room.id} />, { socket, queryClient });
  const log = await screen.findByRole("log", { name: "Messages" });
  const rooms = () => queryClient.getQueryData<Room[]>(roomsKey)!;
  return { socket, log, rooms, articles: () => within(log).queryAllByRole("article") };
}

beforeAll(async () => {
  onRequest("POST", "/api/auth/login", {
    body: { access_token: "t", token_type: "bearer", expires_at: Date.now() / 1000 + 3600, refresh_token: "r", user: ME },
  });
  await session.signIn("alice", "a long passphrase");
});

beforeEach(() => {
  resetFetch();
  onRequest("GET", "/api/rooms", { body: { rooms: [] } });
  onRequest("GET", "/api/rooms/1/messages", (req) =>
    new URL(req.url).searchParams.has("before_seq")
      ? { body: { messages: [aMessage({ seq: 2, body: "older one" })], has_more: false } }
      : { body: { messages: [aMessage({ seq: 11, body: "hi" }), aMessage({ seq: 12, body: "there" })], has_more: true } },
  );
});

afterEach(() => vi.restoreAllMocks());

describe("ChatView", () => {
  it("marks the room read when the newest message is visible in a focused tab", async () => {
    vi.spyOn(document, "hasFocus").mockReturnValue(true);
    const { socket, rooms } = await renderChat(aRoom({ id: 1, last_seq: 12, last_read_seq: 9, unread_count: 2 }));
    await waitFor(() => expect(socket.reads).toEqual([{ roomId: 1, seq: 12 }]));
    await waitFor(() => expect(rooms()[0]).toMatchObject({ unread_count: 0, last_read_seq: 12 }));
  });

  it("leaves the room unread while the tab is not focused", async () => {
    vi.spyOn(document, "hasFocus").mockReturnValue(false);
    const { socket, rooms } = await renderChat(aRoom({ id: 1, last_seq: 12, last_read_seq: 9, unread_count: 2 }));
    await screen.findByText("there");
    expect(socket.reads).toEqual([]);
    expect(rooms()[0]).toMatchObject({ unread_count: 2 });
  });

  it("appends live messages and applies edits and deletes by message seq", async () => {
    const { socket, articles } = await renderChat(aRoom({ id: 1, last_seq: 12 }));
    await screen.findByText("there");

    act(() =>
      socket.emit({ kind: "event", event: { type: "message", room_id: 1, seq: 13, message: aMessage({ seq: 13, body: "live" }) } }),
    );
    await waitFor(() => expect(articles().map((a) => a.querySelector(".message__body")?.textContent)).toEqual(["hi", "there", "live"]));

    act(() =>
      socket.emit({
        kind: "event",
        event: { type: "message_updated", room_id: 1, seq: 14, by: 2, message: aMessage({ seq: 12, body: "there!", edited_at: "2026-11-24T10:01:00Z" }) },
      }),
    );
    act(() =>
      socket.emit({
        kind: "event",
        event: { type: "message_updated", room_id: 1, seq: 15, by: 2, message: aMessage({ seq: 11, body: null, deleted: true }) },
      }),
    );
    await waitFor(() => expect(articles()[1]).toHaveTextContent("(edited)there!"));
    expect(articles()[0]).toHaveTextContent("Message deleted");
    expect(articles()).toHaveLength(3);
  });

  it("shows my message as Sending… as soon as the socket holds it", async () => {
    const { socket, articles } = await renderChat(aRoom({ id: 1, last_seq: 12 }));
    await screen.findByText("there");
    act(() =>
      socket.emit({ kind: "pending", pending: [{ clientMsgId: "c-1", roomId: 1, body: "mine", replyTo: null, status: "pending" }] }),
    );
    await waitFor(() => expect(articles().at(-1)).toHaveTextContent("Sending…"));
  });

  it("takes files dropped on the conversation into the message being written", async () => {
    onRequest("POST", "/api/rooms/1/attachments", {
      status: 415,
      body: { code: "attachment_type_not_allowed", message: "allowed types: image/png" },
    });
    const { log } = await renderChat(aRoom({ id: 1, last_seq: 12 }));
    await screen.findByText("there");
    const file = new File(["<html>"], "page.html", { type: "text/html" });
    const dataTransfer = { types: ["Files"], files: [file] };
    fireEvent.dragOver(log, { dataTransfer });
    expect(log.closest(".chat")).toHaveClass("chat--dropping");
    fireEvent.drop(log, { dataTransfer });
    expect(log.closest(".chat")).not.toHaveClass("chat--dropping");
    const chip = within(screen.getByRole("list", { name: "Files to send" })).getByRole("listitem");
    await waitFor(() => expect(chip).toHaveTextContent("This type of file cannot be attached"));
    const [slot] = requestsTo("POST", "/api/rooms/1/attachments");
    expect(await slot!.json()).toEqual({ filename: "page.html", content_type: "text/html", size: 6 });
  });

  it("loads older messages before the oldest one", async () => {
    const { articles } = await renderChat(aRoom({ id: 1, last_seq: 12 }));
    await screen.findByText("there");
    await userEvent.click(screen.getByRole("button", { name: "Load older messages" }));
    await screen.findByText("older one");
    const [older] = requestsTo("GET", "/api/rooms/1/messages").filter((r) => r.url.includes("before_seq"));
    expect(new URL(older!.url).searchParams.get("before_seq")).toBe("11");
    expect(articles()[0]).toHaveTextContent("older one");
    expect(screen.queryByRole("button", { name: "Load older messages" })).toBeNull();
  });
});
