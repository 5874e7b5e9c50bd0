/**
 * Tipping in the web client: the wallet menu (connect with EIP-6963, link with SIWE),
 * the tip dialog (amount, token, the wallet pays), tip cards in the chat, and a room's
 * tips panel (members to tip, totals, history). Wallet plumbing is in lib/wallet.
 */
export { RoomTips } from "./TipsPanel";
export { tipSlots } from "./slots";
export { WalletButton } from "./WalletButton";
