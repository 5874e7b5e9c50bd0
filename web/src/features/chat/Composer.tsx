import {
  useEffect,
  useId,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
} from "react";

import { FormError } from "../../components/FormError";
import type { Message } from "../../lib/api/client";
import { useSocket } from "../../lib/socketHooks";
import { PaperclipIcon } from "./icons";
import { UploadChips } from "./UploadChips";
import type { Uploads } from "./useUploads";

export const MAX_BODY_CHARS = 4000;

/** Unsent text per room, so switching rooms does not throw a draft away. */
const drafts = new Map<number, string>();

interface ComposerProps {
  roomId: number;
  /** The files of this message (the conversation around takes dropped files too). */
  uploads: Uploads;
  replyTo: Message | null;
  onCancelReply: () => void;
  /** Called after a message was queued (the list scrolls to it). */
  onSent?: () => void;
}

export function Composer({ roomId, uploads, replyTo, onCancelReply, onSent }: ComposerProps) {
  const socket = useSocket();
  const inputId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [text, setTextState] = useState(() => drafts.get(roomId) ?? "");
  const [error, setError] = useState<string | null>(null);
  /** Send was pressed while files were not ready: say why for as long as that lasts. */
  const [waited, setWaited] = useState(false);
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
    if (uploads.blocker) {
      setWaited(true);
      return;
    }
    // Files need no words with them (the server takes an empty body with attachments).
    if (!body && uploads.ready.length === 0) return;
    // Code points, as the server counts them.
    if ([...body].length > MAX_BODY_CHARS) {
      setError(`Messages can be at most ${MAX_BODY_CHARS} characters.`);
      return;
    }
    socket.send(roomId, body, replyTo?.seq ?? null, uploads.ready);
    setText("");
    uploads.clear();
    setError(null);
    setWaited(false);
    onCancelReply();
    onSent?.();
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return; // text: the textarea's own paste
    event.preventDefault();
    uploads.add(files);
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
      <FormError message={error ?? (waited ? uploads.blocker : null) ?? uploads.notice} />
      <UploadChips uploads={uploads.uploads} onRemove={uploads.remove} />
      <div className="composer__row">
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          data-testid="attach-input"
          onChange={(e) => {
            uploads.add([...(e.target.files ?? [])]);
            e.target.value = ""; // the same file may be chosen again
          }}
        />
        <button
          type="button"
          className="composer__attach"
          aria-label="Attach files"
          title="Attach files (or drop or paste them)"
          onClick={() => fileInput.current?.click()}
        >
          <PaperclipIcon />
        </button>
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
          onPaste={onPaste}
        />
        <button type="submit" className="primary">
          Send
        </button>
      </div>
    </form>
  );
}
