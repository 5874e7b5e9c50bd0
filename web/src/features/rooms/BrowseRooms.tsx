import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { FormError } from "../../components/FormError";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { errorText, shortTime } from "../../lib/format";
import { useEnterRoom } from "./useEnterRoom";

type PublicRoom = Schemas["PublicRoom"];

function PublicRoomRow({ room, onJoin, busy }: { room: PublicRoom; onJoin: () => void; busy: boolean }) {
  return (
    <li className="public-room">
      <div>
        <span className="public-room__name">{room.name}</span>
        <span className="muted">
          {" "}
          · {room.member_count} {room.member_count === 1 ? "member" : "members"} · active{" "}
          {shortTime(room.last_event_at)}
        </span>
      </div>
      {room.is_member ? (
        <a href={`#/rooms/${room.id}`}>Open</a>
      ) : (
        // Named after the room, so a list of them is not a list of identical "Join"s.
        <button type="button" onClick={onJoin} disabled={busy} aria-label={`Join ${room.name}`}>
          Join
        </button>
      )}
    </li>
  );
}

/** Public rooms by name, each joinable. */
export function BrowseRooms() {
  const queryClient = useQueryClient();
  const enterRoom = useEnterRoom();
  const searchId = useId();
  const [q, setQ] = useState("");
  const [joining, setJoining] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rooms = useQuery({
    queryKey: ["publicRooms", q.trim()],
    queryFn: () => unwrap(api.GET("/api/rooms/public", { params: { query: { ...(q.trim() ? { q: q.trim() } : {}), limit: 50 } } })),
    placeholderData: (previous) => previous,
  });

  async function join(room: PublicRoom) {
    setJoining(room.id);
    setError(null);
    try {
      const joined = await unwrap(api.POST("/api/rooms/{room_id}/join", { params: { path: { room_id: room.id } } }));
      void queryClient.invalidateQueries({ queryKey: ["publicRooms"] });
      enterRoom(joined);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setJoining(null);
    }
  }

  return (
    <section className="panel" aria-labelledby="browse-title">
      <h2 id="browse-title">Browse rooms</h2>
      <label htmlFor={searchId}>Search rooms</label>
      <input id={searchId} type="search" autoComplete="off" value={q} onChange={(e) => setQ(e.target.value)} />
      <FormError message={error ?? (rooms.error ? errorText(rooms.error) : null)} />
      {rooms.data && rooms.data.rooms.length === 0 && <p className="muted">No public rooms found.</p>}
      {rooms.data && rooms.data.rooms.length > 0 && (
        <ul className="public-rooms">
          {rooms.data.rooms.map((room) => (
            <PublicRoomRow key={room.id} room={room} busy={joining !== null} onJoin={() => void join(room)} />
          ))}
        </ul>
      )}
    </section>
  );
}
