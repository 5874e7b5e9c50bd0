/**
 * The users I block (`GET /api/blocks`). The server still delivers their messages in shared
 * rooms (a room's events are one frame for everyone, docs/protocol.md "Blocks and mutes"):
 * the client hides them. Server-side lists (mentions, search, unread mentions) already
 * leave them out, so those are refetched when the list changes.
 */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useMemo } from "react";

import { api, unwrap, type Schemas } from "./api/client";
import { mentionsKey } from "./mentions";
import { roomsKey } from "./rooms";

export type BlockedUser = Schemas["BlockedUserPublic"];

export const blocksKey = ["blocks"] as const;
export const searchKey = ["search"] as const;
const none: ReadonlySet<number> = new Set();

export function useBlocks() {
  return useQuery({
    queryKey: blocksKey,
    queryFn: async () => (await unwrap(api.GET("/api/blocks"))).users,
    staleTime: 5 * 60_000,
  });
}

/** Ids of the users I block (empty until loaded). */
export function useBlockedIds(): ReadonlySet<number> {
  const users = useBlocks().data;
  return useMemo(() => (users ? new Set(users.map((u) => u.id)) : none), [users]);
}

/** For code outside React (the socket sync): what the cache knows now. */
export function blockedIdsIn(queryClient: QueryClient): ReadonlySet<number> {
  const users = queryClient.getQueryData<BlockedUser[]>(blocksKey);
  return users ? new Set(users.map((u) => u.id)) : none;
}

export function useBlockActions() {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.allSettled([
      queryClient.invalidateQueries({ queryKey: blocksKey }),
      queryClient.invalidateQueries({ queryKey: roomsKey }),
      queryClient.invalidateQueries({ queryKey: mentionsKey }),
      queryClient.invalidateQueries({ queryKey: searchKey }),
    ]);
  return {
    async block(user: { id: number; username: string }): Promise<void> {
      await unwrap(api.PUT("/api/blocks/{user_id}", { params: { path: { user_id: user.id } } }));
      queryClient.setQueryData<BlockedUser[]>(blocksKey, (users) =>
        users?.some((u) => u.id === user.id)
          ? users
          : [...(users ?? []), { id: user.id, username: user.username, blocked_at: new Date().toISOString() }],
      );
      await refresh();
    },
    async unblock(userId: number): Promise<void> {
      await unwrap(api.DELETE("/api/blocks/{user_id}", { params: { path: { user_id: userId } } }));
      queryClient.setQueryData<BlockedUser[]>(blocksKey, (users) => users?.filter((u) => u.id !== userId));
      await refresh();
    },
  };
}
