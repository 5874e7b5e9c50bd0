import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { roomsKey } from "../../lib/rooms";
import { aMessage, aRoom } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders, testQueryClient } from "../../lib/testing/render";
import { SearchPanel } from "./SearchPanel";

function hit(seq: number, word: string) {
  return {
    message: aMessage({ room_id: 4, seq, body: `about ${word}` }),
    highlight: [
      { text: "about ", match: false },
      { text: word, match: true },
    ],
  };
}

beforeEach(() => {
  resetFetch();
  window.location.hash = "";
});

describe("SearchPanel", () => {
  it("searches on submit, in one room when asked, pages with the cursor, and opens a hit's room", async () => {
    onRequest("GET", "/api/search", (req) => {
      const before = new URL(req.url).searchParams.get("before");
      return before === null
        ? { body: { results: [hit(9, "tipjar")], next_before: "cursor-1" } }
        : { body: { results: [hit(3, "tipjar")], next_before: null } };
    });
    const queryClient = testQueryClient();
    queryClient.setQueryData(roomsKey, [aRoom({ id: 4, name: "lounge" })]);
    renderWithProviders(<SearchPanel roomId={4} />, { socket: new FakeSocket(), queryClient });
    expect(screen.getByText(/In lounge/)).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText("Search messages"), "tipjar{Enter}");
    const list = await screen.findByRole("list", { name: "Search results" });
    const [first] = requestsTo("GET", "/api/search");
    expect(Object.fromEntries(new URL(first!.url).searchParams)).toEqual({ q: "tipjar", limit: "20", room_id: "4" });
    expect(within(list).getAllByRole("button")).toHaveLength(1);

    await userEvent.click(screen.getByRole("button", { name: "More results" }));
    await waitFor(() => expect(within(list).getAllByRole("button")).toHaveLength(2));
    expect(new URL(requestsTo("GET", "/api/search")[1]!.url).searchParams.get("before")).toBe("cursor-1");
    expect(screen.queryByRole("button", { name: "More results" })).toBeNull();

    await userEvent.click(within(list).getAllByRole("button")[1]!);
    expect(window.location.hash).toBe("#/rooms/4");
  });

  it("shows the server's refusal, e.g. the search rate limit", async () => {
    onRequest("GET", "/api/search", { status: 429, body: { code: "rate_limited", message: "too many searches; retry in 12 s", retry_after: 12 } });
    renderWithProviders(<SearchPanel />, { socket: new FakeSocket() });
    await userEvent.type(screen.getByLabelText("Search messages"), "x{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many searches for now: try again in 12 s.");
  });
});
