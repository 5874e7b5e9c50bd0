import { useEffect, useRef, useState } from "react";

import type { Message } from "../../lib/api/client";
import { errorText } from "../../lib/format";
import { COMMON_EMOJI, reactedByMe, useReactionToggle } from "../../lib/reactions";
import { useMembers } from "../../lib/rooms";
import { useMe } from "../../lib/session";
import { pickerKey, setPicker, usePickerOpen } from "./pickerState";

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

/** In a message's action row: opens the reaction picker under the message. */
export function ReactButton({ message }: { message: Message }) {
  const key = pickerKey(message.room_id, message.seq);
  const open = usePickerOpen(key);
  return (
    <button
      type="button"
      aria-label="Add reaction"
      aria-expanded={open}
      aria-controls={`picker-${key}`}
      onClick={() => setPicker(open ? null : key)}
    >
      React
    </button>
  );
}

/**
 * A message's reactions (count per emoji, mine highlighted; click to toggle), and the
 * picker when it is open. Nothing at all for a message without reactions.
 */
export function ReactionBar({ message }: { message: Message }) {
  const me = useMe();
  const toggle = useReactionToggle();
  const members = useMembers(message.room_id, message.reactions.length > 0).data;
  const names = new Map((members ?? []).map((m) => [m.id, m.username]));
  const key = pickerKey(message.room_id, message.seq);
  const picking = usePickerOpen(key);
  const [error, setError] = useState<string | null>(null);

  async function react(emoji: string) {
    setPicker(null);
    setError(null);
    try {
      await toggle(message, emoji, me.id);
    } catch (err) {
      setError(errorText(err));
    }
  }

  if (message.reactions.length === 0 && !picking && !error) return null;
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
      <div id={`picker-${key}`}>{picking && <Picker onPick={(e) => void react(e)} onClose={() => setPicker(null)} />}</div>
      {error && (
        <span role="alert" className="form-error reactions__error">
          {error}
        </span>
      )}
    </div>
  );
}
