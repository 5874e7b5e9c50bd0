import type { Member, Message } from "../../lib/api/client";
import { useMembers } from "../../lib/rooms";
import type { TipState } from "../../lib/tips";
import { explorerTxUrl, findChain, findToken, formatAmount, useServerChains } from "../../lib/wallet";
import { shortAddress } from "./format";
import { statusText } from "./status";

export function nameOf(members: readonly Member[] | undefined, userId: number, fallback?: string): string {
  return members?.find((m) => m.id === userId)?.username ?? fallback ?? `user ${userId}`;
}

/** "2.5 tUSD" (or base units when the server no longer lists the token). */
export function useTipAmount(tip: Pick<TipState, "chain_id" | "token" | "amount">): string {
  const chain = findChain(useServerChains().data, tip.chain_id);
  const token = findToken(chain, tip.token);
  return token ? `${formatAmount(tip.amount, token.decimals)} ${token.symbol}` : `${tip.amount} base units`;
}

export function TipStatus({ tip }: { tip: TipState }) {
  return (
    <span className={`tip-status tip-status--${tip.status}`} data-tip-status={tip.status}>
      {statusText(tip)}
    </span>
  );
}

/** A tip message: amount, who tipped whom, the tip's live state, and the transaction. */
export function TipCard({ message }: { message: Message }) {
  const tip = message.tip!;
  const members = useMembers(message.room_id).data;
  const chain = findChain(useServerChains().data, tip.chain_id);
  const amount = useTipAmount(tip);
  const url = explorerTxUrl(chain, tip.tx_hash);
  const from = nameOf(members, tip.sender_id, message.sender);
  const to = nameOf(members, tip.recipient_id);
  return (
    <div className={`tip-card tip-card--${tip.status}`} role="group" aria-label={`Tip of ${amount} from ${from} to ${to}`}>
      <p className="tip-card__amount">{amount}</p>
      <p className="tip-card__parties">
        {from} → {to} <span className="muted" title={tip.recipient_address}>({shortAddress(tip.recipient_address)})</span>
      </p>
      <p className="tip-card__state">
        <TipStatus tip={tip} />
        {chain && <span className="muted"> on {chain.name}</span>}
        {url && (
          <>
            {" · "}
            <a href={url} target="_blank" rel="noreferrer noopener">
              View transaction
            </a>
          </>
        )}
      </p>
    </div>
  );
}
