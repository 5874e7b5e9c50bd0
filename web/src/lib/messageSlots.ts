/**
 * Places in a chat message where another feature may add its part, without the chat
 * feature importing it (features do not import each other): the app fills these in.
 * Today: tips (a tip card for `kind: "tip"` messages, a "Tip" action on others' messages).
 */
import { createContext, useContext, type ReactNode } from "react";

import type { Message } from "./api/client";

export interface MessageSlots {
  /** Rendered instead of the body of a `kind: "tip"` message. */
  tipCard?: (message: Message) => ReactNode;
  /** Extra buttons in a message's action row. */
  messageActions?: (message: Message, mine: boolean) => ReactNode;
}

export const MessageSlotsContext = createContext<MessageSlots>({});

export function useMessageSlots(): MessageSlots {
  return useContext(MessageSlotsContext);
}
