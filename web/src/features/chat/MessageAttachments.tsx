import { useRef, useState, type MouseEvent } from "react";

import type { AttachmentRef } from "../../lib/socket/types";
import { isFresh, useAttachmentUrl } from "./attachmentUrls";
import { ImageViewer } from "./ImageViewer";
import { FileIcon } from "./icons";
import { formatSize } from "./upload";

/** The server's thumbnails fit in this box (chat.thumbnails.THUMBNAIL_BOX) and never grow. */
const THUMB_BOX = 320;

/** The thumbnail's size in pixels, known before it loads (so the list does not jump). */
export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMB_BOX / width, THUMB_BOX / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A message's files: images inline as thumbnails (click for the full image), others as links. */
export function MessageAttachments({ roomId, attachments }: { roomId: number; attachments: AttachmentRef[] }) {
  return (
    <ul className="attachments" aria-label="Attachments">
      {attachments.map((attachment) => (
        <li key={attachment.id}>
          {attachment.thumbnail && attachment.width && attachment.height ? (
            <ImageAttachment roomId={roomId} attachment={attachment} size={thumbnailSize(attachment.width, attachment.height)} />
          ) : (
            <FileAttachment roomId={roomId} attachment={attachment} />
          )}
        </li>
      ))}
    </ul>
  );
}

function ImageAttachment({
  roomId,
  attachment,
  size,
}: {
  roomId: number;
  attachment: AttachmentRef;
  size: { width: number; height: number };
}) {
  const thumb = useAttachmentUrl(roomId, attachment.id, { thumbnail: true });
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  // One new URL per failed one: an expired link is refreshed, a missing file is not retried.
  const retriedFor = useRef<string | null>(null);

  function onImageError() {
    const url = thumb.data?.url;
    if (!url || retriedFor.current === url) return;
    retriedFor.current = url;
    void thumb.refetch();
  }

  const box = { width: size.width, aspectRatio: `${size.width} / ${size.height}` };
  return (
    <>
      <button
        ref={button}
        type="button"
        className="attachment-image"
        style={box}
        aria-label={`Open image ${attachment.filename}`}
        onClick={() => setOpen(true)}
      >
        {thumb.data ? (
          <img src={thumb.data.url} alt={attachment.filename} width={size.width} height={size.height} onError={onImageError} />
        ) : (
          <span className="attachment-image__placeholder">{thumb.isError ? "Image unavailable" : ""}</span>
        )}
      </button>
      {open && (
        <ImageViewer
          roomId={roomId}
          attachment={attachment}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </>
  );
}

function FileAttachment({ roomId, attachment }: { roomId: number; attachment: AttachmentRef }) {
  const link = useAttachmentUrl(roomId, attachment.id, { keepFresh: true });
  const label = (
    <>
      <FileIcon />{" "}
      <span className="attachment-file__name">{attachment.filename}</span>{" "}
      <span className="attachment-file__size">({formatSize(attachment.size)})</span>
    </>
  );

  // A link left on screen while the tab slept may have expired: get a new one first.
  async function onClick(event: MouseEvent<HTMLAnchorElement>) {
    if (isFresh(link.data)) return;
    event.preventDefault();
    const fresh = await link.refetch();
    if (fresh.data) window.location.assign(fresh.data.url);
  }

  if (!link.data) {
    return (
      <span className="attachment-file attachment-file--unavailable">
        {label} {link.isError ? "unavailable" : ""}
      </span>
    );
  }
  return (
    <a className="attachment-file" href={link.data.url} onClick={(e) => void onClick(e)}>
      {label}
    </a>
  );
}
