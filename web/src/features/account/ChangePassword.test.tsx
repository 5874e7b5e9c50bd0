import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import { ChangePassword } from "./ChangePassword";

beforeEach(() => {
  resetFetch();
  document.cookie = "tipchat_csrf=csrf-token-1";
});

async function fillIn(current: string, next: string, confirm: string) {
  renderWithProviders(<ChangePassword />, { socket: new FakeSocket() });
  await userEvent.type(screen.getByLabelText("Current password"), current);
  await userEvent.type(screen.getByLabelText("New password"), next);
  await userEvent.type(screen.getByLabelText("Confirm new password"), confirm);
  await userEvent.click(screen.getByRole("button", { name: "Change password" }));
}

describe("ChangePassword", () => {
  it("changes the password with the CSRF header, says other devices were signed out, and clears the form", async () => {
    onRequest("POST", "/api/me/password", { status: 204 });
    await fillIn("old passphrase 1", "new passphrase 2", "new passphrase 2");

    expect(await screen.findByText(/Password changed. Your other devices were signed out/)).toBeInTheDocument();
    const [request] = requestsTo("POST", "/api/me/password");
    expect(await request!.json()).toEqual({ current_password: "old passphrase 1", new_password: "new passphrase 2" });
    expect(request!.headers.get("X-CSRF-Token")).toBe("csrf-token-1");
    expect(screen.getByLabelText("Current password")).toHaveValue("");
    expect(screen.getByLabelText("New password")).toHaveValue("");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("never asks the server when the two new passwords differ", async () => {
    onRequest("POST", "/api/me/password", { status: 204 });
    await fillIn("old passphrase 1", "new passphrase 2", "new passphrase 3");

    expect(await screen.findByRole("alert")).toHaveTextContent("The new passwords do not match.");
    expect(requestsTo("POST", "/api/me/password")).toHaveLength(0);
    expect(screen.getByLabelText("New password")).toHaveValue("new passphrase 2");
  });

  it("on a wrong current password shows why and changes nothing on screen", async () => {
    onRequest("POST", "/api/me/password", {
      status: 403,
      body: { code: "wrong_password", message: "the current password is wrong" },
    });
    await fillIn("not my password", "new passphrase 2", "new passphrase 2");

    expect(await screen.findByRole("alert")).toHaveTextContent("That password is not right. Nothing was changed.");
    expect(screen.queryByText(/Password changed/)).toBeNull();
    expect(screen.getByLabelText("Current password")).toHaveValue("not my password");
    expect(screen.getByLabelText("New password")).toHaveValue("new passphrase 2");
    expect(screen.getByLabelText("Confirm new password")).toHaveValue("new passphrase 2");
    expect(requestsTo("POST", "/api/me/password")).toHaveLength(1);
  });

  it.each([
    [400, { code: "password_too_short", message: "password must be at least 10 characters" }, "too short: use at least 10 characters"],
    [400, { code: "password_too_common", message: "this password is too easy to guess" }, "too easy to guess"],
    [429, { code: "rate_limited", message: "too many attempts", retry_after: 30 }, "Too many attempts. Try again in 30 s."],
  ])("explains a %i %o", async (status, body, expected) => {
    onRequest("POST", "/api/me/password", { status, body });
    await fillIn("old passphrase 1", "short", "short");
    expect(await screen.findByRole("alert")).toHaveTextContent(expected);
  });
});
