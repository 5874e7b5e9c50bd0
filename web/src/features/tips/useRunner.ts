import { useState } from "react";

import { describeWalletError, type WalletProblem } from "../../lib/wallet";

/** Run one wallet action at a time; keep its problem (in words) when it fails. */
export function useRunner() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<WalletProblem | null>(null);
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setProblem(null);
    try {
      return await action();
    } catch (err) {
      setProblem(describeWalletError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, problem, setProblem, run };
}
