/**
 * Keeps the query caches in step with the socket: follows every room I am in and applies
 * room events to the rooms list (unread counts, names, order), the loaded messages and the
 * member lists.
 */
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import type { Message, Room } from "./api/client";
import { blockedIdsIn } from "./blocks";
import { mentionsKey } from "./mentions";
import { applyMessage, applyTipUpdate, findMessage, messagesKey } from "./messages";
import { applyPresence } from "./presence";
import { dropRoom, membersKey, roomsKey, updateRoom, useRooms } from "./rooms";
import { useMe } from "./session";
import { roomTipsKey } from "./tips";
import { useSocket, useSocketNotices } from "./socketHooks";
import type { ChatSocketApi, RoomEvent, SocketNotice } from "./socket/types";

/**
 * The rooms-list side of an event. Guarded by last_seq so a replayed event counts once.
 * `blocked`: users I block, whose mentions the server leaves out of unread_mentions.
 * `before`: the cached copy of the message a message_updated changes, if loaded.
 */
export function roomAfterEvent(
  room: Room,
  event: RoomEvent,
  meId: number,
  blocked: ReadonlySet<number> = new Set(),
  before?: Pick<Message, "mentions">,
): Room {
  if (event.seq <= room.last_seq) return room;
  const next: Room = { ...room, last_seq: event.seq };
  switch (event.type) {
    case "message":
      next.last_event_at = event.message.created_at;
      if (event.message.sender_id !== meId && !event.message.deleted) next.unread_count += 1;
      if (event.message.mentions.includes(meId) && !blocked.has(event.message.sender_id)) next.unread_mentions += 1;
      break;
    case "message_updated": {
      // The server does not count deleted messages as unread.
      const m = event.message;
      const wasUnread = m.sender_id !== meId && m.seq > room.last_read_seq;
      if (m.deleted && wasUnread && next.unread_count > 0) next.unread_count -= 1;
      // Deleted or edited away: an unread mention of me no longer counts.
      const mentionedBefore = before?.mentions.includes(meId) ?? false;
      if (wasUnread && mentionedBefore && !m.mentions.includes(meId) && !blocked.has(m.sender_id)) {
        next.unread_mentions = Math.max(0, next.unread_mentions - 1);
      }
      break;
    }
    case "member":
      next.last_event_at = event.at;
      if (event.user.id === meId && event.role) next.role = event.role;
      break;
    case "room_updated":
      next.name = event.room.name;
      break;
  }
  return next;
}

export function applyRoomEvent(queryClient: QueryClient, socket: ChatSocketApi, event: RoomEvent, meId: number): void {
  if (event.type === "member" && event.user.id === meId && (event.action === "left" || event.action === "removed")) {
    // The server stops delivering the room to us after this event.
    socket.unfollow(event.room_id);
    dropRoom(queryClient, event.room_id);
    queryClient.removeQueries({ queryKey: messagesKey(event.room_id) });
    return;
  }
  const blocked = blockedIdsIn(queryClient);
  const before = event.type === "message_updated" ? findMessage(queryClient, event.room_id, event.message.seq) : undefined;
  updateRoom(queryClient, event.room_id, (room) => roomAfterEvent(room, event, meId, blocked, before));
  // A new mention of me (or one edited or deleted away) changes my mentions list.
  if (
    (event.type === "message" || event.type === "message_updated") &&
    (event.message.mentions.includes(meId) || before?.mentions.includes(meId))
  ) {
    void queryClient.invalidateQueries({ queryKey: mentionsKey });
  }
  if (event.type === "message") applyMessage(queryClient, event.message, { insert: true });
  if (event.type === "message_updated") applyMessage(queryClient, event.message, { insert: false });
  if (event.type === "member") void queryClient.invalidateQueries({ queryKey: membersKey(event.room_id) });
  if (event.type === "tip_updated") applyTipUpdate(queryClient, event.room_id, event.message_seq, event.tip);
  // A room's tips panel (history, totals) follows new tips and their state changes.
  if (event.type === "tip_updated" || (event.type === "message" && event.message.kind === "tip")) {
    void queryClient.invalidateQueries({ queryKey: roomTipsKey(event.room_id) });
  }
}

/** Reload a room over REST, then follow it again from where the reload stands. */
async function reloadRoom(queryClient: QueryClient, socket: ChatSocketApi, roomId: number, lastSeq: number) {
  await Promise.allSettled([
    queryClient.invalidateQueries({ queryKey: roomsKey }),
    queryClient.resetQueries({ queryKey: messagesKey(roomId) }),
    queryClient.invalidateQueries({ queryKey: membersKey(roomId) }),
  ]);
  socket.follow(roomId, lastSeq);
}

export function handleNotice(
  queryClient: QueryClient,
  socket: ChatSocketApi,
  notice: SocketNotice,
  meId: number,
): void {
  switch (notice.kind) {
    case "event":
      applyRoomEvent(queryClient, socket, notice.event, meId);
      break;
    case "personal": {
      const event = notice.event;
      if (event.type !== "member" || event.user.id !== meId) break;
      if (event.action === "left" || event.action === "removed") {
        dropRoom(queryClient, event.room_id);
      } else if (socket.lastSeq(event.room_id) === undefined) {
        // Follow from this very event so nothing after it is missed (protocol §8.10).
        socket.follow(event.room_id, event.seq - 1);
      }
      void queryClient.invalidateQueries({ queryKey: roomsKey });
      break;
    }
    case "resume_too_far":
      void reloadRoom(queryClient, socket, notice.roomId, notice.lastSeq);
      break;
    case "ack":
      // The message event normally comes first; if this room's socket feed has not
      // delivered it (yet), the loaded list would miss my own message.
      if (
        queryClient.getQueryData(messagesKey(notice.roomId)) &&
        !findMessage(queryClient, notice.roomId, notice.seq) &&
        socket.lastSeq(notice.roomId) === undefined
      ) {
        void queryClient.invalidateQueries({ queryKey: messagesKey(notice.roomId) });
      }
      break;
    case "ephemeral": {
      // My own read marker moved on another device or tab.
      const frame = notice.frame;
      if (frame.type === "read" && frame.user_id === meId) {
        updateRoom(queryClient, frame.room_id, (room) =>
          frame.seq >= room.last_seq && (room.unread_count > 0 || room.unread_mentions > 0)
            ? { ...room, unread_count: 0, unread_mentions: 0, last_read_seq: frame.seq }
            : room,
        );
      }
      if (frame.type === "presence") applyPresence(queryClient, frame);
      break;
    }
    case "error":
      // A room the socket could not resume: I was removed from it meanwhile.
      if (notice.roomId !== undefined && (notice.code === "room_not_found" || notice.code === "not_a_member")) {
        void queryClient.invalidateQueries({ queryKey: roomsKey });
      }
      break;
    default:
      break;
  }
}

/** Mount once inside the signed-in tree. */
export function useRoomSync(): void {
  const queryClient = useQueryClient();
  const socket = useSocket();
  const me = useMe();
  const rooms = useRooms().data;

  useEffect(() => {
    for (const room of rooms ?? []) {
      if (socket.lastSeq(room.id) === undefined) socket.follow(room.id, room.last_seq);
    }
  }, [rooms, socket]);

  useSocketNotices((notice) => handleNotice(queryClient, socket, notice, me.id));
}

/** Start following a room I just created, joined or opened (if the socket does not yet). */
export function followNewRoom(socket: ChatSocketApi, room: Room): void {
  if (socket.lastSeq(room.id) === undefined) socket.follow(room.id, room.last_seq);
}
