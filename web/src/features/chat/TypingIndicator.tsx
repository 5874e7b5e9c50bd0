import { useEffect, useState } from "react";

import { useSocketNotices } from "../../lib/socketHooks";

/** A typing notice means "typing now"; the sender repeats it every 2 s while typing. */
const SHOW_FOR_MS = 4000;

type Typists = ReadonlyMap<number, { name: string; until: number }>;

function useTypists(roomId: number, meId: number): string[] {
  const [typists, setTypists] = useState<Typists>(new Map());

  useSocketNotices((notice) => {
    if (notice.kind === "ephemeral" && notice.frame.type === "typing") {
      const { room_id, user_id, username } = notice.frame;
      if (room_id !== roomId || user_id === meId) return;
      setTypists((prev) => new Map(prev).set(user_id, { name: username, until: Date.now() + SHOW_FOR_MS }));
    } else if (notice.kind === "event" && notice.event.type === "message" && notice.event.room_id === roomId) {
      // Their message arrived: they are done typing it.
      const sender = notice.event.message.sender_id;
      setTypists((prev) => {
        if (!prev.has(sender)) return prev;
        const next = new Map(prev);
        next.delete(sender);
        return next;
      });
    }
  });

  useEffect(() => {
    if (typists.size === 0) return;
    const timer = setTimeout(() => {
      const now = Date.now();
      setTypists((prev) => new Map([...prev].filter(([, t]) => t.until > now)));
    }, 1000);
    return () => clearTimeout(timer);
  }, [typists]);

  return [...typists.values()].map((t) => t.name);
}

function describe(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

export function TypingIndicator({ roomId, meId }: { roomId: number; meId: number }) {
  const text = describe(useTypists(roomId, meId));
  // Not a live region: announcing every pause in someone's typing would be noise.
  return <p className="typing">{text}</p>;
}
