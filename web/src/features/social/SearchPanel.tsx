import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import { FormError } from "../../components/FormError";
import { api, ApiError, unwrap } from "../../lib/api/client";
import { searchKey } from "../../lib/blocks";
import { errorText } from "../../lib/format";
import { roomTitle, useRoom } from "../../lib/rooms";
import { navigate } from "../../lib/route";
import { Highlight } from "./Highlight";
import { MessageHit } from "./MessageHit";

const PAGE = 20;

/** The server's reason, with the wait spelled out when searches are rate limited. */
function searchError(err: unknown): string {
  if (err instanceof ApiError && err.code === "rate_limited" && err.retryAfter !== undefined) {
    return `Too many searches for now: try again in ${Math.max(1, Math.ceil(err.retryAfter))} s.`;
  }
  return errorText(err);
}

function useSearch(q: string, roomId: number | undefined) {
  return useInfiniteQuery({
    queryKey: [...searchKey, q, roomId ?? null],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/search", {
          params: {
            query: {
              q,
              limit: PAGE,
              ...(roomId !== undefined ? { room_id: roomId } : {}),
              ...(pageParam !== null ? { before: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_before,
    enabled: q.length > 0,
    // Searches are rate limited (30 a minute): ask again only when told to.
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * Full-text search over all my rooms, or one room (`roomId`). Runs on submit, not on each
 * keystroke (the server limits searches per user). Newest first, a page at a time.
 */
export function SearchPanel({ roomId }: { roomId?: number }) {
  const inputId = useId();
  const scopeId = useId();
  const room = useRoom(roomId ?? -1);
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const results = useSearch(q, roomId);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const hits = results.data?.pages.flatMap((page) => page.results) ?? [];

  function submit(event: FormEvent) {
    event.preventDefault();
    const query = text.trim().slice(0, 200);
    if (query === q) void results.refetch();
    setQ(query);
  }

  return (
    <section className="panel" aria-labelledby="search-title">
      <h2 id="search-title">Search</h2>
      <form role="search" className="search-form" onSubmit={submit}>
        <label htmlFor={inputId}>Search messages</label>
        <div className="search-form__row">
          <input
            id={inputId}
            ref={input}
            type="search"
            autoComplete="off"
            maxLength={200}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="primary">
            Search
          </button>
        </div>
        {roomId !== undefined && (
          <p className="search-form__scope" id={scopeId}>
            In {room ? roomTitle(room) : "this room"} ·{" "}
            <button type="button" className="link" onClick={() => navigate({ name: "search" })}>
              search all my rooms
            </button>
          </p>
        )}
      </form>
      <FormError message={results.error ? searchError(results.error) : null} />
      {results.isFetching && !results.isFetchingNextPage && <p className="muted">Searching…</p>}
      {q && results.data && hits.length === 0 && <p className="muted">No messages found.</p>}
      {hits.length > 0 && (
        <ul className="message-hits" aria-label="Search results">
          {hits.map(({ message, highlight }) => (
            <MessageHit key={`${message.room_id}:${message.seq}`} message={message}>
              <Highlight parts={highlight} />
            </MessageHit>
          ))}
        </ul>
      )}
      {results.hasNextPage && (
        <button type="button" disabled={results.isFetchingNextPage} onClick={() => void results.fetchNextPage()}>
          {results.isFetchingNextPage ? "Loading…" : "More results"}
        </button>
      )}
    </section>
  );
}
