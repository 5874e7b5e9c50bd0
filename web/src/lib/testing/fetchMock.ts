/**
 * A fetch stand-in for tests. Import it FIRST in a test file: the REST client captures
 * `fetch` and `Request` when lib/api/client.ts is evaluated.
 *
 * Node's Request (unlike a browser's) cannot resolve "/api/..." against the page, so it is
 * wrapped to do that.
 */
type Reply = { status?: number; body?: unknown };
type Responder = (request: Request) => Reply | Promise<Reply>;

interface Route {
  method: string;
  path: string | RegExp;
  respond: Responder;
}

const NodeRequest = globalThis.Request;

class PageRequest extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" ? new URL(input, "http://localhost/").href : input, init);
  }
}

globalThis.Request = PageRequest as typeof Request;

const routes: Route[] = [];
/** Every request the app made, in order. */
export const requests: Request[] = [];

function matches(route: Route, request: Request): boolean {
  if (route.method !== request.method) return false;
  const { pathname } = new URL(request.url);
  return typeof route.path === "string" ? route.path === pathname : route.path.test(pathname);
}

globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = input instanceof Request ? input : new PageRequest(input, init);
  requests.push(request);
  // The newest route wins, so a test can override a default.
  const route = [...routes].reverse().find((r) => matches(r, request));
  const reply = route ? await route.respond(request.clone()) : { status: 404, body: { code: "not_found", message: "no mock" } };
  const status = reply.status ?? 200;
  if (status === 204) return new Response(null, { status });
  return new Response(JSON.stringify(reply.body ?? {}), {
    status,
    headers: { "content-type": "application/json" },
  });
}) as typeof fetch;

/** Answer `method path` with a body (or compute the reply from the request). */
export function onRequest(method: string, path: string | RegExp, reply: Reply | Responder): void {
  routes.push({ method, path, respond: typeof reply === "function" ? reply : () => reply });
}

export function resetFetch(): void {
  routes.length = 0;
  requests.length = 0;
}

export function requestsTo(method: string, path: string | RegExp): Request[] {
  return requests.filter((r) => matches({ method, path, respond: () => ({}) }, r));
}
