import type { Room } from "../../lib/api/client";
import { longTime, shortTime } from "../../lib/format";
import { roomTitle, useRooms } from "../../lib/rooms";
import { navigate } from "../../lib/route";

export function UnreadBadge({ count }: { count: number }) {
  if (count <= 0) return null;
  const label = `${count} unread`;
  return (
    <span className="badge" aria-label={label} title={label}>
      {count > 99 ? "99+" : count}
    </span>
  );
}

function LockIcon() {
  return (
    <svg viewBox="0 0 16 16" focusable="false">
      <path d="M4 7V5a4 4 0 1 1 8 0v2h1v9H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" />
    </svg>
  );
}

function KindMark({ kind }: { kind: Room["kind"] }) {
  return (
    <span className="room-link__kind" aria-hidden="true">
      {kind === "dm" ? "@" : kind === "private" ? <LockIcon /> : "#"}
    </span>
  );
}

function RoomButton({ room, current }: { room: Room; current: boolean }) {
  return (
    <button
      type="button"
      className={room.unread_count > 0 ? "room-link room-link--unread" : "room-link"}
      aria-current={current ? "page" : undefined}
      onClick={() => navigate({ name: "room", roomId: room.id })}
    >
      <span className="room-link__name">
        <KindMark kind={room.kind} />
        {roomTitle(room)}
      </span>
      <UnreadBadge count={room.unread_count} />
      <time className="room-link__time" dateTime={room.last_event_at} title={longTime(room.last_event_at)}>
        {shortTime(room.last_event_at)}
      </time>
    </button>
  );
}

/** My rooms, most recently active first, each with its unread count. */
export function RoomList({ currentRoomId }: { currentRoomId: number | null }) {
  const rooms = useRooms();
  return (
    <nav aria-label="Rooms" className="room-list">
      {rooms.isPending && <p className="muted">Loading rooms…</p>}
      {rooms.isError && <p className="form-error">Could not load your rooms.</p>}
      {rooms.data && rooms.data.length === 0 && (
        <p className="muted">No rooms yet. Create one, browse public rooms or message someone.</p>
      )}
      {rooms.data && rooms.data.length > 0 && (
        <ul>
          {rooms.data.map((room) => (
            <li key={room.id}>
              <RoomButton room={room} current={room.id === currentRoomId} />
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
