import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { Message } from "../../lib/api/client";
import { messagesKey, useMessageWindow, type MessageWindow } from "../../lib/messages";
import { session } from "../../lib/session";
import { aMessage } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders, testQueryClient } from "../../lib/testing/render";
import { ReactButton, ReactionBar } from "./ReactionBar";

const ME = { id: 1, username: "alice" };

beforeAll(async () => {
  onRequest("POST", "/api/auth/login", {
    body: { access_token: "t", token_type: "bearer", expires_at: Date.now() / 1000 + 3600, refresh_token: "r", user: ME },
  });
  await session.signIn("alice", "a long passphrase");
});

beforeEach(() => {
  resetFetch();
  onRequest("GET", "/api/rooms/1/members", { body: { members: [] } });
  onRequest("GET", "/api/blocks", { body: { users: [] } });
});

function Live() {
  const message = useMessageWindow(1).data?.messages[0];
  return message ? (
    <article>
      <ReactButton message={message} />
      <ReactionBar message={message} />
    </article>
  ) : null;
}

/** A message's React action and reaction bar, drawn from the cache that the toggles update. */
function setup(message: Message) {
  const queryClient = testQueryClient();
  queryClient.setQueryData<MessageWindow>(messagesKey(1), { messages: [message], hasMore: false });
  renderWithProviders(<Live />, { socket: new FakeSocket(), queryClient });
  const current = () => queryClient.getQueryData<MessageWindow>(messagesKey(1))!.messages[0]!;
  return { current, article: () => screen.getByRole("article") };
}

describe("ReactionBar", () => {
  it("adds my reaction from the picker (PUT, emoji percent-encoded), shown at once", async () => {
    onRequest("PUT", /\/reactions\//, { body: {} });
    const t = setup(aMessage({ seq: 5, body: "lunch?" }));
    expect(within(t.article()).queryByRole("button", { name: /👍/ })).toBeNull(); // no bar without reactions
    await userEvent.click(within(t.article()).getByRole("button", { name: "Add reaction" }));
    await userEvent.click(screen.getByRole("button", { name: "React with 👍" }));
    expect(t.current().reactions).toEqual([{ emoji: "👍", count: 1, user_ids: [ME.id] }]);
    expect(within(t.article()).getByRole("button", { name: /^👍 1/ })).toHaveAttribute("aria-pressed", "true");
    await waitFor(() => expect(requestsTo("PUT", /\/reactions\//)).toHaveLength(1));
    expect(new URL(requestsTo("PUT", /\/reactions\//)[0]!.url).pathname).toBe(
      "/api/rooms/1/messages/5/reactions/%F0%9F%91%8D",
    );
  });

  it("clicking a reaction I made removes it (DELETE); one of others' adds mine (PUT)", async () => {
    onRequest("PUT", /\/reactions\//, { body: {} });
    onRequest("DELETE", /\/reactions\//, { body: {} });
    const t = setup(
      aMessage({
        seq: 6,
        reactions: [
          { emoji: "🎉", count: 2, user_ids: [2, ME.id] },
          { emoji: "👀", count: 1, user_ids: [3] },
        ],
      }),
    );
    await userEvent.click(within(t.article()).getByRole("button", { name: /^🎉 2/ }));
    expect(t.current().reactions[0]).toEqual({ emoji: "🎉", count: 1, user_ids: [2] });
    await userEvent.click(within(t.article()).getByRole("button", { name: /^👀 1/ }));
    expect(t.current().reactions[1]).toEqual({ emoji: "👀", count: 2, user_ids: [3, ME.id] });
    await waitFor(() => expect(requestsTo("PUT", /\/reactions\//)).toHaveLength(1));
    expect(requestsTo("DELETE", /\/reactions\//)).toHaveLength(1);
  });

  it("puts things back and says why when the server refuses", async () => {
    onRequest("PUT", /\/reactions\//, { status: 409, body: { code: "too_many_reactions", message: "at most 20 emojis" } });
    const t = setup(aMessage({ seq: 7, reactions: [{ emoji: "👀", count: 1, user_ids: [3] }] }));
    await userEvent.click(within(t.article()).getByRole("button", { name: /^👀 1/ }));
    await waitFor(() => expect(t.current().reactions).toEqual([{ emoji: "👀", count: 1, user_ids: [3] }]));
    expect(await screen.findByRole("alert")).toHaveTextContent("at most 20 emojis");
  });
});
