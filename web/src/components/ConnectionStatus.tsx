import { useConnectionState } from "../lib/socketHooks";
import type { ConnectionState } from "../lib/socket/types";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  online: "",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  unauthorized: "Offline",
};

/** A live region: screen readers hear when the connection drops and comes back. */
export function ConnectionStatus() {
  const state = useConnectionState();
  return (
    <p role="status" className={`connection connection--${state}`}>
      {LABELS[state]}
    </p>
  );
}
