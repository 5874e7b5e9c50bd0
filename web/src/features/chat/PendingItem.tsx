import { useEffect, useState } from "react";

import type { Message } from "../../lib/api/client";
import { useSocket } from "../../lib/socketHooks";
import type { PendingSend } from "../../lib/socket/types";
import { ReplyQuote } from "./ReplyQuote";
import { FileIcon } from "./icons";
import { formatSize } from "./upload";

/** Whole seconds until `at` (epoch ms), ticking once a second. */
function useSecondsUntil(at: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === undefined) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The send limit refused this message; the socket sends it again by itself at `retryAt`. */
function RateLimited({ retryAt }: { retryAt: number }) {
  const seconds = useSecondsUntil(retryAt);
  return (
    <p className="message__notice" aria-live="polite">
      You are sending too fast.{" "}
      {seconds > 0 ? `Sending again in ${seconds} s…` : "Sending again…"}
    </p>
  );
}

/** My message before the server has it: shown at once, then replaced by the real one. */
export function PendingItem({ send, sender, repliedTo }: { send: PendingSend; sender: string; repliedTo: Message | undefined }) {
  const socket = useSocket();
  const failed = send.status === "failed";
  return (
    <article className={failed ? "message message--mine message--failed" : "message message--mine message--pending"}>
      <header className="message__meta">
        <span className="message__sender">{sender}</span>
        <span className="message__status">{failed ? "Failed" : "Sending…"}</span>
      </header>
      {send.replyTo !== null && <ReplyQuote roomId={send.roomId} seq={send.replyTo} loaded={repliedTo} />}
      {(send.body || !send.attachments) && (
        <p className="message__body" data-body>
          {send.body}
        </p>
      )}
      {send.attachments && (
        <ul className="attachments attachments--pending" aria-label="Attachments">
          {send.attachments.map((a) => (
            <li key={a.id} className="attachment-file">
              <FileIcon />{" "}
              {a.filename} <span className="attachment-file__size">({formatSize(a.size)})</span>
            </li>
          ))}
        </ul>
      )}
      {!failed && send.retryAt !== undefined && <RateLimited retryAt={send.retryAt} />}
      {failed && (
        <>
          {send.error && <p className="form-error">{send.error.message}</p>}
          <div className="message__actions">
            <button type="button" onClick={() => socket.retry(send.clientMsgId)}>
              Retry
            </button>
            <button type="button" onClick={() => socket.discard(send.clientMsgId)}>
              Discard
            </button>
          </div>
        </>
      )}
    </article>
  );
}
