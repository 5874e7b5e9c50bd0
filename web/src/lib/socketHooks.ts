/**
 * How React reaches the chat socket: a context holding a ChatSocketApi and hooks over it.
 * Components never see the ChatSocket class (lib/useChatSocket.ts creates it), so tests
 * can provide a fake.
 */
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useState } from "react";

import type { ChatSocketApi, ConnectionState, Listener, PendingSend } from "./socket/types";

export const SocketContext = createContext<ChatSocketApi | null>(null);

export function useSocket(): ChatSocketApi {
  const socket = useContext(SocketContext);
  if (!socket) throw new Error("useSocket() outside a SocketContext provider");
  return socket;
}

/** Listen to every notice; the latest listener is used without resubscribing. */
export function useSocketNotices(listener: Listener): void {
  const socket = useSocket();
  const latest = useRef(listener);
  useLayoutEffect(() => {
    latest.current = listener;
  });
  useEffect(() => socket.subscribe((notice) => latest.current(notice)), [socket]);
}

export function useConnectionState(): ConnectionState {
  const socket = useSocket();
  const [state, setState] = useState(() => socket.state());
  useEffect(() => {
    setState(socket.state());
    return socket.subscribe((notice) => {
      if (notice.kind === "state") setState(notice.state);
    });
  }, [socket]);
  return state;
}

/** My messages in this room that the server has not acknowledged yet (or refused). */
export function usePendingSends(roomId: number): PendingSend[] {
  const socket = useSocket();
  const [pending, setPending] = useState(() => socket.pending());
  useEffect(() => {
    setPending(socket.pending());
    return socket.subscribe((notice) => {
      if (notice.kind === "pending") setPending(notice.pending);
    });
  }, [socket]);
  return pending.filter((send) => send.roomId === roomId);
}
