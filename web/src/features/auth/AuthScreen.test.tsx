import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { QueryClientProvider } from "@tanstack/react-query";
import { render as renderPlain, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { oidcKey, page } from "../../lib/oidc";
import { testQueryClient } from "../../lib/testing/render";
import { AuthScreen } from "./AuthScreen";

const queryClient = testQueryClient();

function render(ui: ReactElement) {
  return renderPlain(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>);
}

beforeEach(() => {
  resetFetch();
  queryClient.clear();
  onRequest("GET", "/api/auth/oidc", { body: { enabled: false, name: null } });
});
afterEach(() => vi.restoreAllMocks());

describe("AuthScreen", () => {
  it("signs up after switching, and shows the server's reason for refusing", async () => {
    onRequest("POST", "/api/auth/register", {
      status: 400,
      body: { code: "password_too_common", message: "this password is too common; choose another" },
    });
    render(<AuthScreen notice={null} />);
    await userEvent.click(screen.getByRole("button", { name: "Create an account" }));
    await userEvent.type(screen.getByLabelText("Username"), "alice");
    await userEvent.type(screen.getByLabelText("Password"), "password123");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("this password is too common; choose another");
    const [request] = requestsTo("POST", "/api/auth/register");
    expect(await request!.json()).toEqual({ username: "alice", password: "password123" });
  });

  it("signs in by default", async () => {
    onRequest("POST", "/api/auth/login", { status: 401, body: { code: "invalid_credentials", message: "wrong username or password" } });
    render(<AuthScreen notice={null} />);
    await userEvent.type(screen.getByLabelText("Username"), "alice");
    await userEvent.type(screen.getByLabelText("Password"), "nope nope nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("wrong username or password");
    expect(requestsTo("POST", "/api/auth/login")).toHaveLength(1);
  });

  it("offers the server's OIDC provider and leaves for it", async () => {
    onRequest("GET", "/api/auth/oidc", { body: { enabled: true, name: "Google" } });
    const go = vi.spyOn(page, "go").mockImplementation(() => undefined);
    render(<AuthScreen notice={null} />);
    await userEvent.click(await screen.findByRole("button", { name: "Sign in with Google" }));
    expect(go).toHaveBeenCalledWith("/api/auth/oidc/start");
  });

  it("offers no provider when the server has none", async () => {
    render(<AuthScreen notice={null} />);
    await vi.waitFor(() => expect(queryClient.getQueryState(oidcKey)?.status).toBe("success"));
    expect(requestsTo("GET", "/api/auth/oidc")).toHaveLength(1);
    expect(screen.queryByRole("button", { name: /Sign in with/ })).toBeNull();
  });

  it("explains why a provider sign-in came back refused", () => {
    render(<AuthScreen notice={null} oidc={{ error: "oidc_browser_mismatch" }} />);
    expect(screen.getByRole("alert")).toHaveTextContent("started in another browser");
  });
});
