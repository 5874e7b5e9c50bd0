/**
 * ChatSocket: the real-time client of tipchat (protocol version 1, docs/protocol.md §8).
 *
 * One object per signed-in user. It keeps one WebSocket open (reconnecting with backoff),
 * tracks the last applied seq of every followed room so that each room event reaches the
 * listeners exactly once and in order, and keeps outgoing messages until the server acks
 * them. Plain TypeScript: the React hooks sit on top of `subscribe`.
 */
import type {
  AttachmentRef,
  ChatSocketApi,
  ChatSocketOptions,
  ConnectionState,
  EphemeralFrame,
  Listener,
  PendingSend,
  RoomEvent,
  SocketNotice,
  WebSocketLike,
} from "./types";

/** Frames the server sends; only the fields this client reads. */
type ServerFrame =
  | RoomEvent
  | EphemeralFrame
  | { type: "ready"; user: { id: number; username: string } }
  | { type: "ack"; room_id: number; client_msg_id: string; seq: number }
  | ErrorFrame
  | { type: "subscribed" | "unsubscribed" | "pong" };

interface ErrorFrame {
  type: "error";
  code: string;
  message: string;
  id?: string | number | null;
  room_id?: number;
  client_msg_id?: string;
  last_seq?: number;
  /** With `rate_limited`: seconds until the server takes the frame again. */
  retry_after?: number;
}

/** The server takes at most this many rooms in one resume/subscribe/unsubscribe frame. */
const MAX_ROOMS_PER_FRAME = 500;
/** The server passes typing notices on at most this often per room; more would be dropped. */
const TYPING_INTERVAL_MS = 2000;
/** Send errors that say "not now" rather than "never": the send stays pending. */
const RETRIABLE_SEND_ERRORS = new Set(["unavailable", "internal_error", "rate_limited"]);
/** Errors that precede a 4001 close; the reconnect (with a fresh token) handles them. */
const AUTH_ERRORS = new Set(["not_authenticated", "invalid_token", "token_expired", "session_revoked"]);
/**
 * The `id` of every resume frame. The server echoes it in per-room errors, which tells a
 * failed resume (the server no longer follows the room) from, say, an `invalid_seq` that
 * answers a `read`.
 */
const RESUME_ID = "resume";
const CLOSE_NORMAL = 1000;
const CLOSE_HEARTBEAT = 4000;

export class ChatSocket implements ChatSocketApi {
  private readonly opts: Required<ChatSocketOptions>;
  private readonly listeners = new Set<Listener>();
  private current: ConnectionState = "offline";
  private sock: WebSocketLike | null = null;
  private me: number | null = null;

  /** Followed rooms → last applied room-event seq. */
  private readonly rooms = new Map<number, number>();
  /** Room → the seq we last asked the server to replay from on this socket (one resume per gap). */
  private readonly resumedFrom = new Map<number, number>();
  /** Sends not yet acked, in the order they were first queued (Map keeps insertion order). */
  private readonly outbox = new Map<string, PendingSend>();
  /** Pending sends that got a retriable error and wait for the send-retry timer. */
  private readonly retryIds = new Set<string>();
  /** Room → highest read marker asked for, and whether it went out on this connection. */
  private readonly reads = new Map<number, { seq: number; sent: boolean }>();
  private readonly typingSentAt = new Map<number, number>();
  /** What I last said about my presence; a new socket starts "online", so "away" is repeated. */
  private presenceStatus: "online" | "away" = "online";

  private attempt = 0;
  private sendRetryAttempt = 0;
  private awaitingFrame = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private sendRetryTimer: ReturnType<typeof setTimeout> | undefined;
  /** When (epoch ms) the armed send-retry timer fires. */
  private sendRetryDue = 0;

  constructor(options: ChatSocketOptions) {
    this.opts = {
      url: options.url,
      getToken: options.getToken,
      // The DOM WebSocket types its handlers with MessageEvent/CloseEvent; it has the shape.
      createSocket: options.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike),
      backoff: options.backoff ?? { baseMs: 500, maxMs: 15000 },
      heartbeatMs: options.heartbeatMs ?? 25000,
      random: options.random ?? Math.random,
      newId: options.newId ?? randomId,
    };
  }

  // -- public API ------------------------------------------------------------------------

  start(): void {
    if (this.current !== "offline" && this.current !== "unauthorized") return;
    this.attempt = 0;
    this.setState("connecting");
    this.connect();
  }

  stop(): void {
    this.shutdown("offline");
  }

  follow(roomId: number, lastSeq: number): void {
    this.rooms.set(roomId, lastSeq);
    if (this.isOnline()) this.sendResume([[roomId, lastSeq]]);
  }

  unfollow(roomId: number): void {
    if (!this.rooms.delete(roomId)) return;
    this.resumedFrom.delete(roomId);
    if (this.isOnline()) this.sendFrame({ type: "unsubscribe", room_ids: [roomId] });
  }

  lastSeq(roomId: number): number | undefined {
    return this.rooms.get(roomId);
  }

  send(roomId: number, body: string, replyTo: number | null = null, attachments: AttachmentRef[] = []): string {
    const item: PendingSend = {
      clientMsgId: this.opts.newId(),
      roomId,
      body,
      replyTo,
      status: "pending",
      ...(attachments.length > 0 ? { attachments } : {}),
    };
    this.outbox.set(item.clientMsgId, item);
    this.emitPending();
    if (this.isOnline()) this.transmit(item);
    return item.clientMsgId;
  }

  retry(clientMsgId: string): void {
    const item = this.outbox.get(clientMsgId);
    if (item?.status !== "failed") return;
    const { clientMsgId: id, roomId, body, replyTo, attachments } = item;
    const again: PendingSend = {
      clientMsgId: id,
      roomId,
      body,
      replyTo,
      status: "pending",
      ...(attachments ? { attachments } : {}),
    };
    this.outbox.set(clientMsgId, again); // same key: keeps its place in the queue
    this.emitPending();
    if (this.isOnline()) this.transmit(again);
  }

  discard(clientMsgId: string): void {
    if (this.outbox.get(clientMsgId)?.status !== "failed") return;
    this.outbox.delete(clientMsgId);
    this.emitPending();
  }

  pending(): PendingSend[] {
    return [...this.outbox.values()];
  }

  markRead(roomId: number, seq: number): void {
    const known = this.reads.get(roomId);
    if (known && known.seq >= seq) return; // the stored marker only moves forward anyway
    this.reads.set(roomId, { seq, sent: false });
    if (this.isOnline()) this.flushReads();
  }

  typing(roomId: number): void {
    if (!this.isOnline()) return; // ephemeral: worthless later
    const now = Date.now();
    const last = this.typingSentAt.get(roomId);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return;
    this.typingSentAt.set(roomId, now);
    this.sendFrame({ type: "typing", room_id: roomId });
  }

  presence(status: "online" | "away"): void {
    if (status === this.presenceStatus) return;
    this.presenceStatus = status;
    if (this.isOnline()) this.sendFrame({ type: "presence", status });
  }

  state(): ConnectionState {
    return this.current;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -- connection ------------------------------------------------------------------------

  private connect(): void {
    this.reconnectTimer = undefined;
    const sock = this.opts.createSocket(this.opts.url);
    this.sock = sock;
    // Every handler checks that `sock` is still the current socket: a replaced or stopped
    // socket can still fire late events, and they must not touch the new connection.
    sock.onopen = () => void this.authenticate(sock);
    sock.onmessage = (ev) => {
      if (this.sock === sock) this.onData(ev.data);
    };
    sock.onclose = () => {
      if (this.sock !== sock) return;
      this.sock = null;
      this.connectionLost();
    };
    sock.onerror = null; // a failed socket also fires close, which does the work
  }

  /** Ask for the token on every connect, so a reconnect after 4001 gets a fresh one. */
  private async authenticate(sock: WebSocketLike): Promise<void> {
    let token: string;
    try {
      token = await this.opts.getToken();
    } catch {
      if (this.sock === sock) this.shutdown("unauthorized"); // signed out: retrying is useless
      return;
    }
    if (this.sock === sock) this.sendFrame({ type: "auth", token });
  }

  private onReady(user: { id: number }): void {
    this.me = user.id;
    this.attempt = 0;
    // Catch up before announcing "online": a listener that reacts by calling follow()
    // then adds its own resume instead of racing this one.
    this.sendResume([...this.rooms]);
    if (this.presenceStatus === "away") this.sendFrame({ type: "presence", status: "away" });
    let waited = false;
    for (const item of [...this.outbox.values()]) {
      if (item.status !== "pending") continue;
      if (item.retryAt !== undefined) {
        // Re-sent now like every pending send; no longer waiting out a limit.
        const again: PendingSend = { ...item };
        delete again.retryAt;
        this.outbox.set(item.clientMsgId, again);
        waited = true;
      }
      this.transmit(item);
    }
    if (waited) this.emitPending();
    this.flushReads();
    this.awaitingFrame = false;
    this.armHeartbeat();
    this.setState("online");
  }

  private connectionLost(): void {
    this.clearTimers();
    this.resumedFrom.clear();
    this.retryIds.clear(); // the reconnect re-sends every pending send anyway
    const delay = this.backoffDelay(this.attempt++);
    this.setState("reconnecting");
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private shutdown(state: "offline" | "unauthorized"): void {
    this.clearTimers();
    this.resumedFrom.clear();
    this.retryIds.clear();
    const sock = this.sock;
    this.sock = null;
    sock?.close(CLOSE_NORMAL, "client stopped");
    this.setState(state);
  }

  /** Exponential backoff with jitter: min(max, base * 2^n) scaled into [0.5, 1). */
  private backoffDelay(n: number): number {
    const { baseMs, maxMs } = this.opts.backoff;
    return Math.min(maxMs, baseMs * 2 ** n) * (0.5 + this.opts.random() / 2);
  }

  /** A ping every heartbeatMs; if nothing at all came back since the last one, the link is dead. */
  private armHeartbeat(): void {
    this.heartbeatTimer = setTimeout(() => {
      if (this.awaitingFrame) return this.dropDeadSocket();
      this.sendFrame({ type: "ping" });
      this.awaitingFrame = true;
      this.armHeartbeat();
    }, this.opts.heartbeatMs);
  }

  /** A dead link may take long to report its close: detach at once and reconnect. */
  private dropDeadSocket(): void {
    const sock = this.sock;
    this.sock = null;
    sock?.close(CLOSE_HEARTBEAT, "heartbeat timeout");
    this.connectionLost();
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.sendRetryTimer);
    this.reconnectTimer = this.heartbeatTimer = this.sendRetryTimer = undefined;
  }

  // -- incoming frames -------------------------------------------------------------------

  private onData(data: unknown): void {
    this.awaitingFrame = false; // any frame proves the link is alive
    if (typeof data !== "string") return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case "ready":
        return this.onReady(frame.user);
      case "ack":
        return this.onAck(frame);
      case "error":
        return this.onError(frame);
      case "message":
      case "message_updated":
      case "member":
      case "room_updated":
      case "tip_updated":
        return this.onRoomEvent(frame);
      case "typing":
      case "read":
      case "presence":
        return this.emit({ kind: "ephemeral", frame });
    }
  }

  /** Apply a room event exactly once, in seq order (protocol §8.2-8.4). */
  private onRoomEvent(event: RoomEvent): void {
    const roomId = event.room_id;
    const last = this.rooms.get(roomId);
    if (last === undefined) {
      // The personal channel: news about me from a room this socket does not follow.
      if (this.isAboutMe(event)) this.emit({ kind: "personal", event });
      return;
    }
    if (event.seq <= last) return; // already applied (overlapping replays)
    if (event.seq > last + 1) return this.fillGap(roomId, last);
    this.rooms.set(roomId, event.seq);
    if (this.isAboutMe(event) && (event.action === "left" || event.action === "removed")) {
      // The server has stopped delivering this room to us; do not resume it again.
      this.rooms.delete(roomId);
      this.resumedFrom.delete(roomId);
    }
    this.emit({ kind: "event", event });
  }

  /** Seqs jumped: have the server replay from our cursor, once until the cursor moves. */
  private fillGap(roomId: number, last: number): void {
    if (this.resumedFrom.get(roomId) === last) return;
    this.sendResume([[roomId, last]]);
  }

  private isAboutMe(event: RoomEvent): event is Extract<RoomEvent, { type: "member" }> {
    return event.type === "member" && event.user.id === this.me;
  }

  private onAck(frame: { room_id: number; client_msg_id: string; seq: number }): void {
    const id = frame.client_msg_id;
    if (!this.outbox.delete(id)) return; // the repeat ack of a re-send
    this.retryIds.delete(id);
    this.sendRetryAttempt = 0;
    this.emit({ kind: "ack", roomId: frame.room_id, clientMsgId: id, seq: frame.seq });
    this.emitPending();
  }

  private onError(frame: ErrorFrame): void {
    if (frame.client_msg_id !== undefined) return this.onSendError(frame, frame.client_msg_id);
    if (frame.id === RESUME_ID && frame.room_id !== undefined) {
      return this.onResumeError(frame, frame.room_id);
    }
    if (AUTH_ERRORS.has(frame.code)) return;
    this.emit({ kind: "error", code: frame.code, message: frame.message, roomId: frame.room_id });
  }

  private onSendError(frame: ErrorFrame, id: string): void {
    const item = this.outbox.get(id);
    if (item?.status !== "pending") return;
    if (frame.code === "rate_limited" && typeof frame.retry_after === "number") {
      // The server said when: wait exactly that long, and let the UI say so meanwhile.
      this.scheduleSendRetry(id, rateLimitDelayMs(frame.retry_after));
      // Every send waiting out the limit goes at the one timer's time.
      for (const waiting of this.retryIds) {
        const send = this.outbox.get(waiting);
        if (send?.status === "pending" && (waiting === id || send.retryAt !== undefined)) {
          this.outbox.set(waiting, { ...send, retryAt: this.sendRetryDue });
        }
      }
      return this.emitPending();
    }
    if (RETRIABLE_SEND_ERRORS.has(frame.code)) return this.scheduleSendRetry(id);
    this.retryIds.delete(id);
    const error = { code: frame.code, message: frame.message };
    this.outbox.set(id, { ...item, status: "failed", error });
    this.emitPending();
  }

  /** A room that failed to resume is not followed by the server, so we stop following it too. */
  private onResumeError(frame: ErrorFrame, roomId: number): void {
    this.rooms.delete(roomId);
    this.resumedFrom.delete(roomId);
    if (frame.code === "resume_too_far" || frame.code === "invalid_seq") {
      // Either way the cached room is unusable: the app reloads it over REST, then follow()s.
      this.emit({ kind: "resume_too_far", roomId, lastSeq: frame.last_seq ?? 0 });
    } else {
      this.emit({ kind: "error", code: frame.code, message: frame.message, roomId });
    }
  }

  // -- outgoing frames -------------------------------------------------------------------

  /**
   * Retriable failures go out again after a backoff delay, or after `minDelayMs` when the
   * server named one (rate_limited); or with the next reconnect. One timer serves them all:
   * it is pushed back when a later retry_after needs it, never brought forward, since the
   * send limit is per user and every waiting send would be refused again before then.
   */
  private scheduleSendRetry(id: string, minDelayMs?: number): void {
    this.retryIds.add(id);
    const now = Date.now();
    if (this.sendRetryTimer !== undefined) {
      if (minDelayMs === undefined || now + minDelayMs <= this.sendRetryDue) return;
      clearTimeout(this.sendRetryTimer);
    }
    const delay = minDelayMs ?? this.backoffDelay(this.sendRetryAttempt++);
    this.sendRetryDue = now + delay;
    this.sendRetryTimer = setTimeout(() => {
      this.sendRetryTimer = undefined;
      // In queue order, so the messages keep the order they were written in.
      for (const item of [...this.outbox.values()]) {
        if (!this.retryIds.has(item.clientMsgId) || item.status !== "pending") continue;
        const again: PendingSend = { ...item };
        delete again.retryAt;
        this.outbox.set(item.clientMsgId, again);
        this.transmit(again);
      }
      this.retryIds.clear();
      this.emitPending();
    }, delay);
  }

  private transmit(item: PendingSend): void {
    this.sendFrame({
      type: "send",
      room_id: item.roomId,
      client_msg_id: item.clientMsgId, // the same id on every try: the server dedupes on it
      body: item.body,
      ...(item.replyTo !== null ? { reply_to: item.replyTo } : {}),
      ...(item.attachments ? { attachments: item.attachments.map((a) => a.id) } : {}),
    });
  }

  private sendResume(entries: [number, number][]): void {
    for (let i = 0; i < entries.length; i += MAX_ROOMS_PER_FRAME) {
      const chunk = entries.slice(i, i + MAX_ROOMS_PER_FRAME);
      chunk.forEach(([roomId, seq]) => this.resumedFrom.set(roomId, seq));
      this.sendFrame({ type: "resume", id: RESUME_ID, rooms: Object.fromEntries(chunk) });
    }
  }

  private flushReads(): void {
    for (const [roomId, read] of this.reads) {
      if (read.sent) continue;
      read.sent = true;
      this.sendFrame({ type: "read", room_id: roomId, seq: read.seq });
    }
  }

  private sendFrame(frame: Record<string, unknown>): void {
    this.sock?.send(JSON.stringify(frame));
  }

  // -- notices ---------------------------------------------------------------------------

  private isOnline(): boolean {
    return this.current === "online";
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    this.emit({ kind: "state", state });
  }

  private emitPending(): void {
    this.emit({ kind: "pending", pending: this.pending() });
  }

  private emit(notice: SocketNotice): void {
    // A copy: a listener may unsubscribe while we iterate.
    for (const listener of [...this.listeners]) {
      try {
        listener(notice);
      } catch (err) {
        // One broken listener must not stop the others or corrupt our seq tracking.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

/**
 * How long to wait after a `rate_limited` send: the server's retry_after (seconds), plus a
 * little so the retry lands in the next window rather than at its very edge, capped at a
 * minute in case of a nonsense value.
 */
export function rateLimitDelayMs(retryAfterS: number): number {
  const ms = Number.isFinite(retryAfterS) ? Math.max(0, retryAfterS) * 1000 : 1000;
  return Math.min(60_000, Math.ceil(ms) + 100);
}

/**
 * A random client_msg_id. crypto.randomUUID exists only in secure contexts (https or
 * localhost); getRandomValues works on a plain-http LAN address too.
 */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
