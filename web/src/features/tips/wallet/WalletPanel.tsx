import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useConfig, useConnection } from "wagmi";
import { disconnect } from "wagmi/actions";

import { FormError } from "../../../components/FormError";
import { findChain, isLinked, unlinkWallet, useLinkedWallets, useServerChains } from "../../../lib/wallet";
import { linkConnectedWallet } from "../../../lib/wallet/stack";
import { shortAddress } from "../format";
import { useRunner } from "../useRunner";
import { ConnectButtons } from "./ConnectButtons";
import { SwitchNetwork } from "./SwitchNetwork";

/** The wallet menu's panel (the button is ../WalletButton): connect, link with SIWE, unlink, disconnect. */
export function WalletPanel() {
  const config = useConfig();
  const queryClient = useQueryClient();
  const connection = useConnection();
  const chains = useServerChains().data ?? [];
  const linked = useLinkedWallets();
  const { busy, problem, run } = useRunner();
  const [done, setDone] = useState<string | null>(null);
  const address = connection.address;
  const chain = connection.chainId === undefined ? undefined : findChain(chains, connection.chainId);
  const linkedHere = isLinked(linked.data, address);

  async function link() {
    setDone(null);
    const wallet = await run(() => linkConnectedWallet(config, queryClient));
    if (wallet) setDone(`Linked ${shortAddress(wallet.address)}: people in your rooms can tip you there.`);
  }

  async function unlink(target: string) {
    setDone(null);
    await run(() => unlinkWallet(queryClient, target));
  }

  return (
    <section id="wallet-panel" className="wallet-panel" aria-label="Wallet">
      {!address ? (
        <>
          <p>Connect a wallet to tip people, and link it so they can tip you.</p>
          <ConnectButtons />
        </>
      ) : (
        <>
          <p className="wallet-panel__connected">
            Connected: <span title={address}>{shortAddress(address)}</span>
            {chain ? ` on ${chain.name}` : ""}
          </p>
          {!chain ? (
            <SwitchNetwork chains={chains} current={connection.chainId} />
          ) : linkedHere ? (
            <p className="muted">This wallet is linked to your account.</p>
          ) : (
            <div>
              <p className="muted">Sign a message to prove this wallet is yours. It sends nothing and costs nothing.</p>
              <button type="button" className="primary" disabled={busy || linked.isPending} onClick={() => void link()}>
                Link this wallet
              </button>
            </div>
          )}
          {problem?.kind === "wrong_network" && chain && <SwitchNetwork chains={chains} current={connection.chainId} />}
          <button type="button" disabled={busy} onClick={() => void run(() => disconnect(config))}>
            Disconnect
          </button>
        </>
      )}
      <FormError message={problem?.text ?? null} />
      <p aria-live="polite" className="muted">
        {done}
      </p>
      <h3 className="wallet-panel__heading">Linked wallets</h3>
      {linked.data && linked.data.length === 0 && <p className="muted">None yet.</p>}
      <ul className="wallet-panel__linked">
        {linked.data?.map((wallet) => (
          <li key={wallet.address}>
            <code title={wallet.address}>{shortAddress(wallet.address)}</code>
            <button
              type="button"
              disabled={busy}
              aria-label={`Unlink ${wallet.address}`}
              onClick={() => void unlink(wallet.address)}
            >
              Unlink
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
