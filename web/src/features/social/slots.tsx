import type { MessageSlots } from "../../lib/messageSlots";
import { ReactButton, ReactionBar } from "./ReactionBar";

/** What the social feature adds to chat messages (through MessageSlotsContext). */
export const socialSlots: MessageSlots = {
  reactions: (message) => (message.kind === "system" ? null : <ReactionBar message={message} />),
  messageActions: (message) => (message.kind === "system" ? null : <ReactButton message={message} />),
};
