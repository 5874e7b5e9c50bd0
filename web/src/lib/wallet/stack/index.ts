/**
 * The wallet stack: wagmi with EIP-6963 discovery (config.ts, WalletStack.tsx), SIWE
 * linking (siwe.ts, link.ts). Most of the client's weight, so only modules loaded on
 * demand import it (ESLint holds the line); what the chat needs without it is in ../.
 */
export * from "./config";
export * from "./link";
export * from "./siwe";
export { WalletStack } from "./WalletStack";
