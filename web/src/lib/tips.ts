/**
 * A room's tips (`GET /api/rooms/{id}/tips`, newest first), shared by the tips panel and the
 * socket sync that refreshes it when a tip appears or changes state.
 */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "./api/client";

export type RoomTip = Schemas["TipPublic"];
export type TipState = Schemas["TipState"];

export const roomTipsKey = (roomId: number) => ["tips", roomId] as const;

export function useRoomTips(roomId: number, enabled = true) {
  return useQuery({
    queryKey: roomTipsKey(roomId),
    queryFn: async () =>
      (await unwrap(api.GET("/api/rooms/{room_id}/tips", { params: { path: { room_id: roomId }, query: { limit: 100 } } })))
        .tips,
    enabled,
  });
}
