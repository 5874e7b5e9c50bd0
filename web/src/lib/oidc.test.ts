import { describe, expect, it } from "vitest";

import { oidcErrorText, takeOidcResult } from "./oidc";

function at(url: string) {
  const parsed = new URL(url);
  const replaced: string[] = [];
  const location = { pathname: parsed.pathname, search: parsed.search, hash: parsed.hash } as Location;
  const history = { state: null, replaceState: (_s: unknown, _t: string, next: string) => replaced.push(next) } as unknown as History;
  return { location, history, replaced };
}

describe("takeOidcResult", () => {
  it("reads an error and removes it from the URL, keeping the rest", () => {
    const page = at("http://chat.test/?oidc_error=oidc_state_invalid&x=1#/rooms/4");
    expect(takeOidcResult(page.location, page.history)).toEqual({ error: "oidc_state_invalid" });
    expect(page.replaced).toEqual(["/?x=1#/rooms/4"]);
  });

  it("reads a finished link", () => {
    const page = at("http://chat.test/?oidc_linked=1");
    expect(takeOidcResult(page.location, page.history)).toEqual({ linked: true });
    expect(page.replaced).toEqual(["/"]);
  });

  it("leaves other URLs alone", () => {
    const page = at("http://chat.test/?x=1#/search");
    expect(takeOidcResult(page.location, page.history)).toBeNull();
    expect(page.replaced).toEqual([]);
  });
});

describe("oidcErrorText", () => {
  it("explains known codes and falls back for the others", () => {
    expect(oidcErrorText("oidc_browser_mismatch")).toMatch(/another browser/);
    expect(oidcErrorText("oidc_nonce_mismatch")).toBe("Signing in with the provider failed. Please try again.");
  });
});
