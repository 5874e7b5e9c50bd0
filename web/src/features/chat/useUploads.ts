/**
 * The files of the message being written: each uploads as soon as it is added, with its
 * progress, and ends ready (an attachment to send) or failed (with the reason in words).
 * Unmounting (leaving the room) cancels uploads in flight.
 */
import { useCallback, useEffect, useRef, useState } from "react";

import type { AttachmentRef } from "../../lib/socket/types";
import { uploadErrorText, uploadFile, type Attachment } from "./upload";

/** As the server (chat.attachments.MAX_PER_MESSAGE). */
export const MAX_FILES = 10;

export interface Upload {
  key: string;
  file: File;
  state: "uploading" | "ready" | "failed";
  /** 0..1 of the bytes sent. */
  progress: number;
  error?: string;
  attachment?: Attachment;
}

export interface Uploads {
  uploads: Upload[];
  add: (files: File[]) => void;
  /** Forget a file; an upload in flight is cancelled. */
  remove: (key: string) => void;
  /** After a send: forget them all. */
  clear: () => void;
  /** Why the message cannot go yet, or null. */
  blocker: string | null;
  /** The ready files, as a message lists them. */
  ready: AttachmentRef[];
  /** Set when files were refused before uploading (too many). */
  notice: string | null;
}

let nextKey = 0;

function asRef(a: Attachment): AttachmentRef {
  return {
    id: a.id,
    filename: a.filename,
    content_type: a.content_type,
    size: a.size,
    width: a.width ?? null,
    height: a.height ?? null,
    thumbnail: a.width !== null && a.width !== undefined,
  };
}

export function useUploads(roomId: number): Uploads {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const controllers = useRef(new Map<string, AbortController>());
  const count = useRef(0);

  useEffect(() => {
    const running = controllers.current;
    return () => running.forEach((controller) => controller.abort());
  }, []);

  const update = useCallback((key: string, change: Partial<Upload>) => {
    setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }, []);

  const start = useCallback(
    (key: string, file: File) => {
      const controller = new AbortController();
      controllers.current.set(key, controller);
      uploadFile(roomId, file, (progress) => update(key, { progress }), controller.signal)
        .then((attachment) => update(key, { state: "ready", progress: 1, attachment }))
        .catch((err: unknown) => {
          if (controller.signal.aborted) return; // removed: nothing to say
          update(key, { state: "failed", error: uploadErrorText(err) });
        })
        .finally(() => controllers.current.delete(key));
    },
    [roomId, update],
  );

  const add = useCallback(
    (files: File[]) => {
      const room = MAX_FILES - count.current;
      setNotice(files.length > room ? `A message can carry at most ${MAX_FILES} files.` : null);
      const added: Upload[] = files.slice(0, Math.max(0, room)).map((file) => {
        const key = `u${++nextKey}`;
        if (file.size === 0) return { key, file, state: "failed", progress: 0, error: "This file is empty." };
        return { key, file, state: "uploading", progress: 0 };
      });
      count.current += added.length;
      setUploads((all) => [...all, ...added]);
      for (const upload of added) if (upload.state === "uploading") start(upload.key, upload.file);
    },
    [start],
  );

  const remove = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    count.current -= 1;
    setNotice(null);
    setUploads((all) => all.filter((u) => u.key !== key));
  }, []);

  const clear = useCallback(() => {
    count.current = 0;
    setNotice(null);
    setUploads([]);
  }, []);

  const blocker = uploads.some((u) => u.state === "uploading")
    ? "Wait until the files are uploaded."
    : uploads.some((u) => u.state === "failed")
      ? "Remove the files that could not be uploaded first."
      : null;
  const ready = uploads.flatMap((u) => (u.attachment ? [asRef(u.attachment)] : []));
  return { uploads, add, remove, clear, blocker, ready, notice };
}
