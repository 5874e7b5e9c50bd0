import type { Member } from "../lib/api/client";

const LABELS: Record<Member["presence"], string> = { online: "online", away: "away", offline: "offline" };

/** A coloured dot for online / away / offline, named for screen readers. */
export function PresenceDot({ presence, name }: { presence: Member["presence"]; name?: string }) {
  const label = name ? `${name} is ${LABELS[presence]}` : LABELS[presence];
  return <span className={`presence presence--${presence}`} role="img" aria-label={label} title={label} />;
}
