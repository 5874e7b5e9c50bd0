import { useEffect, useRef, useState, type KeyboardEvent } from "react";

import { FormError } from "../../components/FormError";
import type { Message } from "../../lib/api/client";
import { errorText, longTime, shortTime } from "../../lib/format";
import { useMessageSlots } from "../../lib/messageSlots";
import { useMessageActions } from "../../lib/messages";
import { MessageAttachments } from "./MessageAttachments";
import { MessageBody } from "./MessageBody";
import { ReplyQuote } from "./ReplyQuote";

function EditForm({ initial, onSave, onCancel }: { initial: string; onSave: (body: string) => Promise<void>; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  async function save() {
    const body = text.trim();
    if (body === initial.trim()) return onCancel();
    if (!body) return setError("A message cannot be empty; delete it instead.");
    setBusy(true);
    try {
      await onSave(body);
      onCancel();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    } else if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    }
  }

  return (
    <div className="edit-form">
      <textarea
        ref={input}
        aria-label="Edit message"
        value={text}
        disabled={busy}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <FormError message={error} />
      <div className="edit-form__buttons">
        <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

interface MessageItemProps {
  message: Message;
  /** The message replied to, when it is among the loaded ones. */
  repliedTo: Message | undefined;
  mine: boolean;
  /** Admins and owners may delete anyone's messages. */
  canModerate: boolean;
  onReply: (message: Message) => void;
  /** The sender is someone I block: collapsed until I choose to see it. */
  blocked?: boolean;
  /** My user id (marks mentions of me). */
  meId?: number;
}

/** A message of a user I block: the server delivers it to everyone; hiding it is ours. */
function BlockedMessage({ message, onShow }: { message: Message; onShow: () => void }) {
  return (
    <article className="message message--blocked" data-seq={message.seq}>
      <p className="message__body message__body--blocked">
        Message from a blocked user{" "}
        <button type="button" className="link" onClick={onShow}>
          Show
        </button>
      </p>
    </article>
  );
}

export function MessageItem(props: MessageItemProps) {
  const [revealed, setRevealed] = useState(false);
  if (props.blocked && !revealed) return <BlockedMessage message={props.message} onShow={() => setRevealed(true)} />;
  return <ShownMessage {...props} />;
}

function ShownMessage({ message, repliedTo, mine, canModerate, onReply, meId = -1 }: MessageItemProps) {
  const actions = useMessageActions(message.room_id);
  const slots = useMessageSlots();
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Closing the inline editor removes the focused textarea; hand focus back to Edit.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const [error, setError] = useState<string | null>(null);
  const deleted = message.deleted || message.body === null;
  const attachments = message.attachments ?? [];
  const canEdit = mine && !deleted && message.kind === "text";
  const canDelete = !deleted && (mine || canModerate);

  async function remove() {
    setError(null);
    try {
      await actions.remove(message.seq);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <article className={mine ? "message message--mine" : "message"} data-seq={message.seq}>
      <header className="message__meta">
        <span className="message__sender">{message.sender}</span>
        <time dateTime={message.created_at} title={longTime(message.created_at)}>
          {shortTime(message.created_at)}
        </time>
        {message.edited_at && !deleted && (
          <span className="message__edited" title={`Edited ${longTime(message.edited_at)}`}>
            (edited)
          </span>
        )}
      </header>
      {message.reply_to !== null && !deleted && (
        <ReplyQuote roomId={message.room_id} seq={message.reply_to} loaded={repliedTo} />
      )}
      {deleted ? (
        <p className="message__body message__body--deleted">Message deleted</p>
      ) : editing ? (
        <EditForm
          initial={message.body ?? ""}
          onSave={(body) => actions.edit(message.seq, body)}
          onCancel={() => setEditing(false)}
        />
      ) : message.kind === "tip" && message.tip && slots.tipCard ? (
        slots.tipCard(message)
      ) : (
        // Files alone need no empty line of text above them.
        (message.body || attachments.length === 0) && <MessageBody message={message} meId={meId} />
      )}
      {!deleted && attachments.length > 0 && <MessageAttachments roomId={message.room_id} attachments={attachments} />}
      {!deleted && slots.reactions?.(message)}
      <FormError message={error} />
      {!deleted && !editing && (
        <div className="message__actions">
          <button type="button" onClick={() => onReply(message)}>
            Reply
          </button>
          {slots.messageActions?.(message, mine)}
          {canEdit && (
            <button type="button" ref={editButton} onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          {canDelete && (
            <button type="button" onClick={() => void remove()}>
              Delete
            </button>
          )}
        </div>
      )}
    </article>
  );
}
