/**
 * The connected wallet's address as the wallet stack (stack/, loaded on demand) last reported
 * it, for what shows it without loading the stack: the header's Wallet button. The stack
 * reports every change; this only mirrors it.
 */
import { useSyncExternalStore } from "react";

// Set while a wallet is connected, so the next visit knows wagmi will reconnect it and loads
// the stack at once to show its address (wagmi's own storage format is not ours to read).
const CONNECTED_KEY = "tipchat.walletConnected";

let address: string | undefined;
const listeners = new Set<() => void>();

export function reportWalletAddress(next: string | undefined): void {
  if (next === address) return;
  address = next;
  try {
    if (next) localStorage.setItem(CONNECTED_KEY, "1");
    else localStorage.removeItem(CONNECTED_KEY);
  } catch {
    // No storage (private mode): the next visit shows "Wallet" until the menu is opened.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useWalletAddress(): string | undefined {
  return useSyncExternalStore(subscribe, () => address);
}

/** A wallet was connected when this browser last ran the wallet stack. */
export function hadWalletConnected(): boolean {
  try {
    return localStorage.getItem(CONNECTED_KEY) !== null;
  } catch {
    return false;
  }
}
