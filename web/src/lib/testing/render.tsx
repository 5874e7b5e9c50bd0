import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render } from "@testing-library/react";
import type { ReactElement } from "react";
import { afterEach } from "vitest";

import { SocketContext } from "../socketHooks";
import type { ChatSocketApi } from "../socket/types";

// Vitest runs without globals here, so Testing Library cannot register this itself.
afterEach(() => cleanup());

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
}

/** Render inside the providers the app has: a query cache and a socket. */
export function renderWithProviders(
  ui: ReactElement,
  { socket, queryClient = testQueryClient() }: { socket: ChatSocketApi; queryClient?: QueryClient },
) {
  const result = render(
    <QueryClientProvider client={queryClient}>
      <SocketContext value={socket}>{ui}</SocketContext>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}
