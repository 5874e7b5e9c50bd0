import "./styles.css";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { ApiError } from "./lib/api/client";
import { takeOidcResult } from "./lib/oidc";
import { session } from "./lib/session";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network errors and 5xx might.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 3,
    },
  },
});

// Before the first render, so StrictMode cannot start two refreshes.
void session.restore();
// A provider sign-in's result in the URL: read (and removed from the URL) once.
const oidc = takeOidcResult();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App oidc={oidc} />
    </QueryClientProvider>
  </StrictMode>,
);
