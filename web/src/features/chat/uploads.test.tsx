import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { Composer } from "./Composer";
import { useUploads } from "./useUploads";

const ROOM = 7;

/** An XMLHttpRequest the test plays the server for (uploads use XHR for their progress). */
class FakeXhr {
  static made: FakeXhr[] = [];
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  responseText = "";
  aborted = false;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor() {
    FakeXhr.made.push(this);
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  // -- test controls --
  progress(loaded: number, total: number) {
    act(() => this.upload.onprogress?.({ lengthComputable: true, loaded, total }));
  }
  respond(status: number, body = "") {
    this.status = status;
    this.responseText = body;
    this.onload?.();
  }
  fail() {
    this.onerror?.();
  }
}

function WithUploads({ roomId }: { roomId: number }) {
  return <Composer roomId={roomId} uploads={useUploads(roomId)} replyTo={null} onCancelReply={() => {}} />;
}

function setup() {
  const socket = new FakeSocket();
  renderWithProviders(<WithUploads roomId={ROOM} />, { socket });
  return { socket, input: screen.getByRole("textbox", { name: "Message" }) };
}

function aFile(name = "cat.png", type = "image/png", bytes = 2048): File {
  return new File([new Uint8Array(bytes)], name, { type });
}

async function choose(...files: File[]) {
  await userEvent.upload(screen.getByTestId("attach-input"), files);
}

function slotFor(id: number) {
  return {
    status: 201,
    body: {
      id,
      upload_url: `/api/media/rooms/7/f${id}?sig=s`,
      method: "PUT",
      // Content-Length is the browser's to send: the client must not try to set it.
      headers: { "Content-Type": "image/png", "Content-Length": "2048" },
      expires_at: Date.now() / 1000 + 600,
      attachment: { id, room_id: ROOM, filename: "cat.png", content_type: "image/png", size: 2048, status: "pending" },
    },
  };
}

function ready(id: number) {
  return {
    body: { id, room_id: ROOM, filename: "cat.png", content_type: "image/png", size: 2048, status: "ready", width: 40, height: 30 },
  };
}

const alerts = () => screen.getAllByRole("alert").map((alert) => alert.textContent);
const chips = () => within(screen.getByRole("list", { name: "Files to send" })).getAllByRole("listitem");

beforeEach(() => {
  resetFetch();
  FakeXhr.made = [];
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
});

afterEach(() => vi.unstubAllGlobals());

describe("attaching files in the composer", () => {
  it("creates a slot, PUTs the bytes with progress, completes, then sends the ids", async () => {
    onRequest("POST", "/api/rooms/7/attachments", slotFor(31));
    onRequest("POST", "/api/rooms/7/attachments/31/complete", ready(31));
    const { socket, input } = setup();
    await choose(aFile());

    const [slot] = requestsTo("POST", "/api/rooms/7/attachments");
    expect(await slot!.json()).toEqual({ filename: "cat.png", content_type: "image/png", size: 2048 });
    await waitFor(() => expect(FakeXhr.made).toHaveLength(1));
    const xhr = FakeXhr.made[0]!;
    expect([xhr.method, xhr.url]).toEqual(["PUT", "/api/media/rooms/7/f31?sig=s"]);
    expect(xhr.headers).toEqual({ "Content-Type": "image/png" });
    expect(xhr.body).toBeInstanceOf(File);
    expect(chips()[0]).toHaveTextContent("cat.png");
    expect(chips()[0]).toHaveTextContent("2.0 KB");

    xhr.progress(1024, 2048);
    expect(screen.getByRole("progressbar", { name: "Uploading cat.png" })).toHaveValue(50);
    // Not yet: the file is still on its way.
    await userEvent.type(input, "{Enter}");
    expect(screen.getByRole("alert")).toHaveTextContent("Wait until the files are uploaded.");
    expect(socket.sent).toEqual([]);
    expect(requestsTo("POST", "/api/rooms/7/attachments/31/complete")).toHaveLength(0);

    xhr.respond(200);
    await waitFor(() => expect(chips()[0]).toHaveTextContent("Ready"));
    expect(screen.queryByRole("alert")).toBeNull(); // nothing to wait for any more
    expect(requestsTo("POST", "/api/rooms/7/attachments/31/complete")).toHaveLength(1);
    await userEvent.type(input, "{Enter}"); // files alone need no words
    expect(socket.sent).toEqual([{ roomId: ROOM, body: "", replyTo: null, attachments: [31] }]);
    expect(screen.queryByRole("list", { name: "Files to send" })).toBeNull();
  });

  it("sends words and several files together", async () => {
    let next = 40;
    onRequest("POST", "/api/rooms/7/attachments", () => slotFor(++next));
    onRequest("POST", /\/api\/rooms\/7\/attachments\/\d+\/complete/, (req) => ready(Number(req.url.split("/").at(-2))));
    const { socket, input } = setup();
    await choose(aFile("a.png"), aFile("b.png"));
    await waitFor(() => expect(FakeXhr.made).toHaveLength(2));
    FakeXhr.made.forEach((xhr) => xhr.respond(200));
    await waitFor(() => expect(chips().map((c) => c.textContent)).toEqual([expect.stringContaining("Ready"), expect.stringContaining("Ready")]));
    await userEvent.type(input, "two pictures{Enter}");
    expect(socket.sent).toEqual([{ roomId: ROOM, body: "two pictures", replyTo: null, attachments: [41, 42] }]);
  });

  it.each([
    [413, { code: "attachment_too_large", message: "attachments are 1 to 26214400 bytes", max_bytes: 26214400 }, "Too large: files can be at most 25 MB."],
    [415, { code: "attachment_type_not_allowed", message: "allowed types: image/png, text/plain" }, "This type of file cannot be attached (allowed types: image/png, text/plain)."],
    [429, { code: "rate_limited", message: "too many uploads; wait a while", retry_after: 12.4 }, "Too many uploads: try again in 13 s."],
  ])("a refused slot (%i) shows why, uploads nothing and blocks the send", async (status, body, text) => {
    onRequest("POST", "/api/rooms/7/attachments", { status, body });
    const { socket, input } = setup();
    await choose(aFile("big.png"));
    await waitFor(() => expect(within(chips()[0]!).getByRole("alert")).toHaveTextContent(text));
    expect(FakeXhr.made).toHaveLength(0);
    await userEvent.type(input, "with it{Enter}");
    expect(alerts()).toContain("Remove the files that could not be uploaded first.");
    expect(socket.sent).toEqual([]);
    // Without the file the words go alone.
    await userEvent.click(screen.getByRole("button", { name: "Remove big.png" }));
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(socket.sent).toEqual([{ roomId: ROOM, body: "with it", replyTo: null }]);
  });

  it("a network failure during the PUT says so and never completes", async () => {
    onRequest("POST", "/api/rooms/7/attachments", slotFor(31));
    setup();
    await choose(aFile());
    await waitFor(() => expect(FakeXhr.made).toHaveLength(1));
    act(() => FakeXhr.made[0]!.fail());
    await waitFor(() => expect(within(chips()[0]!).getByRole("alert")).toHaveTextContent("Network error"));
    expect(requestsTo("POST", "/api/rooms/7/attachments/31/complete")).toHaveLength(0);
  });

  it("a PUT the store refuses, or a complete that rejects the content, shows the reason", async () => {
    onRequest("POST", "/api/rooms/7/attachments", slotFor(31));
    onRequest("POST", "/api/rooms/7/attachments/31/complete", {
      status: 400,
      body: { code: "attachment_content_mismatch", message: "the file is not image/png" },
    });
    const { socket } = setup();
    await choose(aFile("fake.png"), aFile("late.png"));
    await waitFor(() => expect(FakeXhr.made).toHaveLength(2));
    act(() => FakeXhr.made[0]!.respond(200));
    act(() => FakeXhr.made[1]!.respond(403, JSON.stringify({ code: "forbidden", message: "this URL is not valid (or no longer)" })));
    await waitFor(() => expect(within(chips()[0]!).getByRole("alert")).toHaveTextContent("The file's contents do not match its type."));
    await waitFor(() => expect(within(chips()[1]!).getByRole("alert")).toHaveTextContent("this URL is not valid (or no longer)"));
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(socket.sent).toEqual([]);
  });

  it("cancelling an upload aborts it and forgets the file", async () => {
    onRequest("POST", "/api/rooms/7/attachments", slotFor(31));
    setup();
    await choose(aFile());
    await waitFor(() => expect(FakeXhr.made).toHaveLength(1));
    await userEvent.click(screen.getByRole("button", { name: "Cancel upload of cat.png" }));
    expect(FakeXhr.made[0]!.aborted).toBe(true);
    expect(screen.queryByRole("list", { name: "Files to send" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(requestsTo("POST", "/api/rooms/7/attachments/31/complete")).toHaveLength(0);
  });

  it("takes pasted files, refuses empty ones and more than 10", async () => {
    onRequest("POST", "/api/rooms/7/attachments", slotFor(31));
    const { input } = setup();
    fireEvent.paste(input, { clipboardData: { files: [aFile("pasted.png")] } });
    await waitFor(() => expect(chips()[0]).toHaveTextContent("pasted.png"));
    await choose(aFile("empty.txt", "text/plain", 0));
    expect(within(chips()[1]!).getByRole("alert")).toHaveTextContent("This file is empty.");
    await choose(...Array.from({ length: 9 }, (_, i) => aFile(`n${i}.png`)));
    expect(chips()).toHaveLength(10);
    expect(alerts()).toContain("A message can carry at most 10 files.");
    expect(requestsTo("POST", "/api/rooms/7/attachments")).toHaveLength(9); // not the empty one
  });
});
