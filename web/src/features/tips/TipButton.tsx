import { useState, type ReactNode } from "react";
import { createPortal } from "react-dom";

import { LoadBoundary } from "../../components/LoadBoundary";
import { useTipsEnabled } from "../../lib/wallet";
import { TipDialog } from "./lazyWallet";

export interface TipTarget {
  roomId: number;
  userId: number;
  username: string;
}

/** "Tip": opens the tip dialog for one person. Nothing when the server takes no tips. */
export function TipButton({ target, className }: { target: TipTarget; className?: string }) {
  const [open, setOpen] = useState(false);
  if (!useTipsEnabled()) return null;
  const close = () => setOpen(false);
  return (
    <>
      <button
        type="button"
        className={className}
        aria-label={`Tip ${target.username}`}
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        Tip
      </button>
      {open && (
        <LoadBoundary
          loading={<DialogStandIn target={target} onClose={close}>Loading…</DialogStandIn>}
          failed={
            <DialogStandIn target={target} onClose={close}>
              Could not load the wallet. Reload the page to try again.
            </DialogStandIn>
          }
        >
          <TipDialog target={target} onClose={close} />
        </LoadBoundary>
      )}
    </>
  );
}

/** Where the tip dialog appears while its code loads (or if it cannot). */
function DialogStandIn({ target, onClose, children }: { target: TipTarget; onClose: () => void; children: ReactNode }) {
  return createPortal(
    <div className="tip-dialog__backdrop">
      <div className="tip-dialog" role="dialog" aria-modal="true" aria-label={`Tip ${target.username}`}>
        <h2 className="tip-dialog__title">Tip {target.username}</h2>
        <p className="muted" role="status">
          {children}
        </p>
        <div className="tip-form__buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
