/**
 * Sign-in with an OIDC provider in a real browser: a real OpenID provider (PyPI
 * oidc-provider-mock, its own command line) and a real `tipchat serve` configured for it.
 * Click the button, sign in at the provider's page, land back signed in to a new account.
 */
import { type ChildProcess, spawn } from "node:child_process";

import { expect, test } from "@playwright/test";

import { freePort, PYTHON, TipchatServer } from "./server";

const PERSON = { sub: "e2e-person-1", preferred_username: "oidc_e2e", email: "e2e@example.com" };

let provider: ChildProcess;
let issuer: string;
let server: TipchatServer;

async function startProvider(): Promise<void> {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  provider = spawn(
    PYTHON,
    ["-m", "oidc_provider_mock", "--port", String(port), "--host", "127.0.0.1", "--user-claims", JSON.stringify(PERSON)],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${issuer}/.well-known/openid-configuration`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error("the OIDC provider did not start");
}

test.beforeAll(async () => {
  await startProvider();
  server = await TipchatServer.start({
    TIPCHAT_OIDC_ISSUER: issuer,
    TIPCHAT_OIDC_CLIENT_ID: "tipchat-e2e",
    TIPCHAT_OIDC_CLIENT_SECRET: "e2e-client-secret",
    TIPCHAT_OIDC_NAME: "Mock ID",
  });
});

test.afterAll(async () => {
  await server?.stop();
  provider?.kill("SIGTERM");
});

test("signs up with the provider, then in again to the same account", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: "Sign in with Mock ID" }).click();

  // The provider's own page: choose the predefined person.
  await expect(page).toHaveURL(new RegExp(`^${issuer}/oauth2/authorize`));
  await page.getByRole("button", { name: PERSON.sub }).click();

  // Back at tipchat, signed in to a new account named after the provider's username
  // (my name in the sidebar is the button to my account page).
  const myAccount = page.getByRole("button", { name: `Account: ${PERSON.preferred_username}` });
  await expect(page.getByRole("navigation", { name: "Rooms" })).toBeVisible();
  await expect(myAccount).toHaveText(PERSON.preferred_username);
  expect(new URL(page.url()).search).toBe("");
  await expect(page.getByRole("button", { name: "Link Mock ID account" })).toBeVisible();

  // A reload restores the session (the refresh cookie was set by the callback).
  await page.reload();
  await expect(myAccount).toHaveText(PERSON.preferred_username);

  // Signed out and in again with the provider: the same account, not a second one.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in with Mock ID" }).click();
  await page.getByRole("button", { name: PERSON.sub }).click();
  await expect(myAccount).toHaveText(PERSON.preferred_username);
});

test("a refused sign-in says why and leaves the URL clean", async ({ page }) => {
  // A callback this browser never started (a forged or replayed state).
  await page.goto(`${server.url}/api/auth/oidc/callback?state=forged&code=abc`);
  await expect(page.getByRole("alert")).toHaveText(/expired or was already used/);
  expect(new URL(page.url()).search).toBe("");
  await expect(page.getByRole("button", { name: "Sign in with Mock ID" })).toBeVisible();
});
