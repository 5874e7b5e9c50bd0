/**
 * The signed-in session: who I am and a fresh access token.
 *
 * The refresh token lives in an httpOnly cookie, so restoring a session after a reload is
 * a cookie-authenticated POST /api/auth/refresh. The access token itself is kept only in
 * memory: the socket needs it for its `auth` frame, and its expires_at tells us when the
 * access cookie (same lifetime) is about to lapse for REST calls too.
 */
import { useSyncExternalStore } from "react";

import { api, ApiError, readCookie, unwrap, type Session, type UserRef } from "./api/client";

export type SessionStatus = "loading" | "signedOut" | "signedIn";

export interface SessionSnapshot {
  status: SessionStatus;
  user: UserRef | null;
  /** Why we are signed out when it was not the user's choice (shown on the sign-in screen). */
  notice: string | null;
}

/** Refresh this long before expiry, so a token handed out is still good when it is used. */
const REFRESH_MARGIN_MS = 60_000;
const REFRESH_LOCK = "tipchat-refresh";

/**
 * Refresh tokens rotate and a spent one revokes the whole sign-in, so two tabs refreshing
 * with the same cookie at once would sign both out. The Web Locks API serializes them:
 * the second tab's request then carries the cookie the first one just received.
 */
function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return work();
  return locks.request(REFRESH_LOCK, work) as Promise<T>;
}

export class SessionStore {
  private snapshot: SessionSnapshot = { status: "loading", user: null, notice: null };
  private token: { value: string; expiresAtMs: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): SessionSnapshot => this.snapshot;

  /** On app start: a refresh cookie may still be valid. */
  async restore(): Promise<void> {
    try {
      await this.refresh();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) {
        this.setSnapshot({
          status: "signedOut",
          user: null,
          notice: "Could not reach the server. Sign in to try again.",
        });
      }
    }
  }

  async signIn(username: string, password: string): Promise<void> {
    this.accept(await unwrap(api.POST("/api/auth/login", { body: { username, password } })));
  }

  async signUp(username: string, password: string): Promise<void> {
    this.accept(await unwrap(api.POST("/api/auth/register", { body: { username, password } })));
  }

  /**
   * Logout revokes the refresh family server-side; locally we forget everything regardless.
   * `notice` is shown on the sign-in screen (e.g. after deleting the account).
   */
  async signOut(notice: string | null = null): Promise<void> {
    try {
      await api.POST("/api/auth/logout", { body: {} });
    } catch {
      // Offline: the cookies stay, but this tab still signs out.
    }
    this.token = null;
    this.setSnapshot({ status: "signedOut", user: null, notice });
  }

  /** A valid access token, refreshed first when it expires within a minute. */
  getToken = async (): Promise<string> => {
    if (this.snapshot.status === "signedOut") throw new ApiError(401, "not_authenticated", "signed out");
    if (this.token && this.token.expiresAtMs - this.now() > REFRESH_MARGIN_MS) return this.token.value;
    return this.refresh();
  };

  /** Single-flight: every caller during a refresh shares it (see withRefreshLock). */
  refresh(): Promise<string> {
    if (!this.inflight) {
      this.inflight = withRefreshLock(() => unwrap(api.POST("/api/auth/refresh", { body: {} })))
        .then((session) => {
          this.accept(session);
          return session.access_token;
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 401) this.expire();
          throw err;
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }

  private accept(session: Session): void {
    this.token = { value: session.access_token, expiresAtMs: session.expires_at * 1000 };
    const same =
      this.snapshot.status === "signedIn" && this.snapshot.user?.id === session.user.id;
    if (!same) this.setSnapshot({ status: "signedIn", user: session.user, notice: null });
  }

  private expire(): void {
    const wasSignedIn = this.snapshot.status === "signedIn";
    this.token = null;
    this.setSnapshot({
      status: "signedOut",
      user: null,
      notice: wasSignedIn ? "Your session ended. Please sign in again." : null,
    });
  }

  private setSnapshot(next: SessionSnapshot): void {
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}

export const session = new SessionStore();

export function useSession(): SessionSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}

/** The signed-in user; only for components rendered behind the sign-in gate. */
export function useMe(): UserRef {
  const { user } = useSession();
  if (!user) throw new Error("useMe() outside a signed-in tree");
  return user;
}

const AUTH_PATH = /\/api\/auth\//;
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** A refresh replaces the CSRF cookie, so a header set before it no longer matches. */
function withCurrentCsrf(request: Request): Request {
  const token = readCookie("tipchat_csrf");
  if (token && UNSAFE.has(request.method)) request.headers.set("X-CSRF-Token", token);
  return request;
}

/*
 * REST calls authenticate with the access cookie, which lapses with the token. Before each
 * call we make sure the token (hence the cookie) is fresh; if the server still answers 401
 * (a sleeping laptop, a skewed clock) we refresh once and replay the request.
 */
const replayable = new Map<string, Request>();
api.use({
  async onRequest({ request, id }) {
    if (AUTH_PATH.test(request.url) || session.getSnapshot().status !== "signedIn") return undefined;
    try {
      await session.getToken();
    } catch {
      return undefined; // the call fails with 401 on its own
    }
    replayable.set(id, request.clone());
    return withCurrentCsrf(request);
  },
  async onResponse({ response, id, options }) {
    const copy = replayable.get(id);
    replayable.delete(id);
    if (response.status !== 401 || !copy) return undefined;
    try {
      await session.refresh();
    } catch {
      return undefined;
    }
    return options.fetch(withCurrentCsrf(copy));
  },
  onError({ id }) {
    replayable.delete(id);
    return undefined;
  },
});
