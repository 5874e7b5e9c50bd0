import type { Message } from "../../lib/api/client";
import { useBlockedIds } from "../../lib/blocks";
import { useSingleMessage } from "../../lib/messages";

function firstLine(body: string): string {
  const line = body.split("\n", 1)[0] ?? "";
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** The quoted first line of the message replied to (fetched if it is not loaded). */
export function ReplyQuote({ roomId, seq, loaded }: { roomId: number; seq: number; loaded: Message | undefined }) {
  const fetched = useSingleMessage(roomId, seq, loaded === undefined);
  const original = loaded ?? fetched.data;
  const blocked = useBlockedIds();
  let text: string;
  if (!original) text = fetched.isError ? "Original message unavailable" : "…";
  else if (blocked.has(original.sender_id)) text = "Message from a blocked user";
  else if (original.deleted || original.body === null) text = "Message deleted";
  else text = firstLine(original.body);
  return (
    <blockquote className="reply-quote">
      {original && !blocked.has(original.sender_id) && <span className="reply-quote__sender">{original.sender}: </span>}
      {text}
    </blockquote>
  );
}
