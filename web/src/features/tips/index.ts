/**
 * Tipping in the web client: the wallet menu (connect with EIP-6963, link with SIWE),
 * the tip dialog (amount, token, the wallet pays), tip cards in the chat, and a room's
 * tips panel (members to tip, totals, history). Wallet plumbing is in lib/wallet.
 *
 * Tip cards and the tips panel show what the server says and need no wallet code; the parts
 * that use a wallet (wallet/: the wallet menu's panel, the tip dialog) load on demand
 * through lazyWallet.ts, with the wallet stack, the first time one opens.
 */
export { RoomTips } from "./TipsPanel";
export { tipSlots } from "./slots";
export { WalletButton } from "./WalletButton";
