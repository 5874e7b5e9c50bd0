import type { Message } from "../../lib/api/client";
import { useSocket } from "../../lib/socketHooks";
import type { PendingSend } from "../../lib/socket/types";
import { ReplyQuote } from "./ReplyQuote";

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
      <p className="message__body" data-body>
        {send.body}
      </p>
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
