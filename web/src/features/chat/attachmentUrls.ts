/**
 * Short-lived URLs of attachments (GET /api/rooms/{id}/attachments/{id}): fetched when a
 * message shows them, fresh again once they near their expiry, never kept past it.
 */
import { useQuery } from "@tanstack/react-query";

import { api, ApiError, unwrap } from "../../lib/api/client";

/** A URL this close to its expiry counts as expired (clock skew, a slow download start). */
const MARGIN_MS = 30_000;

export type AttachmentUrl = { url: string; expires_at: number };

function msLeft(url: AttachmentUrl | undefined): number {
  return url ? url.expires_at * 1000 - Date.now() - MARGIN_MS : 0;
}

export function isFresh(url: AttachmentUrl | undefined): url is AttachmentUrl {
  return msLeft(url) > 0;
}

/**
 * The URL of an attachment (or its thumbnail). `keepFresh`: fetch a new one before this one
 * expires, for as long as it is shown (links); otherwise only when shown anew after expiry or
 * when asked (an image that failed to load): an image already on screen needs no new URL.
 */
export function useAttachmentUrl(
  roomId: number,
  attachmentId: number,
  { thumbnail = false, keepFresh = false }: { thumbnail?: boolean; keepFresh?: boolean } = {},
) {
  return useQuery({
    queryKey: ["attachment-url", roomId, attachmentId, thumbnail],
    queryFn: () =>
      unwrap(
        api.GET("/api/rooms/{room_id}/attachments/{attachment_id}", {
          params: { path: { room_id: roomId, attachment_id: attachmentId }, query: { thumbnail } },
        }),
      ),
    staleTime: (query) => Math.max(0, msLeft(query.state.data)),
    refetchInterval: keepFresh ? (query) => Math.max(1000, msLeft(query.state.data)) : false,
    refetchOnWindowFocus: false,
    // A refusal (the message was deleted, I left the room) stays one; a network blip may not.
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });
}
