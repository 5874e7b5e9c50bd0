import { onRequest, resetFetch } from "../../lib/testing/fetchMock";

import { act, screen, waitFor, within } from "@testing-library/react";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { Room } from "../../lib/api/client";
import { useRoomSync } from "../../lib/roomSync";
import { session } from "../../lib/session";
import type { RoomEvent } from "../../lib/socket/types";
import { aMessage, aRoom } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { RoomList } from "./RoomList";

const ME = { id: 1, username: "alice" };

function SyncedRoomList() {
  useRoomSync();
  return <RoomList currentRoomId={null} />;
}

async function renderRooms(rooms: Room[]) {
  onRequest("GET", "/api/rooms", { body: { rooms } });
  const socket = new FakeSocket();
  renderWithProviders(<SyncedRoomList />, { socket });
  const nav = screen.getByRole("navigation", { name: "Rooms" });
  await within(nav).findAllByRole("button");
  const link = (name: string) => within(nav).getByRole("button", { name: new RegExp(name) });
  return { socket, nav, link };
}

function messageEvent(roomId: number, seq: number, senderId = 2): RoomEvent {
  return {
    type: "message",
    room_id: roomId,
    seq,
    message: aMessage({ room_id: roomId, seq, sender_id: senderId, created_at: "2026-11-24T11:00:00Z" }),
  };
}

beforeAll(async () => {
  onRequest("POST", "/api/auth/login", {
    body: { access_token: "t", token_type: "bearer", expires_at: Date.now() / 1000 + 3600, refresh_token: "r", user: ME },
  });
  await session.signIn("alice", "a long passphrase");
});

beforeEach(() => {
  resetFetch();
});

describe("RoomList", () => {
  it("names rooms (DMs after the other person) and shows unread counts", async () => {
    const { link } = await renderRooms([
      aRoom({ id: 1, name: "general", unread_count: 3, last_event_at: "2026-11-24T10:03:00Z" }),
      aRoom({ id: 2, kind: "dm", name: null, dm_peer: "bob", last_event_at: "2026-11-24T10:02:00Z" }),
    ]);
    expect(within(link("general")).getByLabelText("3 unread")).toHaveTextContent("3");
    expect(link("bob")).toBeInTheDocument();
  });

  it("hides the badge when nothing is unread", async () => {
    const { link } = await renderRooms([aRoom({ id: 1, name: "quiet", unread_count: 0 })]);
    expect(link("quiet").querySelector(".badge")).toBeNull();
    expect(within(link("quiet")).queryByLabelText(/unread/)).toBeNull();
  });

  it("shows unread mentions, and no unread badge for a muted room", async () => {
    const { link } = await renderRooms([
      aRoom({ id: 1, name: "busy", unread_count: 4, unread_mentions: 2, muted: true }),
      aRoom({ id: 2, name: "calm", unread_count: 1, unread_mentions: 1 }),
    ]);
    expect(within(link("busy")).getByLabelText("2 mentions")).toHaveTextContent("@2");
    expect(within(link("busy")).queryByLabelText(/unread/)).toBeNull();
    expect(within(link("busy")).getByLabelText("muted")).toBeInTheDocument();
    expect(within(link("calm")).getByLabelText("1 mention")).toBeInTheDocument();
    expect(within(link("calm")).getByLabelText("1 unread")).toBeInTheDocument();
  });

  it("shows a DM peer's presence, kept live by presence frames", async () => {
    onRequest("GET", "/api/rooms/2/members", {
      body: {
        members: [
          { id: 1, username: "alice", role: "member", joined_at: "2026-11-24T10:00:00Z", last_read_seq: 0, presence: "online" },
          { id: 5, username: "bob", role: "member", joined_at: "2026-11-24T10:00:00Z", last_read_seq: 0, presence: "offline" },
        ],
      },
    });
    const { socket, link } = await renderRooms([aRoom({ id: 2, kind: "dm", name: null, dm_peer: "bob" })]);
    expect(await within(link("bob")).findByLabelText("bob is offline")).toBeInTheDocument();
    act(() =>
      socket.emit({ kind: "ephemeral", frame: { type: "presence", room_id: 2, user_id: 5, username: "bob", status: "away" } }),
    );
    expect(await within(link("bob")).findByLabelText("bob is away")).toBeInTheDocument();
  });

  it("counts a new message that mentions me as an unread mention", async () => {
    const { socket, link } = await renderRooms([aRoom({ id: 1, name: "general", last_seq: 10 })]);
    act(() =>
      socket.emit({
        kind: "event",
        event: { type: "message", room_id: 1, seq: 11, message: aMessage({ room_id: 1, seq: 11, mentions: [ME.id] }) },
      }),
    );
    expect(await within(link("general")).findByLabelText("1 mention")).toBeInTheDocument();
  });

  it("follows every room from its last seq", async () => {
    const { socket } = await renderRooms([aRoom({ id: 1, last_seq: 7 }), aRoom({ id: 2, last_seq: 30 })]);
    expect([...socket.followed]).toEqual([
      [1, 7],
      [2, 30],
    ]);
  });

  it("counts others' new messages in rooms I am not reading, once each", async () => {
    const { socket, link } = await renderRooms([aRoom({ id: 1, name: "general", last_seq: 10, unread_count: 0 })]);

    act(() => socket.emit({ kind: "event", event: messageEvent(1, 11) }));
    expect(await within(link("general")).findByLabelText("1 unread")).toBeInTheDocument();

    act(() => socket.emit({ kind: "event", event: messageEvent(1, 12) }));
    // Replayed (seq already counted) and my own message: no change.
    act(() => socket.emit({ kind: "event", event: messageEvent(1, 12) }));
    act(() => socket.emit({ kind: "event", event: messageEvent(1, 13, ME.id) }));
    expect(await within(link("general")).findByLabelText("2 unread")).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(within(link("general")).getByLabelText("2 unread")).toBeInTheDocument();
  });

  it("moves the most recently active room to the top", async () => {
    const { socket, nav } = await renderRooms([
      aRoom({ id: 1, name: "first", last_event_at: "2026-11-24T10:05:00Z" }),
      aRoom({ id: 2, name: "second", last_event_at: "2026-11-24T10:01:00Z" }),
    ]);
    act(() => socket.emit({ kind: "event", event: messageEvent(2, 11) }));
    await waitFor(() => {
      const names = within(nav).getAllByRole("button").map((a) => a.querySelector(".room-link__name")?.textContent);
      expect(names).toEqual(["#second", "#first"]);
    });
  });

  it("drops a room when I am removed from it", async () => {
    const { socket, nav } = await renderRooms([aRoom({ id: 1, name: "general" }), aRoom({ id: 2, name: "other" })]);
    act(() =>
      socket.emit({
        kind: "event",
        event: {
          type: "member",
          room_id: 1,
          seq: 11,
          user: { id: ME.id, username: ME.username },
          action: "removed",
          role: null,
          by: 2,
          at: "2026-11-24T11:00:00Z",
        },
      }),
    );
    await waitFor(() => expect(within(nav).queryByRole("button", { name: /general/ })).toBeNull());
    expect(within(nav).getByRole("button", { name: /other/ })).toBeInTheDocument();
  });
});
