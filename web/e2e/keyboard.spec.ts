/**
 * The client works from the keyboard alone and under the server's strict Content-Security-
 * Policy (no violation is reported while signing up, creating a room and chatting).
 */
import { expect, test } from "@playwright/test";

import { PASSWORD, serverPerFile } from "./people";

const server = serverPerFile();

test("sign up, create a room and send a message with the keyboard only", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(String(error)));

  await page.goto(server().url);
  const cspHeader = (await page.request.get(server().url)).headers()["content-security-policy"];
  expect(cspHeader).toContain("script-src 'self'");

  // Tab to each control; no mouse anywhere in this test.
  async function tabTo(name: RegExp): Promise<void> {
    for (let presses = 0; presses < 40; presses++) {
      const label = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return "";
        const labelled = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : "";
        return [el.getAttribute("aria-label"), labelled, el.textContent, el.getAttribute("placeholder")]
          .filter(Boolean)
          .join(" ");
      });
      if (name.test(label)) return;
      await page.keyboard.press("Tab");
    }
    throw new Error(`could not reach ${name} with Tab`);
  }

  await tabTo(/create an account/i);
  await page.keyboard.press("Enter");
  await tabTo(/username/i);
  await page.keyboard.type("kim");
  await tabTo(/password/i);
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("navigation", { name: "Rooms" })).toBeVisible();

  await tabTo(/new room/i);
  await page.keyboard.press("Enter");
  await tabTo(/room name/i);
  await page.keyboard.type("keyboard");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "keyboard" })).toBeVisible();

  await tabTo(/write a message/i);
  // The focused control shows a visible focus indicator.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  const shadow = await page.evaluate(() => getComputedStyle(document.activeElement!).boxShadow);
  expect(outline !== "none" || shadow !== "none").toBe(true);
  await page.keyboard.type("first line");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("second line");
  await page.keyboard.press("Enter");
  const sent = page.getByRole("log", { name: "Messages" }).getByRole("article");
  await expect(sent).toHaveCount(1);
  await expect(sent.locator("[data-body]")).toHaveText("first line\nsecond line");
  await expect(sent).not.toContainText("Sending…");

  expect(violations).toEqual([]);
});
