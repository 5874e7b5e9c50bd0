import type { Schemas } from "../../lib/api/client";

export type HighlightPart = Schemas["HighlightPart"];

/**
 * A search passage: the server sends plain-text parts with match flags, never markup. Each
 * part is rendered as a text node (matches inside <mark>), so a body holding `<b>` or
 * `<img …>` shows those characters and cannot inject anything.
 */
export function Highlight({ parts }: { parts: HighlightPart[] }) {
  return (
    <span className="highlight">
      {parts.map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
    </span>
  );
}
