import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { FormError } from "../../components/FormError";
import { UserSearch } from "../../components/UserSearch";
import { api, ApiError, unwrap, type Room, type UserRef } from "../../lib/api/client";
import { errorText } from "../../lib/format";
import { messagesKey } from "../../lib/messages";
import { dropRoom, membersKey, roomTitle, useMembers } from "../../lib/rooms";
import { navigate } from "../../lib/route";
import { useMe } from "../../lib/session";
import { useSocket } from "../../lib/socketHooks";

function InvitePanel({ room }: { room: Room }) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function invite(user: UserRef) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const { members } = await unwrap(
        api.POST("/api/rooms/{room_id}/members", {
          params: { path: { room_id: room.id } },
          body: { user_id: user.id },
        }),
      );
      queryClient.setQueryData(membersKey(room.id), members);
      setDone(`${user.username} was added to ${roomTitle(room)}.`);
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === "already_member"
          ? `${user.username} is already a member.`
          : errorText(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="invite-panel" id={`invite-${room.id}`}>
      <UserSearch actionLabel={(user) => `Invite ${user.username}`} onPick={(user) => void invite(user)} busy={busy} />
      <FormError message={error} />
      {/* Not role=status: the connection status is the page's one status region. */}
      <p aria-live="polite" className="muted">
        {done}
      </p>
    </div>
  );
}

function MemberCount({ roomId }: { roomId: number }) {
  const members = useMembers(roomId);
  if (!members.data) return null;
  const n = members.data.length;
  return (
    <span className="muted room-header__members" title={members.data.map((m) => m.username).join(", ")}>
      {n} {n === 1 ? "member" : "members"}
    </span>
  );
}

/** The room's name and what I can do with the room itself: invite, leave, go back. */
export function RoomHeader({ room }: { room: Room }) {
  const queryClient = useQueryClient();
  const socket = useSocket();
  const me = useMe();
  const [inviting, setInviting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const isDm = room.kind === "dm";

  // Opening a room moves focus to its name, so screen readers announce where we are.
  useEffect(() => {
    heading.current?.focus();
    setInviting(false);
    setError(null);
  }, [room.id]);

  async function leave() {
    setError(null);
    try {
      await unwrap(
        api.DELETE("/api/rooms/{room_id}/members/{user_id}", {
          params: { path: { room_id: room.id, user_id: me.id } },
        }),
      );
      socket.unfollow(room.id);
      dropRoom(queryClient, room.id);
      queryClient.removeQueries({ queryKey: messagesKey(room.id) });
      navigate({ name: "home" });
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <header className="room-header">
      <div className="room-header__bar">
        <button type="button" className="back" onClick={() => navigate({ name: "home" })}>
          Back
        </button>
        <h2 ref={heading} tabIndex={-1} className="room-header__title">
          {roomTitle(room)}
        </h2>
        <MemberCount roomId={room.id} />
        {!isDm && (
          <div className="room-header__actions">
            <button
              type="button"
              aria-expanded={inviting}
              aria-controls={`invite-${room.id}`}
              onClick={() => setInviting((open) => !open)}
            >
              Invite
            </button>
            <button type="button" onClick={() => void leave()}>
              Leave
            </button>
          </div>
        )}
      </div>
      <FormError message={error} />
      {inviting && !isDm && <InvitePanel room={room} />}
    </header>
  );
}
