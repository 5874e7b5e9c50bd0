import { useState, type ReactNode } from "react";

import { LoadBoundary } from "../../components/LoadBoundary";
import { hadWalletConnected, useTipsEnabled, useWalletAddress } from "../../lib/wallet";
import { shortAddress } from "./format";
import { WalletPanel } from "./lazyWallet";

/** The wallet menu in the app's header. Its panel brings the wallet stack when first opened. */
export function WalletButton() {
  if (!useTipsEnabled()) return null;
  return <WalletMenu />;
}

function WalletMenu() {
  const [open, setOpen] = useState(false);
  const address = useWalletAddress();
  // wagmi reconnects a wallet from an earlier visit; start the stack now to show its address.
  const [reconnect] = useState(hadWalletConnected);
  return (
    <div className="wallet">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="wallet-panel"
        title={address}
        onClick={() => setOpen((o) => !o)}
      >
        {address ? shortAddress(address) : "Wallet"}
      </button>
      {(open || reconnect) && (
        <LoadBoundary
          loading={open && <PanelStandIn>Loading…</PanelStandIn>}
          failed={open && <PanelStandIn>Could not load the wallet. Reload the page to try again.</PanelStandIn>}
        >
          <WalletPanel open={open} />
        </LoadBoundary>
      )}
    </div>
  );
}

/** Where the panel appears while its code loads (or if it cannot). */
function PanelStandIn({ children }: { children: ReactNode }) {
  return (
    <section id="wallet-panel" className="wallet-panel" aria-label="Wallet">
      <p className="muted" role="status">
        {children}
      </p>
    </section>
  );
}
