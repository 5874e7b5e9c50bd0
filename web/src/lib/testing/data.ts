import type { Message, Room } from "../api/client";

export function aRoom(over: Partial<Room> & { id: number }): Room {
  return {
    kind: "public",
    name: `room ${over.id}`,
    last_seq: 10,
    last_read_seq: 10,
    unread_count: 0,
    role: "member",
    last_event_at: "2026-11-24T10:00:00Z",
    dm_peer: null,
    muted: false,
    unread_mentions: 0,
    ...over,
  };
}

export function aMessage(over: Partial<Message> & { seq: number }): Message {
  return {
    room_id: 1,
    sender_id: 2,
    sender: "bob",
    client_msg_id: `m-${over.seq}`,
    kind: "text",
    body: `message ${over.seq}`,
    reply_to: null,
    created_at: "2026-11-24T10:00:00Z",
    edited_at: null,
    deleted: false,
    reactions: [],
    mentions: [],
    attachments: [],
    ...over,
  };
}
