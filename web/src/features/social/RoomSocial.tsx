import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { FormError } from "../../components/FormError";
import { PresenceDot } from "../../components/PresenceDot";
import { api, unwrap, type Member, type Room } from "../../lib/api/client";
import { useBlockActions, useBlockedIds } from "../../lib/blocks";
import { errorText } from "../../lib/format";
import { dmPeer } from "../../lib/presence";
import { updateRoom, useMembers } from "../../lib/rooms";
import { navigate } from "../../lib/route";
import { useMe } from "../../lib/session";

const PRESENCE_ORDER: Record<Member["presence"], number> = { online: 0, away: 1, offline: 2 };

function BlockButton({ user, onError }: { user: { id: number; username: string }; onError: (e: string | null) => void }) {
  const blocked = useBlockedIds().has(user.id);
  const actions = useBlockActions();
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    onError(null);
    try {
      if (blocked) await actions.unblock(user.id);
      else await actions.block(user);
    } catch (err) {
      onError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <button type="button" disabled={busy} onClick={() => void run()}>
      {blocked ? `Unblock ${user.username}` : `Block ${user.username}`}
    </button>
  );
}

/** The room's members, online first, each with a presence dot and Block/Unblock. */
function MemberList({ room, members }: { room: Room; members: Member[] }) {
  const me = useMe();
  const blocked = useBlockedIds();
  const [error, setError] = useState<string | null>(null);
  const sorted = [...members].sort(
    (a, b) => PRESENCE_ORDER[a.presence] - PRESENCE_ORDER[b.presence] || a.username.localeCompare(b.username),
  );
  return (
    <div id={`members-${room.id}`} className="member-list">
      <FormError message={error} />
      <ul aria-label="Members">
        {sorted.map((member) => (
          <li key={member.id} className="member-list__item">
            <PresenceDot presence={member.presence} name={member.username} />
            <span className="member-list__name">
              {member.username}
              {member.id === me.id && <span className="muted"> (you)</span>}
              {member.role !== "member" && <span className="muted"> · {member.role}</span>}
              {blocked.has(member.id) && <span className="muted"> · blocked</span>}
            </span>
            {member.id !== me.id && <BlockButton user={member} onError={setError} />}
          </li>
        ))}
      </ul>
    </div>
  );
}

function MuteButton({ room, onError }: { room: Room; onError: (e: string | null) => void }) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    onError(null);
    const muted = !room.muted;
    try {
      const path = { params: { path: { room_id: room.id } } };
      await unwrap(muted ? api.PUT("/api/rooms/{room_id}/mute", path) : api.DELETE("/api/rooms/{room_id}/mute", path));
      updateRoom(queryClient, room.id, (r) => ({ ...r, muted }));
    } catch (err) {
      onError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <button type="button" aria-pressed={room.muted} disabled={busy} onClick={() => void run()}>
      {room.muted ? "Unmute" : "Mute"}
    </button>
  );
}

/** Under the room header: members and their presence, blocking, muting, searching the room. */
export function RoomSocial({ room }: { room: Room }) {
  const me = useMe();
  const members = useMembers(room.id).data;
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const peer = room.kind === "dm" ? dmPeer(members, me.id) : undefined;
  const online = members?.filter((m) => m.presence === "online").length ?? 0;

  return (
    <div className="room-social">
      <div className="room-social__bar">
        {peer && (
          <span className="room-social__peer">
            <PresenceDot presence={peer.presence} name={peer.username} /> {peer.presence}
          </span>
        )}
        {room.kind !== "dm" && (
          <button
            type="button"
            aria-expanded={open}
            aria-controls={`members-${room.id}`}
            onClick={() => setOpen((o) => !o)}
          >
            Members{members ? ` (${online} online)` : ""}
          </button>
        )}
        {peer && <BlockButton user={peer} onError={setError} />}
        <MuteButton room={room} onError={setError} />
        <button
          type="button"
          aria-label={`Search this ${room.kind === "dm" ? "conversation" : "room"}`}
          onClick={() => navigate({ name: "search", roomId: room.id })}
        >
          Search
        </button>
      </div>
      <FormError message={error} />
      {open && members && <MemberList room={room} members={members} />}
    </div>
  );
}
