import { useEffect, useRef } from "react";

import { FormError } from "../../components/FormError";
import { errorText } from "../../lib/format";
import { useMentions } from "../../lib/mentions";
import { MessageHit } from "./MessageHit";

/** Messages that @mention me, newest first; each opens its room. */
export function MentionsPanel() {
  const mentions = useMentions();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const items = mentions.data?.pages.flatMap((page) => page.mentions) ?? [];

  return (
    <section className="panel" aria-labelledby="mentions-title">
      <h2 id="mentions-title" ref={heading} tabIndex={-1}>
        Mentions
      </h2>
      {mentions.isPending && <p className="muted">Loading…</p>}
      <FormError message={mentions.error ? errorText(mentions.error) : null} />
      {mentions.data && items.length === 0 && <p className="muted">Nobody has mentioned you yet.</p>}
      {items.length > 0 && (
        <ul className="message-hits" aria-label="Messages that mention you">
          {items.map(({ id, message }) => (
            <MessageHit key={id} message={message}>
              {message.body}
            </MessageHit>
          ))}
        </ul>
      )}
      {mentions.hasNextPage && (
        <button type="button" disabled={mentions.isFetchingNextPage} onClick={() => void mentions.fetchNextPage()}>
          {mentions.isFetchingNextPage ? "Loading…" : "Older mentions"}
        </button>
      )}
    </section>
  );
}
