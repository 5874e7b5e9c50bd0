import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ChatSocket } from "./socket";
import type { ChatSocketOptions, RoomEvent, SocketNotice, WebSocketLike } from "./types";

type Frame = Record<string, unknown>;

/** A WebSocket stand-in: records what the client sends, lets the test play the server. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: Frame[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Frame);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverClose(code: number, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  sentOfType(type: string): Frame[] {
    return this.sent.filter((f) => f.type === type);
  }
}

const ME = { id: 7, username: "alice" };
const READY = { type: "ready", protocol: 1, user: ME, expires_at: 2e9, limits: {} };

function message(roomId: number, seq: number, clientMsgId = `x${seq}`): RoomEvent {
  return {
    type: "message",
    room_id: roomId,
    seq,
    message: {
      room_id: roomId,
      seq,
      sender_id: 8,
      sender: "bob",
      client_msg_id: clientMsgId,
      kind: "text",
      body: `m${seq}`,
      reply_to: null,
      created_at: "2026-01-01T00:00:00Z",
      edited_at: null,
      deleted: false,
      reactions: [],
      mentions: [],
      attachments: [],
    },
  };
}

function member(roomId: number, seq: number, userId: number, action: "added" | "left" | "removed"): RoomEvent {
  return {
    type: "member",
    room_id: roomId,
    seq,
    user: { id: userId, username: userId === ME.id ? "alice" : "bob" },
    action,
    role: action === "added" ? "member" : null,
    by: 9,
    at: "2026-01-01T00:00:00Z",
  };
}

/** Let awaited promises (getToken) settle. */
const flush = () => vi.advanceTimersByTimeAsync(0);

function setup(opts: Partial<ChatSocketOptions> = {}) {
  const sockets: FakeSocket[] = [];
  let ids = 0;
  const getToken = vi.fn(async () => "tok");
  const chat = new ChatSocket({
    url: "ws://test/ws",
    getToken,
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    random: () => 0.5, // jitter factor 0.75
    newId: () => `c${++ids}`,
    ...opts,
  });
  const notices: SocketNotice[] = [];
  chat.subscribe((n) => notices.push(n));
  const last = () => sockets[sockets.length - 1]!;
  /** The current socket opens, authenticates and gets `ready`. */
  const goOnline = async () => {
    const s = last();
    s.open();
    await flush();
    s.push(READY);
    return s;
  };
  const of = <K extends SocketNotice["kind"]>(kind: K) =>
    notices.filter((n): n is Extract<SocketNotice, { kind: K }> => n.kind === kind);
  const eventSeqs = () => of("event").map((n) => [n.event.room_id, n.event.seq]);
  return { chat, sockets, notices, getToken, last, goOnline, of, eventSeqs };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("connecting", () => {
  it("authenticates, goes online, then resumes every followed room in one frame", async () => {
    const t = setup();
    t.chat.follow(12, 41);
    t.chat.follow(15, 7);
    t.chat.start();
    expect(t.chat.state()).toBe("connecting");
    const s = t.last();
    s.open();
    await flush();
    expect(s.sent).toEqual([{ type: "auth", token: "tok" }]);
    expect(t.chat.state()).toBe("connecting");

    s.push(READY);
    expect(t.chat.state()).toBe("online");
    expect(t.of("state").map((n) => n.state)).toEqual(["connecting", "online"]);
    const resumes = s.sentOfType("resume");
    expect(resumes).toHaveLength(1);
    expect(resumes[0]!.rooms).toEqual({ "12": 41, "15": 7 });
  });

  it("splits the resume into frames of at most 500 rooms", async () => {
    const t = setup();
    for (let room = 1; room <= 501; room++) t.chat.follow(room, room);
    t.chat.start();
    const s = await t.goOnline();
    const resumes = s.sentOfType("resume");
    expect(resumes.map((r) => Object.keys(r.rooms as object).length)).toEqual([500, 1]);
    expect(resumes[1]!.rooms).toEqual({ "501": 501 });
  });

  it("sends no resume when it follows no room", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    expect(s.sentOfType("resume")).toEqual([]);
  });

  it("follow and unfollow while online send resume and unsubscribe", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    t.chat.follow(12, 3);
    expect(s.sentOfType("resume").map((r) => r.rooms)).toEqual([{ "12": 3 }]);
    t.chat.unfollow(12);
    expect(s.sentOfType("unsubscribe")).toEqual([{ type: "unsubscribe", room_ids: [12] }]);
    expect(t.chat.lastSeq(12)).toBeUndefined();
    s.push(message(12, 4));
    expect(t.of("event")).toEqual([]);
  });
});

describe("room events", () => {
  it("applies events in seq order and drops duplicates by (room, seq)", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.follow(15, 5);
    t.chat.start();
    const s = await t.goOnline();
    s.push(message(12, 6));
    s.push(message(12, 6));
    s.push(message(15, 6)); // same seq, another room: not a duplicate
    s.push(message(12, 7));
    s.push(message(12, 5));
    s.push(message(12, 7));
    expect(t.eventSeqs()).toEqual([
      [12, 6],
      [15, 6],
      [12, 7],
    ]);
    expect(t.chat.lastSeq(12)).toBe(7);
    expect(t.chat.lastSeq(15)).toBe(6);
  });

  it("on a gap resumes once from the last applied seq, then applies the replay in order", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.start();
    const s = await t.goOnline();
    s.push(message(12, 6));
    s.sent = [];

    s.push(message(12, 8));
    s.push(message(12, 9));
    expect(t.eventSeqs()).toEqual([[12, 6]]);
    expect(s.sent).toEqual([{ type: "resume", id: "resume", rooms: { "12": 6 } }]);

    for (const seq of [7, 8, 9]) s.push(message(12, seq)); // the replay
    s.push(message(12, 10)); // then live
    expect(t.eventSeqs().map(([, seq]) => seq)).toEqual([6, 7, 8, 9, 10]);
    expect(s.sentOfType("resume")).toHaveLength(1);
  });

  it("a gap right after connecting waits for the resume already sent", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.start();
    const s = await t.goOnline();
    s.push(message(12, 9));
    expect(s.sentOfType("resume")).toHaveLength(1);
  });

  it("stops following a room when I leave or am removed from it", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.follow(15, 1);
    t.chat.start();
    const s = await t.goOnline();
    s.push(member(12, 6, ME.id, "removed"));
    expect(t.of("event").map((n) => n.event)).toEqual([member(12, 6, ME.id, "removed")]);
    expect(t.chat.lastSeq(12)).toBeUndefined();
    s.push(message(12, 7));
    expect(t.of("event")).toHaveLength(1);

    s.push(member(15, 2, ME.id, "left"));
    expect(t.chat.lastSeq(15)).toBeUndefined();

    s.serverClose(1006);
    vi.advanceTimersByTime(1000);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("resume")).toEqual([]);
  });

  it("someone else's removal is an ordinary event", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.start();
    const s = await t.goOnline();
    s.push(member(12, 6, 8, "removed"));
    expect(t.chat.lastSeq(12)).toBe(6);
  });

  it("reports member events about me from rooms I do not follow as personal", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    s.push(member(30, 4, 8, "added")); // about someone else: ignored
    s.push(message(30, 5)); // not followed: ignored
    s.push(member(30, 6, ME.id, "added"));
    expect(t.of("personal")).toEqual([{ kind: "personal", event: member(30, 6, ME.id, "added") }]);
    expect(t.of("event")).toEqual([]);
    expect(t.chat.lastSeq(30)).toBeUndefined();
  });

  it("passes typing and read frames on as ephemeral without touching seqs", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.start();
    const s = await t.goOnline();
    const typing = { type: "typing", room_id: 12, user_id: 8, username: "bob" };
    const read = { type: "read", room_id: 12, user_id: 8, seq: 40 };
    s.push(typing);
    s.push(read);
    expect(t.of("ephemeral").map((n) => n.frame)).toEqual([typing, read]);
    expect(t.chat.lastSeq(12)).toBe(5);
  });
});

describe("resume errors", () => {
  it("resume_too_far reports the room and stops following it until follow() again", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.follow(15, 1);
    t.chat.start();
    const s = await t.goOnline();
    s.push({ type: "error", code: "resume_too_far", message: "far", id: "resume", room_id: 12, last_seq: 5210 });
    expect(t.of("resume_too_far")).toEqual([{ kind: "resume_too_far", roomId: 12, lastSeq: 5210 }]);
    expect(t.of("error")).toEqual([]);
    expect(t.chat.lastSeq(12)).toBeUndefined();
    s.push(message(12, 6));
    expect(t.of("event")).toEqual([]);

    s.serverClose(1006);
    vi.advanceTimersByTime(1000);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("resume").map((r) => r.rooms)).toEqual([{ "15": 1 }]);

    t.chat.follow(12, 5210);
    expect(s2.sentOfType("resume").map((r) => r.rooms)).toEqual([{ "15": 1 }, { "12": 5210 }]);
  });

  it("invalid_seq on a resume gives the same notice; on a read it is a plain error", async () => {
    const t = setup();
    t.chat.follow(12, 90);
    t.chat.start();
    const s = await t.goOnline();
    s.push({ type: "error", code: "invalid_seq", message: "read", id: null, room_id: 12 });
    expect(t.of("error")).toEqual([{ kind: "error", code: "invalid_seq", message: "read", roomId: 12 }]);
    expect(t.chat.lastSeq(12)).toBe(90);

    s.push({ type: "error", code: "invalid_seq", message: "seq", id: "resume", room_id: 12, last_seq: 40 });
    expect(t.of("resume_too_far")).toEqual([{ kind: "resume_too_far", roomId: 12, lastSeq: 40 }]);
    expect(t.chat.lastSeq(12)).toBeUndefined();
  });

  it("other resume failures are errors for that room, which is no longer followed", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.start();
    const s = await t.goOnline();
    s.push({ type: "error", code: "not_a_member", message: "join", id: "resume", room_id: 12 });
    expect(t.of("error")).toEqual([{ kind: "error", code: "not_a_member", message: "join", roomId: 12 }]);
    expect(t.chat.lastSeq(12)).toBeUndefined();
  });
});

describe("sending", () => {
  it("sends at once when online; the ack removes it", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const id = t.chat.send(12, "hello", 40);
    expect(id).toBe("c1");
    expect(t.chat.pending()).toEqual([{ clientMsgId: "c1", roomId: 12, body: "hello", replyTo: 40, status: "pending" }]);
    expect(s.sentOfType("send")).toEqual([
      { type: "send", room_id: 12, client_msg_id: "c1", body: "hello", reply_to: 40 },
    ]);
    s.push({ type: "ack", room_id: 12, client_msg_id: "c1", message_id: 42, seq: 42, id: null });
    expect(t.chat.pending()).toEqual([]);
    expect(t.of("ack")).toEqual([{ kind: "ack", roomId: 12, clientMsgId: "c1", seq: 42 }]);
    expect(t.of("pending").map((n) => n.pending.length)).toEqual([1, 0]);
  });

  it("queues a send while offline and sends it after ready, after the resume", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    const id = t.chat.send(12, "early");
    expect(t.of("pending")).toHaveLength(1);
    t.chat.start();
    const s = await t.goOnline();
    expect(s.sent.map((f) => f.type)).toEqual(["auth", "resume", "send"]);
    expect(s.sentOfType("send")).toEqual([{ type: "send", room_id: 12, client_msg_id: id, body: "early" }]);
  });

  it("re-sends pending sends after a reconnect with the same ids, in order", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    t.chat.send(12, "one");
    t.chat.send(15, "two");
    t.chat.send(12, "three");
    s.push({ type: "ack", room_id: 15, client_msg_id: "c2", message_id: 8, seq: 8 });
    s.serverClose(4008, "send queue overflow");
    t.chat.send(12, "four"); // while reconnecting

    vi.advanceTimersByTime(1000);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("send").map((f) => [f.client_msg_id, f.body])).toEqual([
      ["c1", "one"],
      ["c3", "three"],
      ["c4", "four"],
    ]);
    for (const id of ["c3", "c1", "c4"]) s2.push({ type: "ack", room_id: 12, client_msg_id: id, seq: 1 });
    expect(t.chat.pending()).toEqual([]);
    expect(t.of("ack").map((n) => n.clientMsgId)).toEqual(["c2", "c3", "c1", "c4"]);
  });

  it("a non-retriable error marks the send failed; retry() sends it again with the same id", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const id = t.chat.send(12, "x".repeat(5000));
    s.push({ type: "error", code: "message_too_long", message: "too long", id: null, room_id: 12, client_msg_id: id });
    expect(t.chat.pending()).toEqual([
      expect.objectContaining({ clientMsgId: id, status: "failed", error: { code: "message_too_long", message: "too long" } }),
    ]);
    expect(t.of("pending").at(-1)!.pending[0]!.status).toBe("failed");
    expect(t.of("error")).toEqual([]);

    vi.advanceTimersByTime(20_000); // a failed send is not retried on its own (nor pinged away)
    expect(s.sentOfType("send")).toHaveLength(1);

    t.chat.retry(id);
    expect(t.chat.pending()).toEqual([{ clientMsgId: id, roomId: 12, body: "x".repeat(5000), replyTo: null, status: "pending" }]);
    expect(s.sentOfType("send").map((f) => f.client_msg_id)).toEqual([id, id]);
  });

  it("a send with files carries their ids, and a retry carries them again", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const files = [
      { id: 7, filename: "cat.png", content_type: "image/png", size: 10, width: 4, height: 3, thumbnail: true },
      { id: 9, filename: "notes.txt", content_type: "text/plain", size: 5, width: null, height: null, thumbnail: false },
    ];
    const id = t.chat.send(12, "", null, files);
    expect(t.chat.pending()[0]!.attachments).toEqual(files);
    s.push({ type: "error", code: "attachment_invalid", message: "no", room_id: 12, client_msg_id: id });
    t.chat.retry(id);
    expect(s.sentOfType("send")).toEqual([
      { type: "send", room_id: 12, client_msg_id: id, body: "", attachments: [7, 9] },
      { type: "send", room_id: 12, client_msg_id: id, body: "", attachments: [7, 9] },
    ]);
    expect(t.chat.pending()[0]!.attachments).toEqual(files);
  });

  it("discard() drops a failed send only", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const failed = t.chat.send(12, "a");
    const pending = t.chat.send(12, "b");
    s.push({ type: "error", code: "not_a_member", message: "no", room_id: 12, client_msg_id: failed });
    t.chat.discard(pending);
    t.chat.discard(failed);
    expect(t.chat.pending().map((p) => p.clientMsgId)).toEqual([pending]);
  });

  it("a failed send is not re-sent on reconnect", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const id = t.chat.send(12, "a");
    s.push({ type: "error", code: "reply_not_found", message: "no", room_id: 12, client_msg_id: id });
    s.serverClose(1001);
    vi.advanceTimersByTime(1000);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("send")).toEqual([]);
  });

  it("a retriable error keeps the send pending and retries it after a short delay", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const id = t.chat.send(12, "a");
    s.push({ type: "error", code: "unavailable", message: "db", room_id: 12, client_msg_id: id });
    expect(t.chat.pending()[0]!.status).toBe("pending");
    expect(s.sentOfType("send")).toHaveLength(1);

    vi.advanceTimersByTime(375); // 500 * 0.75
    expect(s.sentOfType("send").map((f) => f.client_msg_id)).toEqual([id, id]);

    s.push({ type: "error", code: "internal_error", message: "bug", room_id: 12, client_msg_id: id });
    vi.advanceTimersByTime(749);
    expect(s.sentOfType("send")).toHaveLength(2);
    vi.advanceTimersByTime(1); // then 1000 * 0.75
    expect(s.sentOfType("send")).toHaveLength(3);
    expect(t.chat.pending()[0]!.status).toBe("pending");

    // An ack means the server is healthy again: the next retry delay starts over.
    s.push({ type: "ack", room_id: 12, client_msg_id: id, seq: 3 });
    const next = t.chat.send(12, "b");
    s.push({ type: "error", code: "unavailable", message: "db", room_id: 12, client_msg_id: next });
    vi.advanceTimersByTime(375);
    expect(s.sentOfType("send").map((f) => f.client_msg_id)).toEqual([id, id, id, next, next]);
  });
});

describe("reconnecting", () => {
  it("waits min(max, base * 2^attempt) with jitter, and starts over after ready", async () => {
    const t = setup({ random: () => 0.2, backoff: { baseMs: 500, maxMs: 2000 } }); // jitter 0.6
    t.chat.start();
    await t.goOnline();

    const expectNextSocketAfter = (ms: number) => {
      const count = t.sockets.length;
      vi.advanceTimersByTime(ms - 1);
      expect(t.sockets).toHaveLength(count);
      vi.advanceTimersByTime(1);
      expect(t.sockets).toHaveLength(count + 1);
    };
    t.last().serverClose(1006);
    expect(t.chat.state()).toBe("reconnecting");
    for (const ms of [300, 600, 1200, 1200, 1200]) {
      expectNextSocketAfter(ms);
      t.last().serverClose(1006); // the attempt fails
    }
    expectNextSocketAfter(1200);
    await t.goOnline();
    expect(t.chat.state()).toBe("online");

    t.last().serverClose(1001);
    expectNextSocketAfter(300);
    expect(t.of("state").map((n) => n.state)).toEqual(["connecting", "online", "reconnecting", "online", "reconnecting"]);
  });

  it("resumes from the last applied seqs after a reconnect", async () => {
    const t = setup();
    t.chat.follow(12, 5);
    t.chat.follow(15, 1);
    t.chat.start();
    const s = await t.goOnline();
    s.push(message(12, 6));
    s.push(message(12, 7));
    s.push(message(12, 9)); // a gap: not applied
    s.serverClose(4008);
    vi.advanceTimersByTime(375);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("resume").map((r) => r.rooms)).toEqual([{ "12": 7, "15": 1 }]);
    s2.push(message(12, 7)); // overlap with what we had
    s2.push(message(12, 8));
    expect(t.eventSeqs().map(([, seq]) => seq)).toEqual([6, 7, 8]);
  });

  it("asks for a token on every connect, so a 4001 close gets a fresh one", async () => {
    const tokens = ["old", "new"];
    const t = setup({ getToken: vi.fn(async () => tokens.shift()!) });
    t.chat.start();
    const s = await t.goOnline();
    s.push({ type: "error", code: "token_expired", message: "expired" });
    s.serverClose(4001, "token_expired");
    expect(t.of("error")).toEqual([]); // the reconnect handles it
    vi.advanceTimersByTime(375);
    const s2 = t.last();
    s2.open();
    await flush();
    expect(s.sentOfType("auth")).toEqual([{ type: "auth", token: "old" }]);
    expect(s2.sentOfType("auth")).toEqual([{ type: "auth", token: "new" }]);
  });

  it("becomes unauthorized and stops when no token can be had", async () => {
    const getToken = vi.fn(async () => "tok");
    const t = setup({ getToken });
    t.chat.start();
    const s = await t.goOnline();
    s.serverClose(4001, "invalid_token");
    getToken.mockRejectedValue(new Error("signed out"));
    vi.advanceTimersByTime(375);
    const s2 = t.last();
    s2.open();
    await flush();
    expect(t.chat.state()).toBe("unauthorized");
    expect(s2.sentOfType("auth")).toEqual([]);
    expect(s2.closedWith).not.toBeNull();
    vi.advanceTimersByTime(60_000);
    expect(t.sockets).toHaveLength(2);
  });

  it("stop() closes the socket, goes offline and does not reconnect", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    t.chat.stop();
    expect(s.closedWith?.code).toBe(1000);
    expect(t.chat.state()).toBe("offline");
    s.serverClose(1000); // the late close event of the stopped socket
    vi.advanceTimersByTime(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.chat.state()).toBe("offline");
  });

  it("stop() while waiting to reconnect cancels the attempt", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    s.serverClose(1006);
    t.chat.stop();
    vi.advanceTimersByTime(60_000);
    expect(t.sockets).toHaveLength(1);
  });
});

describe("heartbeat", () => {
  it("pings every heartbeatMs while frames arrive", async () => {
    const t = setup({ heartbeatMs: 1000 });
    t.chat.start();
    const s = await t.goOnline();
    vi.advanceTimersByTime(999);
    expect(s.sentOfType("ping")).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(s.sentOfType("ping")).toHaveLength(1);
    s.push({ type: "pong", id: null });
    vi.advanceTimersByTime(1000);
    expect(s.sentOfType("ping")).toHaveLength(2);
    s.push(message(99, 1)); // any frame counts, even one for a room we ignore
    vi.advanceTimersByTime(1000);
    expect(s.sentOfType("ping")).toHaveLength(3);
    expect(s.closedWith).toBeNull();
  });

  it("closes with 4000 and reconnects when the server stays silent after a ping", async () => {
    const t = setup({ heartbeatMs: 1000 });
    t.chat.follow(12, 5);
    t.chat.start();
    const s = await t.goOnline();
    s.push(message(12, 6));
    vi.advanceTimersByTime(1000);
    expect(s.sentOfType("ping")).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(s.closedWith).toBeNull();
    vi.advanceTimersByTime(1);
    expect(s.closedWith?.code).toBe(4000);
    expect(t.chat.state()).toBe("reconnecting");

    vi.advanceTimersByTime(375);
    expect(t.sockets).toHaveLength(2);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("resume").map((r) => r.rooms)).toEqual([{ "12": 6 }]);
  });

  it("does not ping while offline", async () => {
    const t = setup({ heartbeatMs: 1000 });
    t.chat.start();
    const s = await t.goOnline();
    s.serverClose(1006);
    vi.advanceTimersByTime(5000); // the next socket is created but never opens
    expect(t.sockets).toHaveLength(2);
    expect(s.sentOfType("ping")).toHaveLength(0);
    expect(t.last().sent).toEqual([]);
  });
});

describe("read markers and typing", () => {
  it("markRead sends only the highest seq per room, and what was asked offline after ready", async () => {
    const t = setup();
    t.chat.markRead(12, 3);
    t.chat.markRead(12, 5);
    t.chat.markRead(12, 4);
    t.chat.start();
    const s = await t.goOnline();
    expect(s.sentOfType("read")).toEqual([{ type: "read", room_id: 12, seq: 5 }]);
    t.chat.markRead(12, 5);
    t.chat.markRead(12, 2);
    t.chat.markRead(15, 1);
    t.chat.markRead(12, 6);
    expect(s.sentOfType("read").map((f) => [f.room_id, f.seq])).toEqual([
      [12, 5],
      [15, 1],
      [12, 6],
    ]);
  });

  it("typing is sent at most every 2 s per room, and never offline", async () => {
    const t = setup();
    t.chat.typing(12);
    t.chat.start();
    const s = await t.goOnline();
    t.chat.typing(12);
    t.chat.typing(12);
    t.chat.typing(15);
    vi.advanceTimersByTime(1999);
    t.chat.typing(12);
    expect(s.sentOfType("typing").map((f) => f.room_id)).toEqual([12, 15]);
    vi.advanceTimersByTime(1);
    t.chat.typing(12);
    expect(s.sentOfType("typing").map((f) => f.room_id)).toEqual([12, 15, 12]);
  });
});

describe("listeners", () => {
  it("subscribe returns an unsubscribe function", async () => {
    const t = setup();
    const seen: SocketNotice[] = [];
    const off = t.chat.subscribe((n) => seen.push(n));
    t.chat.start();
    off();
    await t.goOnline();
    expect(seen).toEqual([{ kind: "state", state: "connecting" }]);
  });

  it("a listener that throws does not keep the others from the notice", async () => {
    const rethrown = vi.spyOn(globalThis, "queueMicrotask").mockImplementation(() => {});
    try {
      const t = setup();
      const later: SocketNotice[] = [];
      t.chat.subscribe(() => {
        throw new Error("broken listener");
      });
      t.chat.subscribe((n) => later.push(n));
      t.chat.follow(12, 0);
      t.chat.start();
      const s = await t.goOnline();
      s.push(message(12, 1));
      s.push(message(12, 2));
      expect(later.filter((n) => n.kind === "event")).toHaveLength(2);
      expect(t.chat.lastSeq(12)).toBe(2);
      expect(rethrown).toHaveBeenCalled();
    } finally {
      rethrown.mockRestore();
    }
  });

  it("reports error frames not tied to a send", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    s.push({ type: "error", code: "not_a_member", message: "join first", id: null });
    expect(t.of("error")).toEqual([{ kind: "error", code: "not_a_member", message: "join first", roomId: undefined }]);
  });
});

describe("rate limits", () => {
  it("a rate_limited send waits retry_after, says when, then goes out again with the same id", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const now = Date.now();
    const a = t.chat.send(12, "a");
    const b = t.chat.send(12, "b");
    s.push({ type: "error", code: "rate_limited", message: "slow down", retry_after: 3.2, id: null, room_id: 12, client_msg_id: a });
    s.push({ type: "error", code: "rate_limited", message: "slow down", retry_after: 3.1, id: null, room_id: 12, client_msg_id: b });
    expect(t.chat.pending().map((p) => [p.status, p.retryAt])).toEqual([
      ["pending", now + 3300],
      ["pending", now + 3300],
    ]);
    expect(t.of("pending").at(-1)!.pending[0]!.retryAt).toBe(now + 3300);

    vi.advanceTimersByTime(3299);
    expect(s.sentOfType("send")).toHaveLength(2);
    vi.advanceTimersByTime(1);
    // Both again, in the order they were written, and no longer marked as waiting.
    expect(s.sentOfType("send").map((f) => f.client_msg_id)).toEqual([a, b, a, b]);
    expect(t.chat.pending().map((p) => p.retryAt)).toEqual([undefined, undefined]);

    s.push({ type: "ack", room_id: 12, client_msg_id: a, seq: 40 });
    s.push({ type: "ack", room_id: 12, client_msg_id: b, seq: 41 });
    expect(t.chat.pending()).toEqual([]);
  });

  it("a reconnect re-sends a send waiting out the limit at once, no longer marked as waiting", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const a = t.chat.send(12, "a");
    s.push({ type: "error", code: "rate_limited", message: "slow", retry_after: 9, room_id: 12, client_msg_id: a });
    expect(t.chat.pending()[0]!.retryAt).toBeDefined();
    s.serverClose(1011);
    vi.advanceTimersByTime(1000);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("send").map((f) => f.client_msg_id)).toEqual([a]);
    expect(t.chat.pending()[0]!.retryAt).toBeUndefined();
    vi.advanceTimersByTime(10_000); // the old timer died with the connection
    expect(s2.sentOfType("send")).toHaveLength(1);
  });

  it("a later, longer retry_after pushes the retry back; a shorter one does not bring it forward", async () => {
    const t = setup();
    t.chat.start();
    const s = await t.goOnline();
    const a = t.chat.send(12, "a");
    s.push({ type: "error", code: "unavailable", message: "db", room_id: 12, client_msg_id: a }); // backoff 375 ms
    const b = t.chat.send(12, "b");
    s.push({ type: "error", code: "rate_limited", message: "slow", retry_after: 1, room_id: 12, client_msg_id: b });
    vi.advanceTimersByTime(500); // past the 375 ms backoff: a waits with b
    expect(s.sentOfType("send")).toHaveLength(2);
    const c = t.chat.send(12, "c");
    s.push({ type: "error", code: "rate_limited", message: "slow", retry_after: 0.1, room_id: 12, client_msg_id: c });
    vi.advanceTimersByTime(599);
    expect(s.sentOfType("send")).toHaveLength(3);
    vi.advanceTimersByTime(1); // 1100 ms: b's retry_after + 100
    expect(s.sentOfType("send").slice(3).map((f) => f.client_msg_id)).toEqual([a, b, c]);
  });

  it("rateLimitDelayMs: retry_after plus a margin, bounded", async () => {
    const { rateLimitDelayMs } = await import("./socket");
    expect(rateLimitDelayMs(2.5)).toBe(2600);
    expect(rateLimitDelayMs(-1)).toBe(100);
    expect(rateLimitDelayMs(Number.NaN)).toBe(1100);
    expect(rateLimitDelayMs(1e9)).toBe(60_000);
  });
});

describe("presence", () => {
  it("sends away and online when they change, and repeats away on a new connection", async () => {
    const t = setup();
    t.chat.presence("away"); // offline: remembered
    t.chat.start();
    const s = await t.goOnline();
    expect(s.sentOfType("presence")).toEqual([{ type: "presence", status: "away" }]);
    t.chat.presence("away");
    t.chat.presence("online");
    expect(s.sentOfType("presence").map((f) => f.status)).toEqual(["away", "online"]);
    s.serverClose(1011);
    vi.advanceTimersByTime(1000);
    const s2 = await t.goOnline();
    expect(s2.sentOfType("presence")).toEqual([]); // a new socket starts online
  });
});
