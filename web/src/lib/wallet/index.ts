/**
 * Wallets for tipping: the server's chains (chains.ts), the wagmi config with EIP-6963
 * discovery (config.ts, WalletProvider.tsx), SIWE linking (siwe.ts, linked.ts), token
 * amounts (amount.ts) and wallet errors in words (errors.ts).
 */
export * from "./amount";
export * from "./chains";
export * from "./config";
export * from "./errors";
export * from "./linked";
export * from "./siwe";
export { useTipsEnabled, WalletProvider } from "./WalletProvider";
