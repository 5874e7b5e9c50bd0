/**
 * The parts of tipping that use a wallet, each inside the wallet stack: the wallet menu's
 * panel and the tip dialog. Loaded on demand (../lazyWallet.ts); nothing imports this
 * statically.
 */
import { WalletStack } from "../../../lib/wallet/stack";
import type { TipTarget } from "../TipButton";
import { TipForm } from "./TipForm";
import { WalletPanel as Panel } from "./WalletPanel";

/** Closed, it still starts the stack: that reconnects a wallet from an earlier visit. */
export function WalletPanel({ open }: { open: boolean }) {
  return <WalletStack>{open && <Panel />}</WalletStack>;
}

export function TipDialog({ target, onClose }: { target: TipTarget; onClose: () => void }) {
  return (
    <WalletStack>
      <TipForm target={target} onClose={onClose} />
    </WalletStack>
  );
}
