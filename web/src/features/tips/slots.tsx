import type { Message } from "../../lib/api/client";
import type { MessageSlots } from "../../lib/messageSlots";
import { TipButton } from "./TipButton";
import { TipCard } from "./TipCard";

function TipAction({ message, mine }: { message: Message; mine: boolean }) {
  if (mine || message.kind !== "text" || message.deleted) return null;
  return <TipButton target={{ roomId: message.room_id, userId: message.sender_id, username: message.sender }} />;
}

/** What tips add to chat messages (the app provides these through MessageSlotsContext). */
export const tipSlots: MessageSlots = {
  tipCard: (message) => <TipCard message={message} />,
  messageActions: (message, mine) => <TipAction message={message} mine={mine} />,
};
