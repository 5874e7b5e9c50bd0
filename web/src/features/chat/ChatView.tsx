import { useQueryClient } from "@tanstack/react-query";
import { useState, type DragEvent } from "react";

import type { Message, Room } from "../../lib/api/client";
import { errorText } from "../../lib/format";
import { fetchOlder, useMessageWindow } from "../../lib/messages";
import { useMe } from "../../lib/session";
import { usePendingSends } from "../../lib/socketHooks";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { TypingIndicator } from "./TypingIndicator";
import { useReadMarker, useWindowFocus } from "./useReadMarker";
import { useUploads } from "./useUploads";

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer.types.includes("Files");
}

/** One room's conversation: the messages, who is typing, and the composer. */
export function ChatView({ room }: { room: Room }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const history = useMessageWindow(room.id);
  const pending = usePendingSends(room.id);
  const focused = useWindowFocus();
  const [atBottom, setAtBottom] = useState(true);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [stickRequest, setStickRequest] = useState(0);
  const uploads = useUploads(room.id);
  const [dropping, setDropping] = useState(false);

  useReadMarker(room, Boolean(history.data) && atBottom && focused);

  // Files dropped anywhere on the conversation join the message being written.
  function onDragOver(event: DragEvent) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    setDropping(true);
  }

  function onDrop(event: DragEvent) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    setDropping(false);
    uploads.add([...event.dataTransfer.files]);
  }

  function onDragLeave(event: DragEvent) {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropping(false);
  }

  return (
    <div
      className={dropping ? "chat chat--dropping" : "chat"}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {history.isPending && (
        <p className="muted chat__loading">Loading messages…</p>
      )}
      {history.isError && (
        <div className="chat__error">
          <p className="form-error">Could not load messages: {errorText(history.error)}</p>
          <button type="button" onClick={() => void history.refetch()}>
            Try again
          </button>
        </div>
      )}
      {history.data && (
        <MessageList
          messages={history.data.messages}
          hasMore={history.data.hasMore}
          pending={pending}
          me={me}
          canModerate={room.role === "owner" || room.role === "admin"}
          onReply={setReplyTo}
          onLoadOlder={() => fetchOlder(queryClient, room.id)}
          onAtBottomChange={setAtBottom}
          stickRequest={stickRequest}
        />
      )}
      <TypingIndicator roomId={room.id} meId={me.id} />
      <Composer
        roomId={room.id}
        uploads={uploads}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSent={() => setStickRequest((n) => n + 1)}
      />
    </div>
  );
}
