import { useEffect, useId, useRef, useState } from "react";

import type { Message } from "../../lib/api/client";
import { errorText } from "../../lib/format";
import { COMMON_EMOJI, reactedByMe, useReactionToggle } from "../../lib/reactions";
import { useMembers } from "../../lib/rooms";
import { useMe } from "../../lib/session";

/** "alice, bob and 3 others": who reacted, from the ids the snapshot lists. */
function whoReacted(userIds: number[], count: number, names: ReadonlyMap<number, string>, meId: number): string {
  const shown = userIds.map((id) => (id === meId ? "you" : (names.get(id) ?? "someone")));
  const others = count - shown.length;
  if (others > 0) shown.push(`${others} ${others === 1 ? "other" : "others"}`);
  if (shown.length <= 1) return shown[0] ?? "";
  return `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

function Picker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div
      className="reaction-picker"
      role="group"
      aria-label="Choose a reaction"
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
      }}
    >
      {COMMON_EMOJI.map((emoji, i) => (
        <button
          key={emoji}
          ref={i === 0 ? first : undefined}
          type="button"
          className="reaction-picker__emoji"
          aria-label={`React with ${emoji}`}
          onClick={() => onPick(emoji)}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}

/** A message's reactions (count per emoji, mine highlighted; click to toggle) and a picker. */
export function ReactionBar({ message }: { message: Message }) {
  const me = useMe();
  const toggle = useReactionToggle();
  const members = useMembers(message.room_id, message.reactions.length > 0).data;
  const names = new Map((members ?? []).map((m) => [m.id, m.username]));
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pickerId = useId();

  async function react(emoji: string) {
    setPicking(false);
    setError(null);
    try {
      await toggle(message, emoji, me.id);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="reactions">
      {message.reactions.map((r) => {
        const mine = reactedByMe(message, r, me.id);
        const who = whoReacted(r.user_ids, r.count, names, me.id);
        return (
          <button
            key={r.emoji}
            type="button"
            className={mine ? "reaction reaction--mine" : "reaction"}
            aria-pressed={mine}
            aria-label={`${r.emoji} ${r.count}${who ? `: ${who}` : ""}`}
            title={who}
            onClick={() => void react(r.emoji)}
          >
            <span aria-hidden="true">{r.emoji}</span> <span className="reaction__count">{r.count}</span>
          </button>
        );
      })}
      <button
        type="button"
        className="reaction reaction--add"
        aria-label="Add reaction"
        aria-expanded={picking}
        aria-controls={pickerId}
        onClick={() => setPicking((open) => !open)}
      >
        <span aria-hidden="true">☺+</span>
      </button>
      <div id={pickerId}>{picking && <Picker onPick={(e) => void react(e)} onClose={() => setPicking(false)} />}</div>
      {error && (
        <span role="alert" className="form-error reactions__error">
          {error}
        </span>
      )}
    </div>
  );
}
