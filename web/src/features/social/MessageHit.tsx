import type { ReactNode } from "react";

import type { Message } from "../../lib/api/client";
import { longTime, shortTime } from "../../lib/format";
import { roomTitle, useRooms } from "../../lib/rooms";
import { navigate } from "../../lib/route";

/** One message found elsewhere (a mention, a search hit): where, who, when; opens its room. */
export function MessageHit({ message, children }: { message: Message; children: ReactNode }) {
  const room = useRooms().data?.find((r) => r.id === message.room_id);
  const where = room ? roomTitle(room) : "a room";
  return (
    <li>
      <button
        type="button"
        className="message-hit"
        onClick={() => navigate({ name: "room", roomId: message.room_id })}
      >
        <span className="message-hit__meta">
          <span className="message-hit__room">{room?.kind === "dm" ? `@${where}` : `#${where}`}</span>
          <span className="message-hit__sender">{message.sender}</span>
          <time dateTime={message.created_at} title={longTime(message.created_at)}>
            {shortTime(message.created_at)}
          </time>
        </span>
        <span className="message-hit__body">{children}</span>
      </button>
    </li>
  );
}
