/**
 * The contract of the real-time client (protocol version 1, docs/protocol.md), shared by
 * the ChatSocket class (socket.ts) and the React hooks that use it. No React here.
 */
import type { components } from "../api/schema";

export type ConnectionState =
  | "connecting" // first connection attempt
  | "online" // authenticated (`ready` received)
  | "reconnecting" // lost; waiting for the next attempt (backoff)
  | "offline" // stopped, or signed out
  | "unauthorized"; // the server refused our token and a fresh one could not be had

export interface MessageSnapshot {
  room_id: number;
  seq: number;
  sender_id: number;
  sender: string;
  client_msg_id: string;
  kind: "text" | "tip" | "system";
  body: string | null;
  reply_to: number | null;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  /** For kind "tip": the tip's current state (kept current by tip_updated). */
  tip?: TipSnapshot | null;
  /** One entry per emoji, in the order each first appeared; `[]` once deleted. */
  reactions: { emoji: string; count: number; user_ids: number[] }[];
  /** Ids of the room members the body @mentions (resolved by the server). */
  mentions: number[];
  /** Files attached to the message, as the REST snapshot has them (generated type). */
  attachments: AttachmentRef[];
}

/** A tip as room members see it (docs/protocol.md, "Tip messages"). */
export interface TipSnapshot {
  id: number;
  status: "pending" | "seen" | "confirmed" | "finalized" | "failed" | "dropped";
  failure: string | null;
  sender_id: number;
  recipient_id: number;
  recipient_address: string;
  chain_id: number;
  token: string;
  /** Base units, a decimal string (may exceed 2^53). */
  amount: string;
  tx_hash: string | null;
  block_number: number | null;
}

/** Room events: stored, ordered by seq, replayable. */
export type RoomEvent =
  | { type: "message"; room_id: number; seq: number; message: MessageSnapshot }
  | { type: "message_updated"; room_id: number; seq: number; by: number; message: MessageSnapshot }
  | {
      type: "member";
      room_id: number;
      seq: number;
      user: { id: number; username: string };
      action: "joined" | "added" | "left" | "removed" | "role";
      role: "owner" | "admin" | "member" | null;
      by: number;
      at: string;
    }
  | {
      type: "room_updated";
      room_id: number;
      seq: number;
      by: number;
      room: { id: number; name: string; kind: string };
    }
  /** A tip changed state: replace the `tip` of message `message_seq`. */
  | { type: "tip_updated"; room_id: number; seq: number; message_seq: number; tip: TipSnapshot };

/** Ephemeral frames: not stored, not ordered. */
export type EphemeralFrame =
  | { type: "typing"; room_id: number; user_id: number; username: string }
  | { type: "read"; room_id: number; user_id: number; seq: number }
  | {
      type: "presence";
      room_id: number;
      user_id: number;
      username: string;
      status: "online" | "away" | "offline";
    };

/** A file sent with a message (generated from the server's schema). */
export type AttachmentRef = components["schemas"]["AttachmentRef"];

/** A message this client sent, until the server acknowledges it (or refuses it). */
export interface PendingSend {
  clientMsgId: string;
  roomId: number;
  body: string;
  replyTo: number | null;
  /** Completed uploads sent with it (their ids go in the `send` frame). */
  attachments?: AttachmentRef[];
  status: "pending" | "failed";
  error?: { code: string; message: string };
  /**
   * Set while a pending send waits out a `rate_limited` refusal: when (epoch ms) it goes
   * out again by itself, with the same client_msg_id.
   */
  retryAt?: number;
}

/** What a ChatSocket tells its listeners. */
export type SocketNotice =
  | { kind: "state"; state: ConnectionState }
  /** A room event, exactly once per (room_id, seq), in seq order for each room. */
  | { kind: "event"; event: RoomEvent }
  | { kind: "ephemeral"; frame: EphemeralFrame }
  /** A send was committed (seq is its message's seq). */
  | { kind: "ack"; roomId: number; clientMsgId: string; seq: number }
  /** The pending sends changed (added, failed, retried, acked). */
  | { kind: "pending"; pending: PendingSend[] }
  /** A membership change about me in a room I do not follow (e.g. I was added to it). */
  | { kind: "personal"; event: RoomEvent }
  /** More events were missed than the server replays: reload this room over REST, then follow(roomId, lastSeq). */
  | { kind: "resume_too_far"; roomId: number; lastSeq: number }
  /** The server refused something not tied to a send (shown to the user, logged). */
  | { kind: "error"; code: string; message: string; roomId?: number };

export type Listener = (notice: SocketNotice) => void;

/** The parts of the browser WebSocket the client uses; tests pass a fake. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ChatSocketOptions {
  /** ws:// or wss:// URL of /ws. */
  url: string;
  /** A valid access token (the app refreshes it when needed); rejects when signed out. */
  getToken: () => Promise<string>;
  /** Defaults to `new WebSocket(url)`. */
  createSocket?: (url: string) => WebSocketLike;
  /** Reconnect delay: min(maxMs, baseMs * 2^attempt) scaled by jitter in [0.5, 1). */
  backoff?: { baseMs: number; maxMs: number };
  /** Send a `ping` this often while online; no answer within the same time = reconnect. */
  heartbeatMs?: number;
  /** Defaults to Math.random; tests pin it. */
  random?: () => number;
  /** Defaults to crypto.randomUUID. */
  newId?: () => string;
}

/** The public surface of ChatSocket (socket.ts implements it). */
export interface ChatSocketApi {
  start(): void;
  stop(): void;
  /** Follow a room from lastSeq (0 = from the beginning): resume on every (re)connect. */
  follow(roomId: number, lastSeq: number): void;
  unfollow(roomId: number): void;
  /** The last room-event seq applied for a followed room. */
  lastSeq(roomId: number): number | undefined;
  /**
   * Queue a message (with completed uploads, if any; then `body` may be ""); returns its
   * client_msg_id. Sent now if online, else after reconnect.
   */
  send(roomId: number, body: string, replyTo?: number | null, attachments?: AttachmentRef[]): string;
  /** Send a failed message again, with the same client_msg_id. */
  retry(clientMsgId: string): void;
  /** Forget a failed message. */
  discard(clientMsgId: string): void;
  pending(): PendingSend[];
  markRead(roomId: number, seq: number): void;
  typing(roomId: number): void;
  /** Say whether I am at the screen ("away" when idle or hidden); kept across reconnects. */
  presence(status: "online" | "away"): void;
  state(): ConnectionState;
  subscribe(listener: Listener): () => void;
}
