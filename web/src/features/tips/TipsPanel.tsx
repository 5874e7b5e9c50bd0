import { useState } from "react";

import type { Room } from "../../lib/api/client";
import { longTime, shortTime } from "../../lib/format";
import { useMembers } from "../../lib/rooms";
import { useMe } from "../../lib/session";
import { useRoomTips, type RoomTip } from "../../lib/tips";
import { findChain, findToken, formatAmount, useServerChains, useTipsEnabled, type ServerChain } from "../../lib/wallet";
import { TipButton } from "./TipButton";
import { nameOf, TipStatus, useTipAmount } from "./TipCard";
import { tipTotals } from "./totals";

/** A "Tips" toggle under the room header, and the room's tips panel when open. */
export function RoomTips({ room }: { room: Room }) {
  const [open, setOpen] = useState(false);
  if (!useTipsEnabled()) return null;
  return (
    <div className="room-tips">
      <button
        type="button"
        className="room-tips__toggle"
        aria-expanded={open}
        aria-controls={`tips-${room.id}`}
        onClick={() => setOpen((o) => !o)}
      >
        Tips
      </button>
      {open && <TipsPanel room={room} />}
    </div>
  );
}

function amountIn(chain: ServerChain | undefined, token: string, amount: bigint): string {
  const t = findToken(chain, token);
  return t ? `${formatAmount(amount, t.decimals)} ${t.symbol}` : `${amount} base units`;
}

function HistoryItem({ item, names }: { item: RoomTip; names: (id: number) => string }) {
  const amount = useTipAmount(item.tip);
  return (
    <li className="tips-history__item">
      <span>
        {names(item.tip.sender_id)} → {names(item.tip.recipient_id)}: <strong>{amount}</strong>
      </span>{" "}
      <TipStatus tip={item.tip} />{" "}
      <time className="muted" dateTime={item.created_at} title={longTime(item.created_at)}>
        {shortTime(item.created_at)}
      </time>
    </li>
  );
}

function TipsPanel({ room }: { room: Room }) {
  const me = useMe();
  const members = useMembers(room.id).data;
  const chains = useServerChains().data;
  const tips = useRoomTips(room.id);
  const names = (id: number) => nameOf(members, id);
  const totals = tipTotals(tips.data ?? []);
  const others = members?.filter((m) => m.id !== me.id) ?? [];

  return (
    <section id={`tips-${room.id}`} className="tips-panel" aria-label="Tips in this room">
      <div className="tips-panel__column">
        <h3>Members</h3>
        {others.length === 0 && <p className="muted">No one else here yet.</p>}
        <ul className="tips-members">
          {others.map((member) => (
            <li key={member.id}>
              <span>{member.username}</span>
              <TipButton target={{ roomId: room.id, userId: member.id, username: member.username }} />
            </li>
          ))}
        </ul>
      </div>
      <div className="tips-panel__column">
        <h3>Totals</h3>
        {totals.length === 0 ? (
          <p className="muted">No confirmed tips yet.</p>
        ) : (
          <table className="tips-totals">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Received</th>
                <th scope="col">Sent</th>
              </tr>
            </thead>
            <tbody>
              {totals.map((t) => {
                const chain = findChain(chains, t.chainId);
                return (
                  <tr key={`${t.userId}:${t.chainId}:${t.token}`}>
                    <th scope="row">{names(t.userId)}</th>
                    <td>{amountIn(chain, t.token, t.received)}</td>
                    <td>{amountIn(chain, t.token, t.sent)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      <div className="tips-panel__column">
        <h3>History</h3>
        {tips.isPending && <p className="muted">Loading…</p>}
        {tips.data?.length === 0 && <p className="muted">No tips in this room yet.</p>}
        <ul className="tips-history">
          {tips.data?.map((item) => <HistoryItem key={item.tip.id} item={item} names={names} />)}
        </ul>
      </div>
    </section>
  );
}
