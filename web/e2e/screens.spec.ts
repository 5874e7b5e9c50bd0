/** Pictures of the main screens for the README, at desktop and phone width. */
import { expect, test } from "@playwright/test";

import { newPage, SHOTS, serverPerFile, signUpHere } from "./people";

const server = serverPerFile();

for (const [label, width] of [["desktop", 1280], ["phone", 375]] as const) {
  test(`sign-in, room list and account page at ${label} width`, async ({ browser }) => {
    const page = await newPage(browser, width);
    await page.goto(server().url);
    await expect(page.getByLabel("Username")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/sign-in-${label}.png` });

    await signUpHere(page, `erin${label}`);
    await page.getByRole("button", { name: "New room" }).click();
    await page.getByLabel("Room name").fill(`${label} room`);
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: `${label} room` })).toBeVisible();
    await expect(page.getByText("No messages yet")).toBeVisible(); // loaded, not "Loading…"
    await page.screenshot({ path: `${SHOTS}/room-${label}.png` });

    await page.goto(`${server().url}/#/account`);
    await expect(page.getByRole("list", { name: "Security activity" })).toContainText("Signed up");
    await page.screenshot({ path: `${SHOTS}/account-${label}.png` });
    await page.context().close();
  });
}
