import { onRequest, requestsTo, resetFetch } from "./testing/fetchMock";

import { beforeEach, describe, expect, it } from "vitest";

import { SessionStore } from "./session";

const USER = { id: 7, username: "alice" };
let clock = 1_000_000_000_000;

function sessionBody(token: string, expiresInS: number) {
  return { access_token: token, token_type: "bearer", expires_at: clock / 1000 + expiresInS, refresh_token: "r", user: USER };
}

beforeEach(() => {
  resetFetch();
  clock = 1_000_000_000_000;
});

describe("SessionStore", () => {
  it("restores a session from the refresh cookie", async () => {
    onRequest("POST", "/api/auth/refresh", { body: sessionBody("t1", 900) });
    const store = new SessionStore(() => clock);
    await store.restore();
    expect(store.getSnapshot()).toMatchObject({ status: "signedIn", user: USER });
    expect(await store.getToken()).toBe("t1");
  });

  it("is signed out when the refresh is refused", async () => {
    onRequest("POST", "/api/auth/refresh", { status: 401, body: { code: "refresh_token_invalid", message: "no" } });
    const store = new SessionStore(() => clock);
    await store.restore();
    expect(store.getSnapshot()).toEqual({ status: "signedOut", user: null, notice: null });
  });

  it("hands out the token it holds until a minute before it expires", async () => {
    onRequest("POST", "/api/auth/login", { body: sessionBody("t1", 900) });
    let n = 1;
    onRequest("POST", "/api/auth/refresh", () => ({ body: sessionBody(`t${++n}`, 900) }));
    const store = new SessionStore(() => clock);
    await store.signIn("alice", "a long passphrase");

    clock += 800_000; // 100 s left
    expect(await store.getToken()).toBe("t1");
    expect(requestsTo("POST", "/api/auth/refresh")).toHaveLength(0);

    clock += 50_000; // 50 s left: refresh, once for all callers
    const tokens = await Promise.all([store.getToken(), store.getToken(), store.getToken()]);
    expect(tokens).toEqual(["t2", "t2", "t2"]);
    expect(requestsTo("POST", "/api/auth/refresh")).toHaveLength(1);
  });

  it("shows the server's message when sign-up is refused", async () => {
    onRequest("POST", "/api/auth/register", {
      status: 400,
      body: { code: "password_too_common", message: "this password is too common" },
    });
    const store = new SessionStore(() => clock);
    await expect(store.signUp("alice", "password123")).rejects.toThrow("this password is too common");
    expect(store.getSnapshot().status).toBe("loading");
  });

  it("signs out through the server and stops handing out tokens", async () => {
    onRequest("POST", "/api/auth/login", { body: sessionBody("t1", 900) });
    onRequest("POST", "/api/auth/logout", { status: 204 });
    const store = new SessionStore(() => clock);
    await store.signIn("alice", "a long passphrase");
    await store.signOut();
    expect(requestsTo("POST", "/api/auth/logout")).toHaveLength(1);
    expect(store.getSnapshot().status).toBe("signedOut");
    await expect(store.getToken()).rejects.toThrow();
  });
});
