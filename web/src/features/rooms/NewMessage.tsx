import { useState } from "react";

import { FormError } from "../../components/FormError";
import { UserSearch } from "../../components/UserSearch";
import { api, unwrap, type UserRef } from "../../lib/api/client";
import { errorText } from "../../lib/format";
import { useEnterRoom } from "./useEnterRoom";

/** Start (or reopen: the server keeps one DM per pair) a direct conversation. */
export function NewMessage() {
  const enterRoom = useEnterRoom();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function open(user: UserRef) {
    setBusy(true);
    setError(null);
    try {
      const room = await unwrap(api.POST("/api/dms", { body: { user_id: user.id } }));
      enterRoom(room);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="new-message-title">
      <h2 id="new-message-title">New message</h2>
      <UserSearch actionLabel={(user) => user.username} onPick={(user) => void open(user)} busy={busy} />
      <FormError message={error} />
    </section>
  );
}
