import { requestsTo, onRequest, resetFetch } from "../../lib/testing/fetchMock";

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Message } from "../../lib/api/client";
import type { PendingSend } from "../../lib/socket/types";
import { aMessage } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { MessageList } from "./MessageList";

const me = { id: 1, username: "alice" };

function setup({
  messages = [],
  pending = [],
  hasMore = false,
  canModerate = false,
  onLoadOlder = vi.fn(async () => undefined),
}: {
  messages?: Message[];
  pending?: PendingSend[];
  hasMore?: boolean;
  canModerate?: boolean;
  onLoadOlder?: () => Promise<unknown>;
}) {
  const socket = new FakeSocket();
  const onReply = vi.fn();
  renderWithProviders(
    <MessageList
      messages={messages}
      hasMore={hasMore}
      pending={pending}
      me={me}
      canModerate={canModerate}
      onReply={onReply}
      onLoadOlder={onLoadOlder}
    />,
    { socket },
  );
  const log = screen.getByRole("log", { name: "Messages" });
  return { socket, onReply, log, articles: () => within(log).queryAllByRole("article") };
}

function aSend(over: Partial<PendingSend>): PendingSend {
  return { clientMsgId: "c-1", roomId: 1, body: "on its way", replyTo: null, status: "pending", ...over };
}

beforeEach(() => resetFetch());

describe("MessageList", () => {
  it("shows each message with its sender and body, oldest first", () => {
    const { articles } = setup({
      messages: [aMessage({ seq: 3, body: "first" }), aMessage({ seq: 5, sender: "carol", sender_id: 3, body: "second" })],
    });
    const [first, second] = articles();
    expect(first).toHaveTextContent("bob");
    expect(first).toHaveTextContent("first");
    expect(second).toHaveTextContent("carol");
    expect(second).toHaveTextContent("second");
  });

  it("shows my unacknowledged message at once, marked Sending…", () => {
    const { articles } = setup({ pending: [aSend({ body: "on its way" })] });
    const [item] = articles();
    expect(item).toHaveTextContent("alice");
    expect(item).toHaveTextContent("on its way");
    expect(item).toHaveTextContent("Sending…");
    expect(within(item!).queryByRole("button", { name: "Retry" })).toBeNull();
  });

  it("marks a failed send and retries or discards it through the socket", async () => {
    const failed = aSend({ clientMsgId: "c-9", status: "failed", error: { code: "message_too_long", message: "too long" } });
    const { socket, articles } = setup({ pending: [failed] });
    const item = articles()[0]!;
    expect(item).toHaveTextContent("Failed");
    expect(item).toHaveTextContent("too long");
    expect(item).not.toHaveTextContent("Sending…");
    await userEvent.click(within(item).getByRole("button", { name: "Retry" }));
    expect(socket.retried).toEqual(["c-9"]);
    await userEvent.click(within(item).getByRole("button", { name: "Discard" }));
    expect(socket.discarded).toEqual(["c-9"]);
  });

  it("does not show a pending send twice once its message has arrived", () => {
    const { articles } = setup({
      messages: [aMessage({ seq: 8, sender_id: me.id, sender: "alice", client_msg_id: "c-1", body: "on its way" })],
      pending: [aSend({ clientMsgId: "c-1" })],
    });
    expect(articles()).toHaveLength(1);
    expect(articles()[0]).not.toHaveTextContent("Sending…");
  });

  it("shows a deleted message as 'Message deleted', without its body or actions", () => {
    const { articles } = setup({ messages: [aMessage({ seq: 4, body: null, deleted: true })] });
    const item = articles()[0]!;
    expect(item).toHaveTextContent("Message deleted");
    expect(within(item).queryByRole("button")).toBeNull();
  });

  it("shows (edited) only on edited messages", () => {
    const { articles } = setup({
      messages: [aMessage({ seq: 4, body: "fixed", edited_at: "2026-11-24T10:05:00Z" }), aMessage({ seq: 5 })],
    });
    expect(articles()[0]).toHaveTextContent("(edited)");
    expect(articles()[1]).not.toHaveTextContent("(edited)");
  });

  it("quotes the message replied to", () => {
    const { articles } = setup({
      messages: [aMessage({ seq: 2, body: "lunch?\nsecond line" }), aMessage({ seq: 3, body: "yes", reply_to: 2 })],
    });
    const quote = articles()[1]!.querySelector("blockquote");
    expect(quote).toHaveTextContent("bob: lunch?");
    expect(quote).not.toHaveTextContent("second line");
  });

  it("gives my messages Edit, Delete and Reply, and others' only Reply", () => {
    const { articles } = setup({
      messages: [aMessage({ seq: 1, sender_id: me.id, sender: "alice" }), aMessage({ seq: 2 })],
    });
    const names = (el: HTMLElement) => within(el).getAllByRole("button").map((b) => b.textContent);
    expect(names(articles()[0]!)).toEqual(["Reply", "Edit", "Delete"]);
    expect(names(articles()[1]!)).toEqual(["Reply"]);
  });

  it("lets admins delete others' messages", () => {
    const { articles } = setup({ messages: [aMessage({ seq: 2 })], canModerate: true });
    expect(within(articles()[0]!).getByRole("button", { name: "Delete" })).toBeInTheDocument();
  });

  it("edits inline: Enter saves through PATCH, Escape cancels", async () => {
    onRequest("PATCH", "/api/rooms/1/messages/6", async (req) => ({
      body: aMessage({ seq: 6, sender_id: me.id, sender: "alice", ...((await req.json()) as object), edited_at: "2026-11-24T10:06:00Z" }),
    }));
    const { articles } = setup({ messages: [aMessage({ seq: 6, sender_id: me.id, sender: "alice", body: "helo" })] });
    const item = articles()[0]!;

    await userEvent.click(within(item).getByRole("button", { name: "Edit" }));
    await userEvent.keyboard("{Escape}");
    expect(within(item).queryByRole("textbox", { name: "Edit message" })).toBeNull();
    expect(requestsTo("PATCH", "/api/rooms/1/messages/6")).toHaveLength(0);

    await userEvent.click(within(item).getByRole("button", { name: "Edit" }));
    const box = within(item).getByRole("textbox", { name: "Edit message" });
    await userEvent.clear(box);
    await userEvent.type(box, "hello{Enter}");
    await waitFor(() => expect(within(item).queryByRole("textbox", { name: "Edit message" })).toBeNull());
    const [patch] = requestsTo("PATCH", "/api/rooms/1/messages/6");
    expect(await patch!.clone().json()).toEqual({ body: "hello" });
  });

  it("collapses messages from people I block, and shows one on request", async () => {
    onRequest("GET", "/api/blocks", { body: { users: [{ id: 2, username: "bob", blocked_at: "2026-11-24T10:00:00Z" }] } });
    const { articles } = setup({ messages: [aMessage({ seq: 3, body: "from bob" }), aMessage({ seq: 4, sender_id: 3, sender: "carol", body: "from carol" })] });
    await waitFor(() => expect(articles()[0]).toHaveTextContent("Message from a blocked user"));
    expect(articles()[0]).not.toHaveTextContent("from bob");
    expect(articles()[1]).toHaveTextContent("from carol");
    await userEvent.click(within(articles()[0]!).getByRole("button", { name: "Show" }));
    expect(articles()[0]).toHaveTextContent("from bob");
  });

  it("marks the @mentions the server resolved, and only those", async () => {
    onRequest("GET", "/api/rooms/1/members", {
      body: { members: [{ id: 1, username: "alice", role: "member", joined_at: "2026-11-24T10:00:00Z", last_read_seq: 0, presence: "online" }] },
    });
    const { articles } = setup({ messages: [aMessage({ seq: 3, body: "hey @alice and @carol", mentions: [1] })] });
    await waitFor(() => expect(articles()[0]!.querySelector(".mention--me")).toHaveTextContent("@alice"));
    expect(articles()[0]!.querySelectorAll(".mention")).toHaveLength(1);
    expect(articles()[0]).toHaveTextContent("hey @alice and @carol");
  });

  it("says when a rate-limited send goes out again by itself", () => {
    const { articles } = setup({ pending: [aSend({ retryAt: Date.now() + 4200 })] });
    expect(articles()[0]).toHaveTextContent("You are sending too fast. Sending again in 5 s…");
    expect(articles()[0]).toHaveTextContent("Sending…");
    expect(within(articles()[0]!).queryByRole("button", { name: "Retry" })).toBeNull();
  });

  it("asks for older messages from the top of the list", async () => {
    const onLoadOlder = vi.fn(async () => undefined);
    setup({ messages: [aMessage({ seq: 60 })], hasMore: true, onLoadOlder });
    await userEvent.click(screen.getByRole("button", { name: "Load older messages" }));
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
  });
});
