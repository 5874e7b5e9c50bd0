import { useConfig, useConnectors } from "wagmi";
import { connect } from "wagmi/actions";

import { FormError } from "../../../components/FormError";
import { offeredConnectors } from "../../../lib/wallet/stack";
import { useRunner } from "../useRunner";

/** One button per browser wallet found (EIP-6963 announcements, or window.ethereum). */
export function ConnectButtons() {
  const config = useConfig();
  const connectors = offeredConnectors(useConnectors());
  const { busy, problem, run } = useRunner();
  if (connectors.length === 0) {
    return <p className="muted">No browser wallet found. Install one (any EIP-6963 wallet), then reload.</p>;
  }
  return (
    <div className="wallet-connectors">
      {connectors.map((connector) => (
        <button
          key={connector.uid}
          type="button"
          disabled={busy}
          onClick={() => void run(() => connect(config, { connector }))}
        >
          {connector.icon && <img src={connector.icon} alt="" width={20} height={20} />}
          Connect {connector.name}
        </button>
      ))}
      <FormError message={problem?.text ?? null} />
    </div>
  );
}
