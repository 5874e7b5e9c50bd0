/**
 * Wallets for tipping, the light part: the server's chains (chains.ts), token amounts
 * (amount.ts), my linked wallets (linked.ts), wallet errors in words (errors.ts), the
 * connected address as last reported (connection.ts) and whether tips are on
 * (WalletProvider.tsx). The wallet stack itself (wagmi, SIWE) is in stack/, loaded on demand.
 */
export * from "./amount";
export * from "./chains";
export * from "./connection";
export * from "./errors";
export * from "./linked";
export { useTipsEnabled, WalletProvider } from "./WalletProvider";
