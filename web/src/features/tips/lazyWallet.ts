/**
 * The parts of tipping that use a wallet (./wallet, with the wallet stack), loaded the first
 * time one of them renders: signing in and chatting never wait for them.
 */
import { lazy } from "react";

const load = () => import("./wallet");

export const WalletPanel = lazy(async () => ({ default: (await load()).WalletPanel }));
export const TipDialog = lazy(async () => ({ default: (await load()).TipDialog }));
