/** Pictures of the main screens for the README, at desktop and phone width. */
import { expect, test } from "@playwright/test";

import { TipchatServer } from "./server";

const SHOTS = "../docs/screenshots";
let server: TipchatServer;

test.beforeAll(async () => {
  server = await TipchatServer.start();
});

test.afterAll(async () => {
  await server?.stop();
});

for (const [label, width] of [["desktop", 1280], ["phone", 375]] as const) {
  test(`sign-in, room list and account page at ${label} width`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await expect(page.getByLabel("Username")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/sign-in-${label}.png` });

    await page.getByRole("button", { name: /create an account|sign up instead/i }).click();
    await page.getByLabel("Username").fill(`erin${label}`);
    await page.getByLabel("Password").fill("a long enough passphrase");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("button", { name: "New room" }).click();
    await page.getByLabel("Room name").fill(`${label} room`);
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: `${label} room` })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/room-${label}.png` });

    await page.goto(`${server.url}/#/account`);
    await expect(page.getByRole("list", { name: "Security activity" })).toContainText("Signed up");
    await page.screenshot({ path: `${SHOTS}/account-${label}.png` });
    await context.close();
  });
}
