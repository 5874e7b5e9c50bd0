import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import type { Room } from "../../lib/api/client";
import { updateRoom } from "../../lib/rooms";
import { useSocket } from "../../lib/socketHooks";

/** Whether this tab is in front and focused: only then has the user seen new messages. */
export function useWindowFocus(): boolean {
  const [focused, setFocused] = useState(() => document.visibilityState === "visible" && document.hasFocus());
  useEffect(() => {
    const update = () => setFocused(document.visibilityState === "visible" && document.hasFocus());
    window.addEventListener("focus", update);
    window.addEventListener("blur", update);
    document.addEventListener("visibilitychange", update);
    return () => {
      window.removeEventListener("focus", update);
      window.removeEventListener("blur", update);
      document.removeEventListener("visibilitychange", update);
    };
  }, []);
  return focused;
}

/**
 * Move my read marker to the room's newest event while it is on screen, and clear the
 * unread badge at once rather than waiting for the next rooms fetch.
 */
export function useReadMarker(room: Room, seen: boolean): void {
  const socket = useSocket();
  const queryClient = useQueryClient();
  const { id, last_seq: lastSeq } = room;
  // Unread mentions are unread messages too; both badges clear together.
  const unread = room.unread_count + room.unread_mentions;

  useEffect(() => {
    if (!seen || unread === 0) return;
    // While offline the socket keeps the marker and sends it once reconnected.
    socket.markRead(id, lastSeq);
    updateRoom(queryClient, id, (r) => ({
      ...r,
      unread_count: 0,
      unread_mentions: 0,
      last_read_seq: Math.max(r.last_read_seq, lastSeq),
    }));
  }, [seen, unread, id, lastSeq, socket, queryClient]);
}
