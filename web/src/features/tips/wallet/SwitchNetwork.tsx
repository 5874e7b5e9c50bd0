import { useConfig } from "wagmi";
import { switchChain } from "wagmi/actions";

import { FormError } from "../../../components/FormError";
import type { ServerChain } from "../../../lib/wallet";
import { useRunner } from "../useRunner";

/** The wallet is on another network: say which one we need, and offer to switch. */
export function SwitchNetwork({ chains, current }: { chains: readonly ServerChain[]; current: number | undefined }) {
  const config = useConfig();
  const { busy, problem, run } = useRunner();
  const names = chains.map((c) => c.name).join(" or ");
  return (
    <div className="wallet-note wallet-note--warn">
      <p>
        Wrong network: your wallet is on {current === undefined ? "an unknown network" : `chain ${current}`}; tips here
        use {names}.
      </p>
      {chains.map((chain) => (
        <button
          key={chain.chain_id}
          type="button"
          disabled={busy}
          onClick={() => void run(() => switchChain(config, { chainId: chain.chain_id }))}
        >
          Switch to {chain.name}
        </button>
      ))}
      <FormError message={problem?.text ?? null} />
    </div>
  );
}
