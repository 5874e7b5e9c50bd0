import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { AttachmentRef } from "../../lib/socket/types";
import { aMessage } from "../../lib/testing/data";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { MessageItem } from "./MessageItem";
import { thumbnailSize } from "./MessageAttachments";

const PHOTO: AttachmentRef = { id: 5, filename: "cat.png", content_type: "image/png", size: 5000, width: 400, height: 300, thumbnail: true };
const NOTES: AttachmentRef = { id: 6, filename: "notes.txt", content_type: "text/plain", size: 1536, width: null, height: null, thumbnail: false };

/** Answer the download-URL route with numbered URLs living `lifeS` seconds. */
function serveUrls(lifeS = 600) {
  let n = 0;
  onRequest("GET", /^\/api\/rooms\/1\/attachments\/\d+$/, (req) => {
    const url = new URL(req.url);
    const id = url.pathname.split("/").at(-1);
    const kind = url.searchParams.get("thumbnail") === "true" ? "thumb" : "file";
    return { body: { url: `/api/media/${kind}-${id}?n=${++n}`, expires_at: Date.now() / 1000 + lifeS } };
  });
}

function show(attachments: AttachmentRef[], over: Parameters<typeof aMessage>[0] = { seq: 3 }) {
  renderWithProviders(
    <MessageItem message={aMessage({ body: "", attachments, ...over })} repliedTo={undefined} mine={false} canModerate={false} onReply={vi.fn()} />,
    { socket: new FakeSocket() },
  );
  return screen.getByRole("article");
}

const urlRequests = (id: number) => requestsTo("GET", `/api/rooms/1/attachments/${id}`);

beforeEach(() => resetFetch());

describe("attachments in a message", () => {
  it("shows an image as its thumbnail, its box reserved before it loads", async () => {
    serveUrls();
    const message = show([PHOTO]);
    const open = within(message).getByRole("button", { name: "Open image cat.png" });
    expect(open).toHaveStyle({ width: "320px", aspectRatio: "320 / 240" }); // before the URL
    const img = await within(message).findByRole("img", { name: "cat.png" });
    expect(img).toHaveAttribute("src", "/api/media/thumb-5?n=1");
    expect(img).toHaveAttribute("width", "320");
    expect(img).toHaveAttribute("height", "240");
    expect(new URL(urlRequests(5)[0]!.url).searchParams.get("thumbnail")).toBe("true");
    // No empty line of text above files sent alone.
    expect(message.querySelector("[data-body]")).toBeNull();
  });

  it("opens the full image in a dialog, and Escape brings focus back", async () => {
    serveUrls();
    show([PHOTO]);
    const open = screen.getByRole("button", { name: "Open image cat.png" });
    await userEvent.click(open);
    const dialog = screen.getByRole("dialog", { name: "cat.png" });
    const full = await within(dialog).findByRole("img", { name: "cat.png" });
    expect(full.getAttribute("src")).toMatch(/^\/api\/media\/file-5/);
    expect(within(dialog).getByRole("button", { name: "Close" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(open).toHaveFocus();
  });

  it("shows other files as a download link with name and size", async () => {
    serveUrls();
    const message = show([NOTES], { seq: 4, body: "the notes" });
    const link = await within(message).findByRole("link", { name: /notes\.txt/ });
    expect(link).toHaveTextContent("notes.txt (1.5 KB)");
    expect(link).toHaveAttribute("href", "/api/media/file-6?n=1");
    expect(new URL(urlRequests(6)[0]!.url).searchParams.get("thumbnail")).toBe("false");
    expect(within(message).queryByRole("img")).toBeNull();
    expect(message).toHaveTextContent("the notes");
  });

  it("gets a new URL when an image fails to load (an expired link), once per URL", async () => {
    serveUrls();
    show([PHOTO]);
    const img = await screen.findByRole("img", { name: "cat.png" });
    fireEvent.error(img);
    await waitFor(() => expect(img).toHaveAttribute("src", "/api/media/thumb-5?n=2"));
    fireEvent.error(img);
    fireEvent.error(img);
    await waitFor(() => expect(img).toHaveAttribute("src", "/api/media/thumb-5?n=3"));
    await new Promise((done) => setTimeout(done, 50));
    expect(urlRequests(5)).toHaveLength(3);
  });

  it("a link is replaced by a new one before it expires", async () => {
    serveUrls(31); // 1 s before the client's margin
    show([NOTES]);
    const link = await screen.findByRole("link", { name: /notes\.txt/ });
    expect(link).toHaveAttribute("href", "/api/media/file-6?n=1");
    await waitFor(() => expect(link).toHaveAttribute("href", "/api/media/file-6?n=2"), { timeout: 3000 });
  });

  it("says when a file is no longer there, and a deleted message shows none", async () => {
    onRequest("GET", /\/api\/rooms\/1\/attachments\/\d+/, { status: 404, body: { code: "attachment_not_found", message: "gone" } });
    const message = show([NOTES]);
    await waitFor(() => expect(message).toHaveTextContent("notes.txt (1.5 KB) unavailable"));
    expect(within(message).queryByRole("link")).toBeNull();
    expect(urlRequests(6)).toHaveLength(1); // a refusal is not retried
  });

  it("fits thumbnails in 320 x 320 without enlarging small images", () => {
    expect(thumbnailSize(4000, 3000)).toEqual({ width: 320, height: 240 });
    expect(thumbnailSize(300, 1200)).toEqual({ width: 80, height: 320 });
    expect(thumbnailSize(50, 20)).toEqual({ width: 50, height: 20 });
  });
});
