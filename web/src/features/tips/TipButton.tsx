import { useState } from "react";

import { useTipsEnabled } from "../../lib/wallet";
import { TipForm, type TipTarget } from "./TipForm";

/** "Tip": opens the tip dialog for one person. Nothing when the server takes no tips. */
export function TipButton({ target, className }: { target: TipTarget; className?: string }) {
  const [open, setOpen] = useState(false);
  if (!useTipsEnabled()) return null;
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
      {open && <TipForm target={target} onClose={() => setOpen(false)} />}
    </>
  );
}
