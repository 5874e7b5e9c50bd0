import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";

import { api, unwrap, type UserRef } from "../lib/api/client";
import { errorText } from "../lib/format";
import { FormError } from "./FormError";

/** Wait for a pause in typing so each keystroke does not become a request. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

interface UserSearchProps {
  /** The accessible name of each result button, e.g. (u) => `Invite ${u.username}`. */
  actionLabel: (user: UserRef) => string;
  onPick: (user: UserRef) => void;
  busy?: boolean;
}

/** "Find people": users whose name starts with what was typed, each as a button. */
export function UserSearch({ actionLabel, onPick, busy = false }: UserSearchProps) {
  const inputId = useId();
  const [text, setText] = useState("");
  const q = useDebounced(text.trim().slice(0, 32), 250);
  const users = useQuery({
    queryKey: ["users", q],
    queryFn: () => unwrap(api.GET("/api/users", { params: { query: { q, limit: 20 } } })),
    enabled: q.length > 0,
    staleTime: 30_000,
  });

  return (
    <div className="user-search">
      <label htmlFor={inputId}>Find people</label>
      <input
        id={inputId}
        type="search"
        autoComplete="off"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <FormError message={users.error ? errorText(users.error) : null} />
      {q && users.data && users.data.users.length === 0 && <p className="muted">No one found.</p>}
      {users.data && users.data.users.length > 0 && (
        <ul className="user-results">
          {users.data.users.map((user) => (
            <li key={user.id}>
              <button type="button" disabled={busy} onClick={() => onPick(user)}>
                {actionLabel(user)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
