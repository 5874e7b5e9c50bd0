import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { roomsKey } from "../../lib/rooms";
import { aMessage, aRoom } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders, testQueryClient } from "../../lib/testing/render";
import { MentionsPanel } from "./MentionsPanel";

beforeEach(() => {
  resetFetch();
  window.location.hash = "";
});

describe("MentionsPanel", () => {
  it("lists my mentions newest first, pages by the oldest id, and opens the room", async () => {
    onRequest("GET", "/api/mentions", (req) =>
      new URL(req.url).searchParams.get("before") === null
        ? { body: { mentions: [{ id: 30, message: aMessage({ room_id: 7, seq: 12, body: "@alice look" }) }], has_more: true } }
        : { body: { mentions: [{ id: 21, message: aMessage({ room_id: 8, seq: 3, body: "@alice older" }) }], has_more: false } },
    );
    const queryClient = testQueryClient();
    queryClient.setQueryData(roomsKey, [aRoom({ id: 7, name: "lounge" }), aRoom({ id: 8, kind: "dm", name: null, dm_peer: "bob" })]);
    renderWithProviders(<MentionsPanel />, { socket: new FakeSocket(), queryClient });
    const list = await screen.findByRole("list", { name: "Messages that mention you" });
    expect(within(list).getByRole("button")).toHaveTextContent("#lounge");
    await userEvent.click(screen.getByRole("button", { name: "Older mentions" }));
    await waitFor(() => expect(within(list).getAllByRole("button")).toHaveLength(2));
    expect(new URL(requestsTo("GET", "/api/mentions")[1]!.url).searchParams.get("before")).toBe("30");
    expect(within(list).getAllByRole("button")[1]).toHaveTextContent("@bob");
    await userEvent.click(within(list).getAllByRole("button")[1]!);
    expect(window.location.hash).toBe("#/rooms/8");
  });
});
