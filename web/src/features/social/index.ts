/**
 * What people expect of a chat beyond messages (issue 6): reactions (a bar under each
 * message, through the message slots), the mentions list, search, members with presence,
 * blocking and muting. Shared rules live in lib/ (reactions, mentions, typing, presence,
 * blocks); the chat and rooms features render mentions, typing and badges themselves.
 */
export { MentionsPanel } from "./MentionsPanel";
export { RoomSocial } from "./RoomSocial";
export { SearchPanel } from "./SearchPanel";
export { socialSlots } from "./slots";
