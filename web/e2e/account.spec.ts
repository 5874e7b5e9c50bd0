/**
 * My account against a real `tipchat serve`: the security log, a password change that the
 * next sign-in needs, and deleting the account, after which its name no longer signs in.
 */
import { type Page, expect, test } from "@playwright/test";

import { PASSWORD, serverPerFile, signUp } from "./people";

const NEW_PASSWORD = "another quite long passphrase";

const server = serverPerFile();

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

function activity(page: Page) {
  return page.getByRole("list", { name: "Security activity" });
}

test("change my password, sign in with it, then delete my account", async ({ browser }) => {
  const page = await signUp(browser, server().url, "carol");

  await page.getByRole("button", { name: "Account: carol" }).click();
  await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeFocused();
  await expect(activity(page).getByText("Signed up")).toBeVisible();
  await expect(activity(page)).toContainText("from 127.0.0.1");

  // A wrong current password is refused, and nothing changes.
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Confirm new password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toHaveText(/That password is not right/);

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();
  await expect(activity(page).getByText("Password changed")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "carol", PASSWORD);
  await expect(page.getByRole("alert")).toHaveText(/wrong username or password/);
  await signIn(page, "carol", NEW_PASSWORD);
  await expect(page.getByRole("navigation", { name: "Rooms" })).toBeVisible();

  await page.getByRole("button", { name: "Account: carol" }).click();
  await expect(activity(page).getByText("Signed in", { exact: true })).toBeVisible();
  await expect(page.getByRole("radio", { name: /Keep them/ })).toBeChecked();
  await page.getByLabel("Your password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Delete account…" }).click();
  await page.getByRole("button", { name: "Yes, delete my account" }).click();

  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText("Your account was deleted.")).toBeVisible();
  await signIn(page, "carol", NEW_PASSWORD);
  await expect(page.getByRole("alert")).toHaveText(/wrong username or password/);
  await page.context().close();
});
