/**
 * One file's way to becoming an attachment (docs/protocol.md, "Attachments"): ask for an
 * upload slot, PUT the bytes to its URL (the local server or a presigned S3 URL), then have
 * the server check them (`complete`). Plain TypeScript; the composer drives it (useUploads).
 */
import { api, ApiError, problemError, unwrap, type Schemas } from "../../lib/api/client";

export type Attachment = Schemas["AttachmentPublic"];

/** What the browser refuses to let a page set (it sends Content-Length itself). */
const BROWSER_HEADERS = new Set(["content-length", "host"]);

/**
 * PUT `file` to `url` with `headers`, reporting progress (0..1). XMLHttpRequest, because
 * fetch cannot report upload progress. Rejects with an ApiError for a refusal, a TypeError
 * for a network failure, and an AbortError when `signal` aborts it.
 */
export function putFile(
  url: string,
  headers: Record<string, string>,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) {
      if (!BROWSER_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      // The local store answers with our JSON errors; S3 with XML (no stable code then).
      let body: unknown = undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      reject(problemError(xhr.status, body, `the upload was refused (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new TypeError("the upload did not reach the server"));
    xhr.onabort = () => reject(new DOMException("upload cancelled", "AbortError"));
    if (signal?.aborted) return xhr.abort();
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** Slot, PUT, complete: the ready attachment, to send with a message. */
export async function uploadFile(
  roomId: number,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Attachment> {
  const path = { room_id: roomId };
  const slot = await unwrap(
    api.POST("/api/rooms/{room_id}/attachments", {
      params: { path },
      // A type the browser does not know is sent as such; the server names the allowed ones.
      body: { filename: file.name, content_type: file.type || "application/octet-stream", size: file.size },
      signal,
    }),
  );
  await putFile(slot.upload_url, slot.headers, file, onProgress, signal);
  return unwrap(
    api.POST("/api/rooms/{room_id}/attachments/{attachment_id}/complete", {
      params: { path: { ...path, attachment_id: slot.id } },
      signal,
    }),
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Why a file could not be attached, in words, from the server's stable error codes. */
export function uploadErrorText(err: unknown): string {
  if (err instanceof TypeError) return "Network error: the upload did not go through. Remove the file and try again.";
  if (!(err instanceof ApiError)) return "Something went wrong with this upload.";
  switch (err.code) {
    case "attachment_too_large":
      return err.maxBytes !== undefined
        ? `Too large: files can be at most ${formatSize(err.maxBytes)}.`
        : "Too large for this server.";
    case "attachment_type_not_allowed":
      return `This type of file cannot be attached (${err.message}).`;
    case "attachment_content_mismatch":
      return "The file's contents do not match its type.";
    case "rate_limited":
      return err.retryAfter !== undefined
        ? `Too many uploads: try again in ${Math.ceil(err.retryAfter)} s.`
        : "Too many uploads: try again later.";
    default:
      return err.message || "The upload was refused.";
  }
}
