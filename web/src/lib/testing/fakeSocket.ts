import type {
  AttachmentRef,
  ChatSocketApi,
  ConnectionState,
  Listener,
  PendingSend,
  SocketNotice,
} from "../socket/types";

/** A ChatSocketApi for component tests: records calls, and lets the test play the server. */
export class FakeSocket implements ChatSocketApi {
  /** `attachments`: the ids sent, only when there were some. */
  readonly sent: { roomId: number; body: string; replyTo: number | null; attachments?: number[] }[] = [];
  readonly retried: string[] = [];
  readonly discarded: string[] = [];
  readonly reads: { roomId: number; seq: number }[] = [];
  readonly typed: number[] = [];
  readonly presences: ("online" | "away")[] = [];
  readonly followed = new Map<number, number>();
  private listeners = new Set<Listener>();
  private outbox: PendingSend[] = [];
  private current: ConnectionState = "online";
  private nextId = 1;

  start(): void {}
  stop(): void {}
  follow(roomId: number, lastSeq: number): void {
    this.followed.set(roomId, lastSeq);
  }
  unfollow(roomId: number): void {
    this.followed.delete(roomId);
  }
  lastSeq(roomId: number): number | undefined {
    return this.followed.get(roomId);
  }
  send(roomId: number, body: string, replyTo: number | null = null, attachments: AttachmentRef[] = []): string {
    const ids = attachments.map((a) => a.id);
    this.sent.push({ roomId, body, replyTo, ...(ids.length > 0 ? { attachments: ids } : {}) });
    return `c-${this.nextId++}`;
  }
  retry(clientMsgId: string): void {
    this.retried.push(clientMsgId);
  }
  discard(clientMsgId: string): void {
    this.discarded.push(clientMsgId);
  }
  pending(): PendingSend[] {
    return this.outbox;
  }
  markRead(roomId: number, seq: number): void {
    this.reads.push({ roomId, seq });
  }
  typing(roomId: number): void {
    this.typed.push(roomId);
  }
  presence(status: "online" | "away"): void {
    this.presences.push(status);
  }
  state(): ConnectionState {
    return this.current;
  }
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -- test controls --

  emit(notice: SocketNotice): void {
    if (notice.kind === "state") this.current = notice.state;
    if (notice.kind === "pending") this.outbox = notice.pending;
    for (const listener of [...this.listeners]) listener(notice);
  }
}
