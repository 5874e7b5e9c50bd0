/**
 * The one place that constructs the real ChatSocket. Everything else uses ChatSocketApi
 * through lib/socketHooks.ts.
 */
import { useEffect, useState } from "react";

import { ChatSocket } from "./socket/socket";
import type { ChatSocketApi } from "./socket/types";

function socketUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws`;
}

/**
 * A started socket for as long as the calling component is mounted (null until then).
 * It is created inside the effect so each instance is started once and stopped once, even
 * when StrictMode runs effects twice; unmounting (signing out) stops it.
 */
export function useChatSocket(getToken: () => Promise<string>): ChatSocketApi | null {
  const [socket, setSocket] = useState<ChatSocketApi | null>(null);
  useEffect(() => {
    const created = new ChatSocket({ url: socketUrl(), getToken });
    created.start();
    setSocket(created);
    return () => {
      created.stop();
      setSocket(null);
    };
  }, [getToken]);
  return socket;
}
