import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { createPortal } from "react-dom";
import { useConfig, useConnection } from "wagmi";

import { FormError } from "../../../components/FormError";
import { api, unwrap } from "../../../lib/api/client";
import {
  AmountError,
  findChain,
  isLinked,
  parseAmount,
  useLinkedWallets,
  useServerChains,
  type WalletProblem,
} from "../../../lib/wallet";
import type { TipTarget } from "../TipButton";
import { useRunner } from "../useRunner";
import { ConnectButtons } from "./ConnectButtons";
import { payTip, STEP_TEXT, type TipStep } from "./pay";
import { SwitchNetwork } from "./SwitchNetwork";

function useMemberWallets(target: TipTarget) {
  return useQuery({
    queryKey: ["wallets", "member", target.roomId, target.userId],
    queryFn: async () =>
      (
        await unwrap(
          api.GET("/api/rooms/{room_id}/members/{user_id}/wallets", {
            params: { path: { room_id: target.roomId, user_id: target.userId } },
          }),
        )
      ).wallets,
    staleTime: 30_000,
  });
}

/** Amount and token, then the wallet pays. A dialog over the page. */
export function TipForm({ target, onClose }: { target: TipTarget; onClose: () => void }) {
  const config = useConfig();
  const connection = useConnection();
  const chains = useServerChains().data ?? [];
  const linked = useLinkedWallets();
  const theirs = useMemberWallets(target);
  const initialChain = findChain(chains, connection.chainId ?? -1) ?? chains[0];
  const [chainId, setChainId] = useState(initialChain?.chain_id ?? 0);
  const chain = findChain(chains, chainId);
  const [tokenAddress, setTokenAddress] = useState(chain?.tokens[0]?.address ?? "");
  const token = chain?.tokens.find((t) => t.address === tokenAddress) ?? chain?.tokens[0];
  const [amount, setAmount] = useState("");
  const [step, setStep] = useState<TipStep | null>(null);
  const [inputError, setInputError] = useState<string | null>(null);
  const { busy, problem, setProblem, run } = useRunner();

  const connected = Boolean(connection.address);
  const wrongNetwork = connected && connection.chainId !== chainId;
  const notLinked = connected && linked.data !== undefined && !isLinked(linked.data, connection.address);
  const recipientUnlinked = theirs.data !== undefined && theirs.data.length === 0;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!chain || !token) return;
    setInputError(null);
    let base: bigint;
    try {
      base = parseAmount(amount, token.decimals);
    } catch (err) {
      setInputError(err instanceof AmountError ? err.message : String(err));
      return;
    }
    setStep(null);
    const result = await run(() =>
      payTip(config, linked.data, { roomId: target.roomId, toUserId: target.userId, chain, token, amount: base }, setStep),
    );
    if (result) onClose();
    else setStep(null);
  }

  const note: WalletProblem | null = problem;
  return createPortal(
    <div className="tip-dialog__backdrop">
      <div className="tip-dialog" role="dialog" aria-modal="true" aria-label={`Tip ${target.username}`}>
        <h2 className="tip-dialog__title">Tip {target.username}</h2>
        {recipientUnlinked && (
          <p className="wallet-note wallet-note--warn">
            {target.username} has not linked a wallet yet, so they cannot be tipped.
          </p>
        )}
        {!connected && (
          <div className="wallet-note">
            <p>Connect the wallet you will pay from.</p>
            <ConnectButtons />
          </div>
        )}
        {wrongNetwork && chain && <SwitchNetwork chains={[chain]} current={connection.chainId} />}
        {notLinked && !wrongNetwork && (
          <p className="wallet-note wallet-note--warn">
            This wallet is not linked to your account: link it in the Wallet menu first (only a payment from
            your own linked wallet counts).
          </p>
        )}
        <form className="tip-form" onSubmit={(e) => void submit(e)}>
          {chains.length > 1 && (
            <label>
              Network
              <select
                value={chainId}
                disabled={busy}
                onChange={(e) => {
                  const next = findChain(chains, Number(e.target.value));
                  setChainId(Number(e.target.value));
                  setTokenAddress(next?.tokens[0]?.address ?? "");
                }}
              >
                {chains.map((c) => (
                  <option key={c.chain_id} value={c.chain_id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Amount
            <input
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              disabled={busy}
              aria-invalid={inputError ? true : undefined}
              onChange={(e) => {
                setAmount(e.target.value);
                setInputError(null);
                setProblem(null);
              }}
              autoFocus
            />
          </label>
          <label>
            Token
            <select value={token?.address ?? ""} disabled={busy} onChange={(e) => setTokenAddress(e.target.value)}>
              {chain?.tokens.map((t) => (
                <option key={t.address} value={t.address}>
                  {t.symbol}
                </option>
              ))}
            </select>
          </label>
          <FormError message={inputError} />
          <div className="tip-form__buttons">
            <button
              type="submit"
              className="primary"
              disabled={busy || !connected || wrongNetwork || notLinked || recipientUnlinked || !token}
            >
              Send tip
            </button>
            <button type="button" onClick={onClose}>
              {busy ? "Close" : "Cancel"}
            </button>
          </div>
        </form>
        <p aria-live="polite" className="muted tip-dialog__step">
          {step ? STEP_TEXT[step] : null}
        </p>
        <FormError message={note?.text ?? null} />
        {note?.kind === "wrong_network" && chain && <SwitchNetwork chains={[chain]} current={connection.chainId} />}
      </div>
    </div>,
    document.body,
  );
}
