import { useLayoutEffect, useMemo, useRef, useState } from "react";

import { FormError } from "../../components/FormError";
import type { Message } from "../../lib/api/client";
import { useBlockedIds } from "../../lib/blocks";
import { errorText } from "../../lib/format";
import type { PendingSend } from "../../lib/socket/types";
import { MessageItem } from "./MessageItem";
import { PendingItem } from "./PendingItem";

/** Within this many pixels of an edge counts as being at it. */
const EDGE_PX = 48;

interface MessageListProps {
  messages: Message[];
  hasMore: boolean;
  pending: PendingSend[];
  me: { id: number; username: string };
  canModerate: boolean;
  onReply: (message: Message) => void;
  /** Load the page before the oldest message. */
  onLoadOlder: () => Promise<unknown>;
  /** Whether the newest message is in view (drives read markers). */
  onAtBottomChange?: (atBottom: boolean) => void;
  /** Set by the parent when I send: jump to my message even if I had scrolled up. */
  stickRequest?: number;
}

function topWithin(log: HTMLElement, seq: number): number | null {
  const el = log.querySelector(`[data-seq="${seq}"]`);
  if (!el) return null;
  return el.getBoundingClientRect().top - log.getBoundingClientRect().top;
}

export function MessageList(props: MessageListProps) {
  const { messages, hasMore, pending, me, canModerate, onReply, onLoadOlder, onAtBottomChange, stickRequest } = props;
  const log = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  /** The oldest message before a page is prepended, and where it was on screen. */
  const anchor = useRef<{ seq: number; top: number } | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const blocked = useBlockedIds();

  const bySeq = useMemo(() => new Map(messages.map((m) => [m.seq, m])), [messages]);
  // A message whose event came before its ack is already in the list.
  const delivered = useMemo(
    () => new Set(messages.filter((m) => m.sender_id === me.id).map((m) => m.client_msg_id)),
    [messages, me.id],
  );
  const unsent = pending.filter((send) => !delivered.has(send.clientMsgId));

  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    const saved = anchor.current;
    if (saved && messages[0] && messages[0].seq !== saved.seq) {
      // Older messages went in above: keep the one that was on top where it was.
      anchor.current = null;
      const top = topWithin(el, saved.seq);
      if (top !== null) el.scrollTop += top - saved.top;
      return;
    }
    if (atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages, unsent.length]);

  useLayoutEffect(() => {
    const el = log.current;
    if (!el || stickRequest === undefined) return;
    atBottom.current = true;
    el.scrollTop = el.scrollHeight;
  }, [stickRequest]);

  async function loadOlder() {
    const el = log.current;
    const first = messages[0];
    if (loadingOlder || !hasMore) return;
    anchor.current = el && first ? { seq: first.seq, top: topWithin(el, first.seq) ?? 0 } : null;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      await onLoadOlder();
    } catch (err) {
      setOlderError(errorText(err));
    } finally {
      setLoadingOlder(false);
    }
  }

  function onScroll() {
    const el = log.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    if (bottom !== atBottom.current) {
      atBottom.current = bottom;
      onAtBottomChange?.(bottom);
    }
    if (el.scrollTop < EDGE_PX && hasMore && !olderError) void loadOlder();
  }

  return (
    <div
      ref={log}
      className="message-log"
      role="log"
      aria-label="Messages"
      aria-busy={loadingOlder}
      tabIndex={0}
      onScroll={onScroll}
    >
      {hasMore && (
        <div className="message-log__older">
          <button type="button" onClick={() => void loadOlder()} disabled={loadingOlder}>
            {loadingOlder ? "Loading…" : "Load older messages"}
          </button>
          <FormError message={olderError} />
        </div>
      )}
      {!hasMore && messages.length === 0 && unsent.length === 0 && (
        <p className="muted message-log__empty">No messages yet. Say hello!</p>
      )}
      {messages.map((message) => (
        <MessageItem
          key={message.seq}
          message={message}
          repliedTo={message.reply_to === null ? undefined : bySeq.get(message.reply_to)}
          mine={message.sender_id === me.id}
          canModerate={canModerate}
          onReply={onReply}
          blocked={blocked.has(message.sender_id)}
          meId={me.id}
        />
      ))}
      {unsent.map((send) => (
        <PendingItem
          key={send.clientMsgId}
          send={send}
          sender={me.username}
          repliedTo={send.replyTo === null ? undefined : bySeq.get(send.replyTo)}
        />
      ))}
    </div>
  );
}
