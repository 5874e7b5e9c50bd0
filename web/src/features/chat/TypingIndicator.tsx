import { useEffect, useState } from "react";

import { useBlockedIds } from "../../lib/blocks";
import { useSocketNotices } from "../../lib/socketHooks";
import {
  describeTyping,
  nextTypingExpiry,
  noTypists,
  typingDone,
  typingExpire,
  typingNames,
  typingSeen,
  type Typists,
} from "../../lib/typing";

/** Who is typing in this room now (lib/typing.ts has the rules), leaving out people I block. */
function useTypists(roomId: number, meId: number): string[] {
  const [typists, setTypists] = useState<Typists>(noTypists);
  const blocked = useBlockedIds();

  useSocketNotices((notice) => {
    if (notice.kind === "ephemeral" && notice.frame.type === "typing") {
      const { room_id, user_id, username } = notice.frame;
      if (room_id !== roomId || user_id === meId) return;
      setTypists((prev) => typingSeen(prev, user_id, username, Date.now()));
    } else if (notice.kind === "event" && notice.event.type === "message" && notice.event.room_id === roomId) {
      const sender = notice.event.message.sender_id;
      setTypists((prev) => typingDone(prev, sender));
    }
  });

  useEffect(() => {
    const wait = nextTypingExpiry(typists, Date.now());
    if (wait === null) return;
    const timer = setTimeout(() => setTypists((prev) => typingExpire(prev, Date.now())), wait + 50);
    return () => clearTimeout(timer);
  }, [typists]);

  return typingNames(typists, blocked);
}

export function TypingIndicator({ roomId, meId }: { roomId: number; meId: number }) {
  const text = describeTyping(useTypists(roomId, meId));
  // Not a live region: announcing every pause in someone's typing would be noise.
  return <p className="typing">{text}</p>;
}
