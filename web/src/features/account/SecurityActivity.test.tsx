import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { FakeSocket } from "../../lib/testing/fakeSocket";
import { renderWithProviders } from "../../lib/testing/render";
import type { AuditEvent } from "./api";
import { describeAuditEvent } from "./auditText";
import { SecurityActivity } from "./SecurityActivity";

const ME = 3;

function anEvent(over: Partial<AuditEvent> & { id: number; event: string }): AuditEvent {
  return { at: "2026-11-24T10:00:00Z", actor_id: ME, ip: "203.0.113.9", details: {}, ...over };
}

beforeEach(() => resetFetch());

describe("SecurityActivity", () => {
  it("lists events newest first with time and IP, and loads older ones with next_before_id", async () => {
    onRequest("GET", "/api/me/audit", (req) =>
      new URL(req.url).searchParams.get("before_id") === null
        ? {
            body: {
              events: [
                anEvent({ id: 9, event: "password_changed", details: { sessions_revoked: 2 } }),
                anEvent({ id: 7, event: "login_failed", actor_id: null, ip: "198.51.100.4" }),
              ],
              next_before_id: 7,
            },
          }
        : { body: { events: [anEvent({ id: 1, event: "registered" })], next_before_id: null } },
    );
    renderWithProviders(<SecurityActivity meId={ME} />, { socket: new FakeSocket() });

    const list = await screen.findByRole("list", { name: "Security activity" });
    const items = () => within(list).getAllByRole("listitem").map((li) => li.textContent);
    expect(items()).toEqual([
      expect.stringMatching(/^Password changed; 2 other sessions signed out.*from 203\.0\.113\.9$/),
      expect.stringMatching(/^Failed sign-in attempt.*from 198\.51\.100\.4$/),
    ]);

    await userEvent.click(screen.getByRole("button", { name: "Load older" }));
    expect(await within(list).findByText("Signed up")).toBeInTheDocument();
    expect(items()).toHaveLength(3);
    const [, older] = requestsTo("GET", "/api/me/audit");
    expect(new URL(older!.url).searchParams.get("before_id")).toBe("7");
    expect(screen.queryByRole("button", { name: "Load older" })).toBeNull();
  });

  it("announces a failure to load", async () => {
    onRequest("GET", "/api/me/audit", { status: 500, body: { code: "internal", message: "the server failed" } });
    renderWithProviders(<SecurityActivity meId={ME} />, { socket: new FakeSocket() });
    expect(await screen.findByRole("alert")).toHaveTextContent("the server failed");
  });
});

describe("describeAuditEvent", () => {
  it.each([
    [anEvent({ id: 1, event: "login_succeeded" }), "Signed in"],
    [anEvent({ id: 1, event: "password_changed", details: { sessions_revoked: 0 } }), "Password changed"],
    [
      anEvent({ id: 1, event: "wallet_linked", details: { address: "0x12aB000000000000000000000000000000003400", chain_id: 1 } }),
      "Wallet 0x12aB…3400 linked",
    ],
    [anEvent({ id: 1, event: "wallet_unlinked", details: { address: "0x12aB000000000000000000000000000000003400" } }), "Wallet 0x12aB…3400 unlinked"],
    [anEvent({ id: 1, event: "role_changed", actor_id: 7, details: { room_id: 5, role: "admin" } }), "Made admin in room 5 by user 7"],
    [anEvent({ id: 1, event: "role_changed", details: { room_id: 5, role: "admin" } }), "Made admin in room 5"],
    [anEvent({ id: 1, event: "member_removed", actor_id: 7, details: { room_id: 5 } }), "Removed from room 5 by user 7"],
    [
      anEvent({ id: 1, event: "message_deleted_by_moderator", actor_id: 7, details: { room_id: 5, seq: 12 } }),
      "A message of yours was deleted in room 5 by user 7",
    ],
    [anEvent({ id: 1, event: "refresh_token_reused", actor_id: null }), expect.stringMatching(/^A sign-in was ended/)],
    [anEvent({ id: 1, event: "oidc_identity_linked", details: { provider: "GitHub" } }), "GitHub account linked"],
    [anEvent({ id: 1, event: "something_new" }), "Something new"],
  ])("reads %o as %s", (event, sentence) => {
    expect(describeAuditEvent(event, ME)).toEqual(sentence);
  });
});
