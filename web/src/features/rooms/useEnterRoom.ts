import { useQueryClient } from "@tanstack/react-query";

import type { Room } from "../../lib/api/client";
import { followNewRoom } from "../../lib/roomSync";
import { addRoom } from "../../lib/rooms";
import { navigate } from "../../lib/route";
import { useSocket } from "../../lib/socketHooks";

/**
 * Enter a room I just created, joined or opened a DM in: into the rooms list at once (not
 * after a refetch), followed on the socket from the state the server returned, then open.
 */
export function useEnterRoom(): (room: Room) => void {
  const queryClient = useQueryClient();
  const socket = useSocket();
  return (room) => {
    addRoom(queryClient, room);
    followNewRoom(socket, room);
    navigate({ name: "room", roomId: room.id });
  };
}
