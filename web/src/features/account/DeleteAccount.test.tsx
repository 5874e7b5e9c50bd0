import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { session } from "../../lib/session";
import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { AccountPage } from "./AccountPage";

const ME = { id: 42, username: "alice", created_at: "2026-11-01T09:00:00Z", has_password: true };

beforeEach(() => {
  resetFetch();
  window.location.hash = "#/account";
  onRequest("GET", "/api/me", { body: ME });
  onRequest("GET", "/api/me/audit", { body: { events: [], next_before_id: null } });
  onRequest("POST", "/api/auth/logout", { status: 204 });
});

async function openDangerZone() {
  renderWithProviders(<AccountPage />, { socket: new FakeSocket() });
  expect(await screen.findByText(/name is replaced by/)).toHaveTextContent("deleted-42");
}

describe("Delete account", () => {
  it("on a wrong password shows why, stays signed in and on the page", async () => {
    onRequest("DELETE", "/api/me", { status: 403, body: { code: "wrong_password", message: "the password is wrong" } });
    await openDangerZone();
    await userEvent.type(screen.getByLabelText("Your password"), "not it at all");
    await userEvent.click(screen.getByRole("button", { name: "Delete account…" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, delete my account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("That password is not right. Nothing was changed.");
    expect(requestsTo("DELETE", "/api/me")).toHaveLength(1);
    expect(requestsTo("POST", "/api/auth/logout")).toHaveLength(0);
    expect(session.getSnapshot().status).not.toBe("signedOut");
    expect(window.location.hash).toBe("#/account");
    expect(screen.getByLabelText("Your password")).toHaveValue("not it at all");
    expect(screen.getByRole("button", { name: "Delete account…" })).toBeEnabled();
  });

  it("asks once more, and Cancel sends nothing", async () => {
    await openDangerZone();
    await userEvent.type(screen.getByLabelText("Your password"), "a long enough passphrase");
    await userEvent.click(screen.getByRole("button", { name: "Delete account…" }));
    expect(screen.getByText(/Delete your account for good\?/).closest("p")).toHaveFocus();
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(requestsTo("DELETE", "/api/me")).toHaveLength(0);
    expect(screen.queryByRole("button", { name: "Yes, delete my account" })).toBeNull();
  });

  it("deletes with the password and the messages choice, then signs out to the sign-in screen", async () => {
    onRequest("DELETE", "/api/me", { status: 204 });
    await openDangerZone();
    expect(screen.getByRole("radio", { name: /Keep them/ })).toBeChecked();
    await userEvent.click(screen.getByRole("radio", { name: /Erase them/ }));
    await userEvent.type(screen.getByLabelText("Your password"), "a long enough passphrase{Enter}");
    await userEvent.click(screen.getByRole("button", { name: "Yes, delete my account" }));

    await expect.poll(() => session.getSnapshot()).toEqual({
      status: "signedOut",
      user: null,
      notice: "Your account was deleted.",
    });
    const [request] = requestsTo("DELETE", "/api/me");
    expect(await request!.json()).toEqual({ password: "a long enough passphrase", messages: "erase" });
    expect(requestsTo("POST", "/api/auth/logout")).toHaveLength(1);
    expect(window.location.hash).toBe("#/");
  });

  it("without a password asks for the username, and offers no password change", async () => {
    onRequest("GET", "/api/me", { body: { ...ME, has_password: false } });
    onRequest("DELETE", "/api/me", {
      status: 400,
      body: { code: "confirmation_mismatch", message: "type your username to confirm" },
    });
    await openDangerZone();
    expect(screen.queryByRole("heading", { name: "Change password" })).toBeNull();
    await userEvent.type(screen.getByLabelText("Type your username to confirm"), "alicia{Enter}");
    await userEvent.click(screen.getByRole("button", { name: "Yes, delete my account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("That is not your username.");
    const [request] = requestsTo("DELETE", "/api/me");
    expect(await request!.json()).toEqual({ confirm_username: "alicia", messages: "keep" });
  });
});
