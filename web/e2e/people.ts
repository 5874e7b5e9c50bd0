/**
 * What the browser specs share: a spec file's own `tipchat serve`, and people signing up to
 * it, each in a browser context of their own.
 */
import { type Browser, type Page, expect, test } from "@playwright/test";

import { TipchatServer } from "./server";

export const PASSWORD = "a long enough passphrase";
/** Where specs photograph screens for the docs (Playwright runs in web/). */
export const SHOTS = "../docs/screenshots";

/**
 * Starts a server before the calling spec file's first test and stops it after its last;
 * returns how to reach it from inside a test or hook. One per file rather than a
 * worker-scoped fixture: a worker runs several files, which sign up the same names
 * ("alice") and may kill their server, so they must not share one.
 */
export function serverPerFile(env: Record<string, string> = {}): () => TipchatServer {
  let server: TipchatServer | undefined;
  test.beforeAll(async () => {
    server = await TipchatServer.start(env);
  });
  test.afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error("the spec's server has not started (reach it from a test or hook)");
    return server;
  };
}

/** A page in a new browser context of its own, `width` x 800. */
export async function newPage(browser: Browser, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  return context.newPage();
}

/** From the sign-in screen: create an account `username` and wait for the room list. */
export async function signUpHere(page: Page, username: string): Promise<void> {
  await page.getByRole("button", { name: /create an account|sign up instead/i }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("navigation", { name: "Rooms" })).toBeVisible();
}

/** `username`, signed up at `url` in a new browser context `width` wide. */
export async function signUp(browser: Browser, url: string, username: string, width = 1280): Promise<Page> {
  const page = await newPage(browser, width);
  await page.goto(url);
  await signUpHere(page, username);
  return page;
}
