import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import { FormError } from "../../components/FormError";
import type { Message } from "../../lib/api/client";
import { useSocket } from "../../lib/socketHooks";

export const MAX_BODY_CHARS = 4000;

/** Unsent text per room, so switching rooms does not throw a draft away. */
const drafts = new Map<number, string>();

interface ComposerProps {
  roomId: number;
  replyTo: Message | null;
  onCancelReply: () => void;
  /** Called after a message was queued (the list scrolls to it). */
  onSent?: () => void;
}

export function Composer({ roomId, replyTo, onCancelReply, onSent }: ComposerProps) {
  const socket = useSocket();
  const inputId = useId();
  const [text, setTextState] = useState(() => drafts.get(roomId) ?? "");
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  // Choosing Reply on a message takes you to the composer to write it.
  useEffect(() => {
    if (replyTo) input.current?.focus();
  }, [replyTo]);

  function setText(value: string) {
    drafts.set(roomId, value);
    setTextState(value);
  }

  function send() {
    const body = text.trim();
    if (!body) return;
    // Code points, as the server counts them.
    if ([...body].length > MAX_BODY_CHARS) {
      setError(`Messages can be at most ${MAX_BODY_CHARS} characters.`);
      return;
    }
    socket.send(roomId, body, replyTo?.seq ?? null);
    setText("");
    setError(null);
    onCancelReply();
    onSent?.();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    send();
    input.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends; Shift+Enter falls through to the textarea's own newline. An IME
    // composition uses Enter to confirm a candidate, which must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape" && replyTo) {
      onCancelReply();
    }
  }

  function onChange(value: string) {
    setText(value);
    // The socket throttles these to what the server passes on.
    if (value.trim()) socket.typing(roomId);
  }

  return (
    <form className="composer" onSubmit={onSubmit}>
      {replyTo && (
        <div className="composer__reply">
          <span>
            Replying to <strong>{replyTo.sender}</strong>
          </span>
          <button type="button" className="link" aria-label="Cancel reply" onClick={onCancelReply}>
            Cancel
          </button>
        </div>
      )}
      <FormError message={error} />
      <div className="composer__row">
        <label htmlFor={inputId} className="visually-hidden">
          Message
        </label>
        <textarea
          id={inputId}
          ref={input}
          rows={1}
          placeholder="Write a message"
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary">
          Send
        </button>
      </div>
    </form>
  );
}
