/**
 * Places in a chat message where another feature may add its part, without the chat
 * feature importing it (features do not import each other): the app fills these in.
 * Today: tips (a tip card for `kind: "tip"` messages, a "Tip" action on others' messages),
 * social (the reaction bar).
 */
import { createContext, createElement, Fragment, useContext, type ReactNode } from "react";

import type { Message } from "./api/client";

export interface MessageSlots {
  /** Rendered instead of the body of a `kind: "tip"` message. */
  tipCard?: (message: Message) => ReactNode;
  /** Extra buttons in a message's action row. */
  messageActions?: (message: Message, mine: boolean) => ReactNode;
  /** Under a (not deleted) message's body: its reactions. */
  reactions?: (message: Message) => ReactNode;
}

/** Several features' slots in one: a slot both fill shows both parts, in order. */
export function mergeSlots(...all: MessageSlots[]): MessageSlots {
  const merged: MessageSlots = {};
  for (const key of ["tipCard", "messageActions", "reactions"] as const) {
    const fills = all.map((slots) => slots[key]).filter((fill) => fill !== undefined);
    if (fills.length === 1) merged[key] = fills[0] as never;
    else if (fills.length > 1) {
      merged[key] = ((message: Message, mine: boolean) =>
        fills.map((fill, i) => createElement(Fragment, { key: i }, (fill as (m: Message, x: boolean) => ReactNode)(message, mine)))) as never;
    }
  }
  return merged;
}

export const MessageSlotsContext = createContext<MessageSlots>({});

export function useMessageSlots(): MessageSlots {
  return useContext(MessageSlotsContext);
}
