import type { Message } from "../../lib/api/client";
import { useSingleMessage } from "../../lib/messages";

function firstLine(body: string): string {
  const line = body.split("\n", 1)[0] ?? "";
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** The quoted first line of the message replied to (fetched if it is not loaded). */
export function ReplyQuote({ roomId, seq, loaded }: { roomId: number; seq: number; loaded: Message | undefined }) {
  const fetched = useSingleMessage(roomId, seq, loaded === undefined);
  const original = loaded ?? fetched.data;
  let text: string;
  if (!original) text = fetched.isError ? "Original message unavailable" : "…";
  else if (original.deleted || original.body === null) text = "Message deleted";
  else text = firstLine(original.body);
  return (
    <blockquote className="reply-quote">
      {original && <span className="reply-quote__sender">{original.sender}: </span>}
      {text}
    </blockquote>
  );
}
