import { PresenceDot } from "../../components/PresenceDot";
import type { Room } from "../../lib/api/client";
import { longTime, shortTime } from "../../lib/format";
import { useDmPeer } from "../../lib/presence";
import { useMe } from "../../lib/session";
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

/** Unread messages that @mention me: shown even in a muted room. */
export function MentionBadge({ count }: { count: number }) {
  if (count <= 0) return null;
  const label = `${count} ${count === 1 ? "mention" : "mentions"}`;
  return (
    <span className="badge badge--mention" aria-label={label} title={label}>
      @{count > 99 ? "99+" : count}
    </span>
  );
}

function MutedMark() {
  return (
    <span className="room-link__muted" role="img" aria-label="muted" title="Muted">
      <svg viewBox="0 0 16 16" focusable="false" aria-hidden="true">
        <path d="M7 2 3.5 5H1v6h2.5L7 14z" />
        <path d="m10 5.5 5 5m0-5-5 5" stroke="currentColor" strokeWidth="1.6" fill="none" />
      </svg>
    </span>
  );
}

/** The other person's presence, for a DM. */
function DmPresence({ room }: { room: Room }) {
  const me = useMe();
  const peer = useDmPeer(room, me.id);
  return peer ? <PresenceDot presence={peer.presence} name={peer.username} /> : null;
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
  // A muted room shows no unread badge (its mentions still show).
  const unread = room.muted ? 0 : room.unread_count;
  return (
    <button
      type="button"
      className={unread > 0 || room.unread_mentions > 0 ? "room-link room-link--unread" : "room-link"}
      aria-current={current ? "page" : undefined}
      onClick={() => navigate({ name: "room", roomId: room.id })}
    >
      <span className="room-link__name">
        <KindMark kind={room.kind} />
        {roomTitle(room)}
        {room.kind === "dm" && <DmPresence room={room} />}
        {room.muted && <MutedMark />}
      </span>
      <MentionBadge count={room.unread_mentions} />
      <UnreadBadge count={unread} />
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
