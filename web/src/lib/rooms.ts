/**
 * My rooms, as one query shared by the room list, the room header and the socket sync.
 * The socket keeps it current between fetches (lib/roomSync.ts).
 */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api, unwrap, type Member, type Room } from "./api/client";

export const roomsKey = ["rooms"] as const;
export const membersKey = (roomId: number) => ["members", roomId] as const;

/** Most recently active first, as the server orders them. */
export function sortRooms(rooms: Room[]): Room[] {
  return [...rooms].sort((a, b) => b.last_event_at.localeCompare(a.last_event_at) || b.id - a.id);
}

/**
 * A REST read can be older than socket events already applied to the cache (the response
 * was composed before they committed). Keep whichever copy of a room has seen more.
 */
export function mergeFetchedRooms(fetched: Room[], cached: Room[] | undefined): Room[] {
  if (!cached) return fetched;
  const byId = new Map(cached.map((room) => [room.id, room]));
  return sortRooms(
    fetched.map((room) => {
      const mine = byId.get(room.id);
      return mine && mine.last_seq > room.last_seq ? mine : room;
    }),
  );
}

export async function fetchRooms(queryClient: QueryClient): Promise<Room[]> {
  const { rooms } = await unwrap(api.GET("/api/rooms"));
  return mergeFetchedRooms(rooms, queryClient.getQueryData<Room[]>(roomsKey));
}

export function useRooms() {
  const queryClient = useQueryClient();
  return useQuery({ queryKey: roomsKey, queryFn: () => fetchRooms(queryClient), staleTime: 30_000 });
}

export function useRoom(roomId: number): Room | undefined {
  return useRooms().data?.find((room) => room.id === roomId);
}

export function useMembers(roomId: number, enabled = true) {
  return useQuery({
    queryKey: membersKey(roomId),
    enabled,
    queryFn: async (): Promise<Member[]> =>
      (await unwrap(api.GET("/api/rooms/{room_id}/members", { params: { path: { room_id: roomId } } })))
        .members,
  });
}

/** What to call a room: DMs are named after the other person. */
export function roomTitle(room: Pick<Room, "kind" | "name" | "dm_peer">): string {
  if (room.kind === "dm") return room.dm_peer ?? "Direct message";
  return room.name ?? "Untitled room";
}

export function updateRoom(queryClient: QueryClient, roomId: number, change: (room: Room) => Room): void {
  queryClient.setQueryData<Room[]>(roomsKey, (rooms) => {
    if (!rooms) return rooms;
    let changed = false;
    const next = rooms.map((room) => {
      if (room.id !== roomId) return room;
      const updated = change(room);
      changed ||= updated !== room;
      return updated;
    });
    return changed ? sortRooms(next) : rooms;
  });
}

/** A room I just created, joined or opened a DM in. */
export function addRoom(queryClient: QueryClient, room: Room): void {
  queryClient.setQueryData<Room[]>(roomsKey, (rooms) => {
    const existing = rooms?.find((r) => r.id === room.id);
    if (existing && existing.last_seq >= room.last_seq) return rooms;
    return sortRooms([...(rooms ?? []).filter((r) => r.id !== room.id), room]);
  });
}

export function dropRoom(queryClient: QueryClient, roomId: number): void {
  queryClient.setQueryData<Room[]>(roomsKey, (rooms) => rooms?.filter((room) => room.id !== roomId));
}
