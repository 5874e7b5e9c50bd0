/**
 * The REST client: openapi-fetch over the types generated from the server's OpenAPI
 * (schema.d.ts, never hand-edited; regenerate with ../scripts/gen-api).
 *
 * The web app authenticates REST calls with the session cookies the server sets; every
 * write echoes the readable `tipchat_csrf` cookie in X-CSRF-Token (double-submit).
 */
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Room = Schemas["RoomPublic"];
export type Message = Schemas["MessagePublic"];
export type Member = Schemas["MemberPublic"];
export type UserRef = Schemas["UserPublic"];
export type Session = Schemas["SessionPublic"];

/** Every error body the server sends: a stable `code` and a message for people. */
export interface Problem {
  code: string;
  message: string;
  /** With `rate_limited`: seconds until the server takes the request again. */
  retry_after?: number;
  /** With `attachment_too_large`: the largest file the server takes, in bytes. */
  max_bytes?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait, when the server said (`rate_limited`). */
    readonly retryAfter?: number,
    /** The size limit, when the server said (`attachment_too_large`). */
    readonly maxBytes?: number,
  ) {
    super(message);
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

const csrf: Middleware = {
  onRequest({ request }) {
    const token = readCookie("tipchat_csrf");
    if (token && UNSAFE.has(request.method)) request.headers.set("X-CSRF-Token", token);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrf);

/** The ApiError for an error reply's status and (parsed JSON) body, whatever its shape. */
export function problemError(status: number, body: unknown, statusText = ""): ApiError {
  const problem = (body ?? {}) as Partial<Problem>;
  const number = (value: unknown) => (typeof value === "number" ? value : undefined);
  return new ApiError(
    status,
    typeof problem.code === "string" ? problem.code : "http_error",
    typeof problem.message === "string" ? problem.message : statusText,
    number(problem.retry_after),
    number(problem.max_bytes),
  );
}

/** Unwrap an openapi-fetch result: the data, or an ApiError carrying the server's code. */
export async function unwrap<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await pending;
  if (error !== undefined || !response.ok) throw problemError(response.status, error, response.statusText);
  return data as T;
}
