/**
 * Two people chat in two browser contexts against a real `tipchat serve`: live both ways,
 * a DM, a server killed and restarted mid-conversation, and a message sent while offline.
 */
import { type Page, expect, test } from "@playwright/test";

import { SHOTS, serverPerFile, signUp } from "./people";

const server = serverPerFile();

async function openRoom(page: Page, name: string): Promise<void> {
  // On a phone, joining already shows the room (one pane at a time), perhaps a moment later:
  // wait for the room itself or for its entry in the list, whichever shows, before choosing.
  const heading = page.getByRole("heading", { name });
  const entry = page
    .getByRole("navigation", { name: "Rooms" })
    .getByRole("button", { name: new RegExp(name) });
  await expect(heading.or(entry).first()).toBeVisible();
  if (!(await heading.isVisible())) await entry.click();
  await expect(page.getByRole("log", { name: "Messages" })).toBeVisible();
}

async function say(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

function messages(page: Page) {
  return page.getByRole("log", { name: "Messages" }).getByRole("article");
}

async function bodies(page: Page): Promise<string[]> {
  return messages(page).evaluateAll((articles) =>
    articles.map((a) => a.querySelector("[data-body]")?.textContent ?? ""),
  );
}

test("two people chat live in a room, and in a DM", async ({ browser }) => {
  const alice = await signUp(browser, server().url, "alice");
  const bob = await signUp(browser, server().url, "bob");

  await alice.getByRole("button", { name: "New room" }).click();
  await alice.getByLabel("Room name").fill("general");
  await alice.getByRole("button", { name: "Create" }).click();
  await expect(alice.getByRole("heading", { name: "general" })).toBeVisible();

  await bob.getByRole("button", { name: "Browse rooms" }).click();
  await bob.getByRole("button", { name: /join general/i }).click();
  await openRoom(bob, "general");

  await say(alice, "hello bob");
  await expect(messages(bob).filter({ hasText: "hello bob" })).toHaveCount(1);
  await say(bob, "hi alice!\nthis is two lines");
  await expect(messages(alice).filter({ hasText: "hi alice!" })).toHaveCount(1);
  await expect(messages(alice).filter({ hasText: "Sending…" })).toHaveCount(0);

  await alice.screenshot({ path: `${SHOTS}/chat-desktop.png` });

  // A DM: alice finds bob, writes; bob sees an unread badge, opens it, reads.
  await alice.getByRole("button", { name: "New message" }).click();
  await alice.getByLabel("Find people").fill("bo");
  await alice.getByRole("button", { name: "bob", exact: true }).click();
  await say(alice, "a private word");
  const rooms = bob.getByRole("navigation", { name: "Rooms" });
  await expect(rooms.getByLabel("1 unread")).toBeVisible();
  await openRoom(bob, "alice");
  await expect(messages(bob).filter({ hasText: "a private word" })).toHaveCount(1);
  await expect(rooms.getByLabel(/unread/)).toHaveCount(0);

  await alice.context().close();
  await bob.context().close();
});

test("a server killed mid-conversation loses nothing and duplicates nothing", async ({ browser }) => {
  const carol = await signUp(browser, server().url, "carol");
  const dave = await signUp(browser, server().url, "dave", 375); // a phone-sized screen
  await carol.getByRole("button", { name: "New room" }).click();
  await carol.getByLabel("Room name").fill("ops");
  await carol.getByRole("button", { name: "Create" }).click();
  await dave.getByRole("button", { name: "Browse rooms" }).click();
  await dave.getByRole("button", { name: /join ops/i }).click();
  await openRoom(dave, "ops");

  for (let n = 1; n <= 3; n++) {
    await say(carol, `before ${n}`);
    await say(dave, `reply ${n}`);
  }
  await expect(messages(carol)).toHaveCount(6);
  await expect(messages(dave)).toHaveCount(6);
  await dave.screenshot({ path: `${SHOTS}/chat-phone.png` });

  await server().kill();
  await expect(carol.getByRole("status")).toHaveText(/reconnecting|offline|connecting/i);
  await say(carol, "sent while the server was down");
  await expect(messages(carol).filter({ hasText: "sent while the server was down" })).toContainText(
    "Sending…",
  );
  await carol.screenshot({ path: `${SHOTS}/offline-desktop.png` });

  await server().restart();
  await expect(carol.getByRole("status")).toHaveText("", { timeout: 30_000 });
  await expect(dave.getByRole("status")).toHaveText("", { timeout: 30_000 });
  await say(dave, "after the restart");

  const expected = [
    "before 1", "reply 1", "before 2", "reply 2", "before 3", "reply 3",
    "sent while the server was down", "after the restart",
  ];
  for (const page of [carol, dave]) {
    await expect(messages(page)).toHaveCount(expected.length);
    await expect.poll(() => bodies(page)).toEqual(expected);
    await expect(messages(page).filter({ hasText: "Sending…" })).toHaveCount(0);
  }
  await carol.context().close();
  await dave.context().close();
});
