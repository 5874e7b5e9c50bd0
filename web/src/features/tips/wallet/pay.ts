/**
 * Paying a tip (docs/tipping.md): the intent (`POST /api/tips`) gives the call to send;
 * the sender's own wallet sends the ERC-20 approve first (if any, and waits for it), then
 * the router call; the tx hash goes back to the server as a hint. The chain decides.
 */
import { erc20Abi, type Address, type Hex } from "viem";
import type { Config } from "wagmi";
import { getBalance, getConnection, readContract, sendTransaction, waitForTransactionReceipt } from "wagmi/actions";

import { api, unwrap } from "../../../lib/api/client";
import {
  InsufficientBalanceError,
  isLinked,
  NotConnectedError,
  NotLinkedError,
  WrongNetworkError,
  type LinkedWallet,
  type ServerChain,
  type ServerToken,
} from "../../../lib/wallet";

export interface TipRequest {
  roomId: number;
  toUserId: number;
  chain: ServerChain;
  token: ServerToken;
  /** Base units. */
  amount: bigint;
}

export type TipStep = "checking" | "intent" | "approve" | "approving" | "pay" | "sent";

export const STEP_TEXT: Record<TipStep, string> = {
  checking: "Checking your balance…",
  intent: "Recording the tip…",
  approve: "Confirm the token allowance in your wallet…",
  approving: "Waiting for the allowance to be mined…",
  pay: "Confirm the tip in your wallet…",
  sent: "Sent. The tip shows as confirmed once the chain confirms it.",
};

/** What must hold before anything is recorded: a linked wallet on the tip's chain. */
export function checkWallet(config: Config, linked: readonly LinkedWallet[] | undefined, chainId: number): Address {
  const connection = getConnection(config);
  if (!connection.address) throw new NotConnectedError();
  if (!isLinked(linked, connection.address)) throw new NotLinkedError(connection.address);
  if (connection.chainId !== chainId) throw new WrongNetworkError(connection.chainId, [chainId]);
  return connection.address;
}

export async function payTip(
  config: Config,
  linked: readonly LinkedWallet[] | undefined,
  request: TipRequest,
  onStep: (step: TipStep) => void,
): Promise<{ tipId: number; txHash: Hex }> {
  const { chain, token, amount } = request;
  const chainId = chain.chain_id;
  const account = checkWallet(config, linked, chainId);

  // Refuse early rather than record a tip the wallet cannot pay (it would sit pending).
  onStep("checking");
  const balance = token.native
    ? (await getBalance(config, { address: account, chainId })).value
    : await readContract(config, {
        address: token.address as Address,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [account],
        chainId,
      });
  if (balance < amount) throw new InsufficientBalanceError(token.symbol);

  onStep("intent");
  const intent = await unwrap(
    api.POST("/api/tips", {
      body: {
        room_id: request.roomId,
        to_user_id: request.toUserId,
        chain_id: chainId,
        token: token.address,
        amount: amount.toString(),
      },
    }),
  );
  const payment = intent.payment;
  if (!payment) throw new Error("The server sent no payment for this tip.");

  if (payment.approve) {
    onStep("approve");
    const approveHash = await sendTransaction(config, {
      account,
      chainId,
      to: payment.approve.to as Address,
      data: payment.approve.data as Hex,
    });
    onStep("approving");
    const receipt = await waitForTransactionReceipt(config, { hash: approveHash, chainId });
    if (receipt.status !== "success") throw new Error("The token allowance failed on chain; nothing was tipped.");
  }

  onStep("pay");
  const txHash = await sendTransaction(config, {
    account,
    chainId,
    to: payment.to as Address,
    data: payment.data as Hex,
    value: BigInt(payment.value),
  });
  onStep("sent");
  try {
    await unwrap(
      api.POST("/api/tips/{tip_id}/tx", { params: { path: { tip_id: intent.tip.id } }, body: { tx_hash: txHash } }),
    );
  } catch {
    // Only a hint: the watcher finds the payment on chain anyway.
  }
  return { tipId: intent.tip.id, txHash };
}
