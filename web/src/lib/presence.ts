/**
 * Presence (online / away / offline). Member lists carry each member's presence when
 * fetched; ephemeral `presence` frames, sent once to each room the user is in, keep the
 * cached member lists current. This tab reports itself `away` when hidden or idle.
 */
import type { QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import type { Member, Room } from "./api/client";
import { membersKey, useMembers } from "./rooms";
import type { ChatSocketApi, EphemeralFrame } from "./socket/types";

export type Presence = Member["presence"];

/** No keyboard, pointer or scroll input for this long counts as idle. */
export const IDLE_AFTER_MS = 5 * 60_000;

/** Apply a `presence` frame to the member list of its room (if that list is loaded). */
export function applyPresence(
  queryClient: QueryClient,
  frame: Extract<EphemeralFrame, { type: "presence" }>,
): void {
  queryClient.setQueryData<Member[]>(membersKey(frame.room_id), (members) => {
    if (!members?.some((m) => m.id === frame.user_id && m.presence !== frame.status)) return members;
    return members.map((m) => (m.id === frame.user_id ? { ...m, presence: frame.status } : m));
  });
}

/** The other person of a DM, from its member list. */
export function dmPeer(members: Member[] | undefined, meId: number): Member | undefined {
  return members?.find((m) => m.id !== meId);
}

/** The other member of a DM room (undefined for other rooms, or until loaded). */
export function useDmPeer(room: Pick<Room, "id" | "kind">, meId: number): Member | undefined {
  const members = useMembers(room.id, room.kind === "dm").data;
  return room.kind === "dm" ? dmPeer(members, meId) : undefined;
}

/** What this tab should report: away when hidden, or when idle for IDLE_AFTER_MS. */
export function tabPresence(visible: boolean, lastInputAt: number, now: number): "online" | "away" {
  return visible && now - lastInputAt < IDLE_AFTER_MS ? "online" : "away";
}

const INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart"] as const;

/** Mount once in the signed-in tree: tells the socket when this tab is away and back. */
export function usePresenceReporter(socket: ChatSocketApi): void {
  useEffect(() => {
    let lastInputAt = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = () => {
      const visible = document.visibilityState === "visible";
      const status = tabPresence(visible, lastInputAt, Date.now());
      socket.presence(status);
      clearTimeout(timer);
      // While online, check again when the idle time would run out.
      if (status === "online") timer = setTimeout(report, lastInputAt + IDLE_AFTER_MS - Date.now() + 50);
    };
    let lastReport = 0;
    const onInput = () => {
      lastInputAt = Date.now();
      // Input is frequent: re-evaluate at most once a second (coming back from idle is instant).
      if (lastInputAt - lastReport < 1000) return;
      lastReport = lastInputAt;
      report();
    };
    for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, { passive: true });
    document.addEventListener("visibilitychange", report);
    report();
    return () => {
      clearTimeout(timer);
      for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput);
      document.removeEventListener("visibilitychange", report);
    };
  }, [socket]);
}
