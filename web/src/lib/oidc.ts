/**
 * Sign-in with an external OIDC provider. The server runs the protocol; the browser only
 * navigates: to /api/auth/oidc/start (sign in, or up), or to the URL that
 * POST /api/auth/oidc/link gives (link a provider account to mine). The provider sends the
 * browser back to the server, which lands it on "/" with `?oidc_error=<code>` or
 * `?oidc_linked=1`; takeOidcResult() reads that once and removes it from the address bar.
 */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "./api/client";
import { session } from "./session";

export type OidcResult = { error: string } | { linked: true } | null;

const MESSAGES: Record<string, string> = {
  oidc_not_configured: "Signing in with a provider is not set up on this server.",
  oidc_state_invalid: "That sign-in expired or was already used. Please try again.",
  oidc_browser_mismatch: "That sign-in was started in another browser. Please start it here.",
  oidc_denied: "The sign-in was cancelled at the provider.",
  oidc_identity_taken: "That provider account already signs in to another tipchat account.",
  account_deleted: "This account was deleted.",
  rate_limited: "Too many sign-in attempts. Please wait a minute and try again.",
  oidc_provider_unavailable: "The sign-in provider cannot be reached right now. Please try later.",
};

/** What to tell people about a failed provider sign-in (the code is from the server). */
export function oidcErrorText(code: string): string {
  return MESSAGES[code] ?? "Signing in with the provider failed. Please try again.";
}

/** The callback's result in the URL, if any; the URL is cleaned so a reload does not repeat it. */
export function takeOidcResult(location: Location = window.location, history: History = window.history): OidcResult {
  const params = new URLSearchParams(location.search);
  const error = params.get("oidc_error");
  const linked = params.get("oidc_linked");
  if (error === null && linked === null) return null;
  params.delete("oidc_error");
  params.delete("oidc_linked");
  const query = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  if (error !== null) return { error };
  return { linked: true };
}

export const oidcKey = ["oidc"] as const;

/** Whether this server offers a provider, and its name (for the buttons). */
export function useOidcConfig() {
  return useQuery({
    queryKey: oidcKey,
    queryFn: () => unwrap(api.GET("/api/auth/oidc")),
    staleTime: Infinity,
    retry: 1,
  });
}

/** Full-page navigation (a seam for tests: jsdom cannot navigate). */
export const page = {
  go(url: string): void {
    window.location.assign(url);
  },
};

/** Leave for the provider's sign-in page. */
export function startOidcSignIn(): void {
  page.go("/api/auth/oidc/start");
}

/** Ask for a link flow for the signed-in account, then leave for the provider's page. */
export async function startOidcLink(): Promise<void> {
  await session.getToken(); // the access cookie must be fresh for this write
  const { url } = await unwrap(api.POST("/api/auth/oidc/link"));
  page.go(url);
}
