import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { oidcKey, page, type OidcResult } from "../../lib/oidc";
import { testQueryClient } from "../../lib/testing/render";
import { OidcLink } from "./OidcLink";

const SESSION = { access_token: "t", token_type: "bearer", expires_at: 4e9, refresh_token: "r", user: { id: 1, username: "bob" } };

function show(result: OidcResult = null) {
  const queryClient = testQueryClient();
  render(
    <QueryClientProvider client={queryClient}>
      <OidcLink result={result} />
    </QueryClientProvider>,
  );
  return queryClient;
}

beforeEach(() => {
  resetFetch();
  onRequest("GET", "/api/auth/oidc", { body: { enabled: true, name: "Entra ID" } });
  onRequest("POST", "/api/auth/refresh", { body: SESSION });
});
afterEach(() => vi.restoreAllMocks());

describe("OidcLink", () => {
  it("asks the server for a link flow and leaves for the provider", async () => {
    onRequest("POST", "/api/auth/oidc/link", { body: { url: "https://idp.test/authorize?state=s" } });
    const go = vi.spyOn(page, "go").mockImplementation(() => undefined);
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Link Entra ID account" }));
    await vi.waitFor(() => expect(go).toHaveBeenCalledWith("https://idp.test/authorize?state=s"));
    expect(requestsTo("POST", "/api/auth/oidc/link")).toHaveLength(1);
  });

  it("shows the server's refusal", async () => {
    onRequest("POST", "/api/auth/oidc/link", { status: 429, body: { code: "rate_limited", message: "too many attempts" } });
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Link Entra ID account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("too many attempts");
  });

  it("says how the round trip ended, until dismissed", async () => {
    show({ linked: true });
    expect(await screen.findByRole("status")).toHaveTextContent("Your Entra ID account is linked");
    await userEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("explains a refused link", async () => {
    show({ error: "oidc_identity_taken" });
    expect(await screen.findByRole("alert")).toHaveTextContent("already signs in to another tipchat account");
  });

  it("is not there when the server has no provider", async () => {
    onRequest("GET", "/api/auth/oidc", { body: { enabled: false, name: null } });
    const queryClient = show({ linked: true });
    await vi.waitFor(() => expect(queryClient.getQueryState(oidcKey)?.status).toBe("success"));
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.queryByRole("status")).toBeNull();
  });
});
