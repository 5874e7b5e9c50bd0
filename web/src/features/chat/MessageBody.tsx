import { useMemo } from "react";

import type { Message } from "../../lib/api/client";
import { mentionParts } from "../../lib/mentions";
import { useMembers } from "../../lib/rooms";

/** Names for the ids a message mentions: the room's members (loaded for the header anyway). */
function usePeople(roomId: number, needed: boolean): ReadonlyMap<number, string> {
  const members = useMembers(roomId, needed).data;
  return useMemo(() => new Map((members ?? []).map((m) => [m.id, m.username])), [members]);
}

/** A message's text, with the @mentions the server resolved marked (mine stand out more). */
export function MessageBody({ message, meId }: { message: Message; meId: number }) {
  const mentions = message.mentions ?? [];
  const people = usePeople(message.room_id, mentions.length > 0);
  const parts = mentionParts(message.body ?? "", mentions, people, meId);
  return (
    <p className="message__body" data-body>
      {parts.map((part, i) =>
        part.mention ? (
          <span key={i} className={part.mention.me ? "mention mention--me" : "mention"}>
            {part.text}
          </span>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}
