import { useEffect, useRef, type KeyboardEvent } from "react";

import type { AttachmentRef } from "../../lib/socket/types";
import { useAttachmentUrl } from "./attachmentUrls";

/** The full image over the page; Escape, the Close button or a click beside it closes it. */
export function ImageViewer({
  roomId,
  attachment,
  onClose,
}: {
  roomId: number;
  attachment: AttachmentRef;
  onClose: () => void;
}) {
  const full = useAttachmentUrl(roomId, attachment.id);
  const close = useRef<HTMLButtonElement>(null);

  useEffect(() => close.current?.focus(), []);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.stopPropagation();
      onClose();
    } else if (event.key === "Tab") {
      event.preventDefault(); // one control: keep focus in the dialog
      close.current?.focus();
    }
  }

  return (
    <div className="image-viewer" role="dialog" aria-modal="true" aria-label={attachment.filename} onKeyDown={onKeyDown} onClick={onClose}>
      <div className="image-viewer__frame" onClick={(e) => e.stopPropagation()}>
        <header className="image-viewer__bar">
          <span className="image-viewer__name">{attachment.filename}</span>
          <button ref={close} type="button" onClick={onClose}>
            Close
          </button>
        </header>
        {full.data ? (
          <img src={full.data.url} alt={attachment.filename} width={attachment.width ?? undefined} height={attachment.height ?? undefined} />
        ) : (
          <p className="muted">{full.isError ? "This image is no longer available." : "Loading…"}</p>
        )}
      </div>
    </div>
  );
}
