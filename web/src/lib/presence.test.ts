import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import type { Member } from "./api/client";
import { applyPresence, dmPeer, IDLE_AFTER_MS, tabPresence } from "./presence";
import { membersKey } from "./rooms";

const member = (id: number, username: string, presence: Member["presence"]): Member => ({
  id,
  username,
  presence,
  role: "member",
  joined_at: "2026-11-24T10:00:00Z",
  last_read_seq: 0,
});

describe("presence", () => {
  it("a presence frame updates that member in its room's list", () => {
    const queryClient = new QueryClient();
    const before = [member(1, "alice", "online"), member(2, "bob", "offline")];
    queryClient.setQueryData(membersKey(12), before);
    applyPresence(queryClient, { type: "presence", room_id: 12, user_id: 2, username: "bob", status: "away" });
    expect(queryClient.getQueryData<Member[]>(membersKey(12))!.map((m) => m.presence)).toEqual(["online", "away"]);
    // Another room's frame, or no change: the cached list stays the same object.
    const now = queryClient.getQueryData<Member[]>(membersKey(12));
    applyPresence(queryClient, { type: "presence", room_id: 12, user_id: 2, username: "bob", status: "away" });
    applyPresence(queryClient, { type: "presence", room_id: 13, user_id: 2, username: "bob", status: "online" });
    expect(queryClient.getQueryData(membersKey(12))).toBe(now);
  });

  it("a DM's peer is the member who is not me", () => {
    expect(dmPeer([member(1, "alice", "online"), member(2, "bob", "away")], 1)?.username).toBe("bob");
    expect(dmPeer(undefined, 1)).toBeUndefined();
  });

  it("this tab is away when hidden or idle", () => {
    expect(tabPresence(true, 0, IDLE_AFTER_MS - 1)).toBe("online");
    expect(tabPresence(true, 0, IDLE_AFTER_MS)).toBe("away");
    expect(tabPresence(false, 0, 0)).toBe("away");
  });
});
