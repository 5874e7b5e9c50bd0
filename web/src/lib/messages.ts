/**
 * A room's loaded messages: the newest page from REST, older pages prepended while
 * scrolling up, and live socket events merged in. Kept in the query cache so it survives
 * switching rooms; the socket keeps it current, so it never goes stale by itself.
 */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api, unwrap, type Message } from "./api/client";

export interface MessageWindow {
  /** Ascending seq, no duplicates. */
  messages: Message[];
  /** Older messages exist on the server. */
  hasMore: boolean;
}

export const PAGE_SIZE = 50;
export const messagesKey = (roomId: number) => ["messages", roomId] as const;

/** Insert by seq, or replace the message with the same seq. */
export function upsertMessage(messages: Message[], message: Message): Message[] {
  const index = messages.findIndex((m) => m.seq >= message.seq);
  if (index === -1) return [...messages, message];
  const next = [...messages];
  if (messages[index]!.seq === message.seq) next[index] = message;
  else next.splice(index, 0, message);
  return next;
}

/** Replace only: an edit of a message older than the loaded pages is not ours to show. */
export function replaceMessage(messages: Message[], message: Message): Message[] {
  const index = messages.findIndex((m) => m.seq === message.seq);
  if (index === -1) return messages;
  const next = [...messages];
  next[index] = message;
  return next;
}

/** Replace the tip of message `messageSeq` (a `tip_updated` event); other messages stay. */
export function replaceTip(messages: Message[], messageSeq: number, tip: TipState): Message[] {
  const index = messages.findIndex((m) => m.seq === messageSeq);
  if (index === -1) return messages;
  const next = [...messages];
  next[index] = { ...messages[index]!, tip };
  return next;
}

type TipState = NonNullable<Message["tip"]>;

type Arrival = { insert: boolean; message: Message } | { tipOf: number; tip: TipState };

/**
 * Socket events that arrive while a room's first page is in flight. The page may have been
 * read before they committed, so they are replayed onto it when it lands; otherwise a
 * message sent in that instant would be missing until the next reload.
 */
const arrivals = new Map<number, Arrival[]>();

export async function fetchLatest(roomId: number): Promise<MessageWindow> {
  const buffer: Arrival[] = [];
  arrivals.set(roomId, buffer);
  try {
    const page = await unwrap(
      api.GET("/api/rooms/{room_id}/messages", {
        params: { path: { room_id: roomId }, query: { limit: PAGE_SIZE } },
      }),
    );
    let messages = page.messages;
    for (const arrival of buffer) {
      if ("tipOf" in arrival) {
        messages = replaceTip(messages, arrival.tipOf, arrival.tip);
        continue;
      }
      const { insert, message } = arrival;
      messages = insert ? upsertMessage(messages, message) : replaceMessage(messages, message);
    }
    return { messages, hasMore: page.has_more };
  } finally {
    if (arrivals.get(roomId) === buffer) arrivals.delete(roomId);
  }
}

/** Prepend the page before the oldest loaded message; false when there is nothing more. */
export async function fetchOlder(queryClient: QueryClient, roomId: number): Promise<boolean> {
  const current = queryClient.getQueryData<MessageWindow>(messagesKey(roomId));
  if (!current?.hasMore) return false;
  const oldest = current.messages[0]?.seq;
  const page = await unwrap(
    api.GET("/api/rooms/{room_id}/messages", {
      params: { path: { room_id: roomId }, query: { limit: PAGE_SIZE, before_seq: oldest ?? null } },
    }),
  );
  queryClient.setQueryData<MessageWindow>(messagesKey(roomId), (window) => {
    if (!window) return window;
    let messages = window.messages;
    for (const message of page.messages) messages = upsertMessage(messages, message);
    return { messages, hasMore: page.has_more };
  });
  return page.has_more;
}

/** Apply a message snapshot from the socket or a REST reply (insert, or replace only). */
export function applyMessage(
  queryClient: QueryClient,
  message: Message,
  { insert }: { insert: boolean },
): void {
  arrivals.get(message.room_id)?.push({ insert, message });
  queryClient.setQueryData<MessageWindow>(messagesKey(message.room_id), (window) => {
    if (!window) return window;
    const messages = insert
      ? upsertMessage(window.messages, message)
      : replaceMessage(window.messages, message);
    return messages === window.messages ? window : { ...window, messages };
  });
}

/** Apply a `tip_updated` event: the tip message at `messageSeq` now shows `tip`. */
export function applyTipUpdate(queryClient: QueryClient, roomId: number, messageSeq: number, tip: TipState): void {
  arrivals.get(roomId)?.push({ tipOf: messageSeq, tip });
  queryClient.setQueryData<MessageWindow>(messagesKey(roomId), (window) => {
    if (!window) return window;
    const messages = replaceTip(window.messages, messageSeq, tip);
    return messages === window.messages ? window : { ...window, messages };
  });
}

export function findMessage(queryClient: QueryClient, roomId: number, seq: number): Message | undefined {
  return queryClient
    .getQueryData<MessageWindow>(messagesKey(roomId))
    ?.messages.find((m) => m.seq === seq);
}

export function useMessageWindow(roomId: number) {
  return useQuery({
    queryKey: messagesKey(roomId),
    queryFn: () => fetchLatest(roomId),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
}

/** One message, for a reply whose original is older than the loaded pages. */
export function useSingleMessage(roomId: number, seq: number, enabled: boolean) {
  return useQuery({
    queryKey: ["message", roomId, seq],
    queryFn: () =>
      unwrap(api.GET("/api/rooms/{room_id}/messages/{seq}", { params: { path: { room_id: roomId, seq } } })),
    enabled,
    staleTime: 60_000,
  });
}

export function useMessageActions(roomId: number) {
  const queryClient = useQueryClient();
  return {
    async edit(seq: number, body: string): Promise<void> {
      const updated = await unwrap(
        api.PATCH("/api/rooms/{room_id}/messages/{seq}", {
          params: { path: { room_id: roomId, seq } },
          body: { body },
        }),
      );
      applyMessage(queryClient, updated, { insert: false });
    },
    async remove(seq: number): Promise<void> {
      await unwrap(
        api.DELETE("/api/rooms/{room_id}/messages/{seq}", { params: { path: { room_id: roomId, seq } } }),
      );
      const existing = findMessage(queryClient, roomId, seq);
      if (existing) applyMessage(queryClient, { ...existing, body: null, deleted: true }, { insert: false });
    },
  };
}
