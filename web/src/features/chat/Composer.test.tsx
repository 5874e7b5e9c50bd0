import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { aMessage } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { Composer } from "./Composer";
import { useUploads } from "./useUploads";

type Props = Omit<Parameters<typeof Composer>[0], "uploads">;

/** The composer with its files, as ChatView gives it. */
function WithUploads(props: Props) {
  return <Composer {...props} uploads={useUploads(props.roomId)} />;
}

function setup(props: Partial<Props> = {}) {
  const socket = new FakeSocket();
  const onCancelReply = vi.fn();
  // A room id per test: the composer keeps drafts per room.
  const roomId = props.roomId ?? Math.floor(Math.random() * 1e9);
  renderWithProviders(<WithUploads roomId={roomId} replyTo={null} onCancelReply={onCancelReply} {...props} />, { socket });
  return { socket, roomId, onCancelReply, input: screen.getByRole("textbox", { name: "Message" }) };
}

describe("Composer", () => {
  it("sends on Enter and clears the field", async () => {
    const { socket, roomId, input } = setup();
    await userEvent.type(input, "hello there{Enter}");
    expect(socket.sent).toEqual([{ roomId, body: "hello there", replyTo: null }]);
    expect(input).toHaveValue("");
  });

  it("inserts a newline on Shift+Enter without sending", async () => {
    const { socket, input } = setup();
    await userEvent.type(input, "line one{Shift>}{Enter}{/Shift}line two");
    expect(socket.sent).toEqual([]);
    expect(input).toHaveValue("line one\nline two");
  });

  it("does not send an empty or blank message", async () => {
    const { socket, input } = setup();
    await userEvent.type(input, "{Enter}");
    await userEvent.type(input, "   {Enter}");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(socket.sent).toEqual([]);
  });

  it("sends with the Send button", async () => {
    const { socket, roomId, input } = setup();
    await userEvent.type(input, "via button");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(socket.sent).toEqual([{ roomId, body: "via button", replyTo: null }]);
  });

  it("sends a reply with reply_to and offers to cancel it", async () => {
    const replyTo = aMessage({ seq: 41, sender: "bob" });
    const { socket, roomId, input, onCancelReply } = setup({ replyTo });
    expect(screen.getByText(/Replying to/)).toHaveTextContent("Replying to bob");
    await userEvent.click(screen.getByRole("button", { name: "Cancel reply" }));
    expect(onCancelReply).toHaveBeenCalledTimes(1);
    await userEvent.type(input, "agreed{Enter}");
    expect(socket.sent).toEqual([{ roomId, body: "agreed", replyTo: 41 }]);
  });

  it("refuses a message over 4000 characters", async () => {
    const { socket, input } = setup();
    await userEvent.click(input);
    await userEvent.paste("x".repeat(4001));
    await userEvent.keyboard("{Enter}");
    expect(socket.sent).toEqual([]);
    expect(screen.getByRole("alert")).toHaveTextContent("at most 4000 characters");
  });
});
