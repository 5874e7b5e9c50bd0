/**
 * An EIP-1193 test wallet for end-to-end tests: a viem local account (anvil's public dev
 * keys) behind `window.ethereum`, announced by EIP-6963 like a real browser wallet.
 *
 * The page holds only a thin provider (an init script) that passes every request to the
 * test process through `page.exposeFunction`; the test process signs with the account and
 * forwards reads to the dev chain's RPC. Nothing to build, nothing fetched, and the page's
 * Content-Security-Policy is not involved (a real wallet extension also talks to its own
 * RPC outside the page). It approves everything at once, like a person clicking "Confirm".
 */
import type { Page } from "@playwright/test";
import { createWalletClient, defineChain, http, numberToHex, publicActions, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** Anvil's public test mnemonic: these keys are known to everyone; dev chain only. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

export interface TestWallet {
  address: string;
  /** Every method the page asked for, in order. */
  calls: string[];
}

type WireError = { code: number; message: string };

function wireError(err: unknown): WireError {
  const e = err as { code?: unknown; shortMessage?: unknown; message?: unknown; details?: unknown };
  return {
    code: typeof e.code === "number" ? e.code : -32603,
    message: String(e.details ?? e.shortMessage ?? e.message ?? err),
  };
}

/** Install before `page.goto`. `accountIndex` 1-9: never 0, the server's own deployer. */
export async function installTestWallet(
  page: Page,
  { accountIndex, chainId, rpcUrl }: { accountIndex: number; chainId: number; rpcUrl: string },
): Promise<TestWallet> {
  if (accountIndex < 1) throw new Error("dev account 0 is the server's own; use 1-9");
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: accountIndex });
  const chain = defineChain({
    id: chainId,
    name: "dev",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createWalletClient({ account, chain, transport: http(rpcUrl) }).extend(publicActions);
  const wallet: TestWallet = { address: account.address, calls: [] };

  // Like a real wallet, the site sees no account until it asked for one and was granted it.
  let granted = false;

  async function handle(method: string, params: unknown[]): Promise<unknown> {
    switch (method) {
      case "eth_requestAccounts":
        granted = true;
        return [account.address];
      case "eth_accounts":
        return granted ? [account.address] : [];
      case "eth_chainId":
        return numberToHex(chainId);
      case "net_version":
        return String(chainId);
      case "wallet_requestPermissions":
        granted = true;
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_getPermissions":
        return granted ? [{ parentCapability: "eth_accounts" }] : [];
      case "wallet_revokePermissions":
      case "wallet_addEthereumChain":
        return null;
      case "wallet_switchEthereumChain": {
        const wanted = Number((params[0] as { chainId: string }).chainId);
        if (wanted !== chainId) throw Object.assign(new Error("Unrecognized chain"), { code: 4902 });
        return null;
      }
      case "personal_sign":
        return account.signMessage({ message: { raw: params[0] as Hex } });
      case "eth_sendTransaction": {
        const tx = params[0] as { to: Hex; data?: Hex; value?: Hex; gas?: Hex };
        return client.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value ? BigInt(tx.value) : 0n,
          gas: tx.gas ? BigInt(tx.gas) : undefined,
        });
      }
      default:
        // Reads (receipts, balances, calls, estimates) go to the chain as they are.
        return client.request({ method, params } as never);
    }
  }

  await page.exposeFunction("__tipchatTestWallet", async (method: string, params: unknown[]) => {
    wallet.calls.push(method);
    try {
      return { result: await handle(method, params ?? []) };
    } catch (err) {
      return { error: wireError(err) };
    }
  });
  await page.addInitScript(() => {
    type Bridge = (method: string, params: unknown[]) => Promise<{ result?: unknown; error?: { code: number; message: string } }>;
    const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
    const provider = {
      isTipchatTestWallet: true,
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const bridge = (window as unknown as { __tipchatTestWallet: Bridge }).__tipchatTestWallet;
        const reply = await bridge(method, params ?? []);
        if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
        return reply.result;
      },
      on(event: string, listener: (...args: unknown[]) => void) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(listener);
        return provider;
      },
      removeListener(event: string, listener: (...args: unknown[]) => void) {
        listeners.get(event)?.delete(listener);
        return provider;
      },
    };
    const info = Object.freeze({
      uuid: "6f1f3b53-2f0e-4c39-9a55-6e2f0a7b9c01",
      name: "Test Wallet",
      icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Crect width='8' height='8' fill='%231d4ed8'/%3E%3C/svg%3E",
      rdns: "org.tipchat.testwallet",
    });
    (window as unknown as { ethereum: unknown }).ethereum = provider;
    const announce = () =>
      window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  });
  return wallet;
}
