/**
 * Which message's reaction picker is open (at most one). The "React" action and the
 * reaction bar are filled into different message slots, so they share this tiny store.
 */
import { useSyncExternalStore } from "react";

let openKey: string | null = null;
const listeners = new Set<() => void>();

export const pickerKey = (roomId: number, seq: number) => `${roomId}:${seq}`;

export function setPicker(key: string | null): void {
  if (key === openKey) return;
  openKey = key;
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the picker of message `key` is open. */
export function usePickerOpen(key: string): boolean {
  return useSyncExternalStore(subscribe, () => openKey === key);
}
