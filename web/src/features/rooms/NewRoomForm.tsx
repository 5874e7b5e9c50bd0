import { useId, useState, type FormEvent } from "react";

import { FormError } from "../../components/FormError";
import { api, unwrap } from "../../lib/api/client";
import { errorText } from "../../lib/format";
import { useEnterRoom } from "./useEnterRoom";

export function NewRoomForm() {
  const enterRoom = useEnterRoom();
  const nameId = useId();
  const privateId = useId();
  const [name, setName] = useState("");
  const [isPrivate, setPrivate] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const room = await unwrap(
        api.POST("/api/rooms", { body: { name: name.trim(), kind: isPrivate ? "private" : "public" } }),
      );
      enterRoom(room);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="new-room-title">
      <h2 id="new-room-title">New room</h2>
      <form onSubmit={submit} className="stack">
        <label htmlFor={nameId}>Room name</label>
        <input
          id={nameId}
          required
          maxLength={100}
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="checkbox">
          <input
            id={privateId}
            type="checkbox"
            checked={isPrivate}
            onChange={(e) => setPrivate(e.target.checked)}
          />
          <label htmlFor={privateId}>Private</label>
        </div>
        <p className="hint">
          {isPrivate
            ? "Only people you invite can find and read it."
            : "Anyone can find it under Browse rooms and join."}
        </p>
        <FormError message={error} />
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
      </form>
    </section>
  );
}
