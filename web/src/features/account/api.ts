/**
 * The account endpoints (`/api/me`, `/api/me/password`, `/api/me/audit`) through the
 * generated client, and the words people read when the server refuses.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { api, ApiError, unwrap, type Schemas } from "../../lib/api/client";
import { errorText } from "../../lib/format";

export type Account = Schemas["Me"];
export type AuditEvent = Schemas["AuditEventPublic"];
export type AccountDeletion = Schemas["AccountDeletion"];

export const accountKey = ["account", "me"] as const;
export const auditKey = ["account", "audit"] as const;
const AUDIT_PAGE = 20;

export function useAccount() {
  return useQuery({ queryKey: accountKey, queryFn: () => unwrap(api.GET("/api/me")) });
}

/** My security events, newest first, a page at a time. */
export function useAuditLog() {
  return useInfiniteQuery({
    queryKey: auditKey,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/me/audit", {
          params: { query: { limit: AUDIT_PAGE, ...(pageParam !== null ? { before_id: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.next_before_id,
  });
}

export function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  return unwrap(
    api.POST("/api/me/password", {
      body: { current_password: currentPassword, new_password: newPassword },
    }),
  ).then(() => undefined);
}

export function deleteAccount(body: AccountDeletion): Promise<void> {
  return unwrap(api.DELETE("/api/me", { body })).then(() => undefined);
}

/** The server's refusal in words that say what to do; unknown codes keep its own message. */
export function accountErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return errorText(err);
  switch (err.code) {
    case "wrong_password":
      return "That password is not right. Nothing was changed.";
    case "password_too_short":
      return "The new password is too short: use at least 10 characters.";
    case "password_too_common":
      return "The new password is too easy to guess. Choose another, e.g. a few unrelated words.";
    case "confirmation_mismatch":
      return "That is not your username. Type it exactly to confirm.";
    case "rate_limited":
      return err.retryAfter !== undefined
        ? `Too many attempts. Try again in ${Math.ceil(err.retryAfter)} s.`
        : "Too many attempts. Try again in a minute.";
    default:
      return errorText(err);
  }
}
