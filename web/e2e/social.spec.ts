/**
 * Issue 6 in the browser, two people in a room against a real `tipchat serve`: a reaction
 * seen live, a mention (badge, highlight, the Mentions view), search, typing, presence,
 * and a block that hides the blocked person's next message.
 */
import { type Page, expect, test } from "@playwright/test";

import { SHOTS, serverPerFile, signUp } from "./people";

const server = serverPerFile();

async function say(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

function messages(page: Page) {
  return page.getByRole("log", { name: "Messages" }).getByRole("article");
}

function roomList(page: Page) {
  return page.getByRole("navigation", { name: "Rooms" });
}

test("reactions, mentions, search, typing, presence and blocking between two people", async ({ browser }) => {
  const alice = await signUp(browser, server().url, "alice");
  const bob = await signUp(browser, server().url, "bob");

  await alice.getByRole("button", { name: "New room" }).click();
  await alice.getByLabel("Room name").fill("lounge");
  await alice.getByRole("button", { name: "Create" }).click();
  await expect(alice.getByRole("heading", { name: "lounge" })).toBeVisible();
  await bob.getByRole("button", { name: "Browse rooms" }).click();
  await bob.getByRole("button", { name: /join lounge/i }).click();
  await expect(bob.getByRole("heading", { name: "lounge" })).toBeVisible();

  // Reactions: bob reacts to alice's message; alice sees the count live.
  await say(alice, "lunch at noon?");
  const lunchForBob = messages(bob).filter({ hasText: "lunch at noon?" });
  await expect(lunchForBob).toHaveCount(1);
  await lunchForBob.getByRole("button", { name: "Add reaction" }).click();
  await lunchForBob.getByRole("button", { name: "React with 👍" }).click();
  await expect(lunchForBob.getByRole("button", { name: /^👍 1/ })).toHaveAttribute("aria-pressed", "true");
  const lunchForAlice = messages(alice).filter({ hasText: "lunch at noon?" });
  const thumbsForAlice = lunchForAlice.getByRole("button", { name: /^👍 1/ });
  await expect(thumbsForAlice).toBeVisible();
  await expect(thumbsForAlice).toHaveAttribute("aria-pressed", "false");
  // alice adds hers to the same emoji: 2, and it is marked as hers.
  await thumbsForAlice.click();
  await expect(lunchForAlice.getByRole("button", { name: /^👍 2/ })).toHaveAttribute("aria-pressed", "true");
  await expect(lunchForBob.getByRole("button", { name: /^👍 2/ })).toBeVisible();

  // Presence: alice sees bob online in the member list, then away when his tab is hidden.
  await alice.getByRole("button", { name: /^Members/ }).click();
  await expect(alice.getByRole("img", { name: "bob is online" })).toBeVisible();
  await bob.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await expect(alice.getByRole("img", { name: "bob is away" })).toBeVisible();
  await bob.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await expect(alice.getByRole("img", { name: "bob is online" })).toBeVisible();
  await alice.getByRole("button", { name: /^Members/ }).click();

  // Mentions: bob is looking at his Mentions view, not the room, when alice mentions him.
  await bob.getByRole("button", { name: /^Mentions/ }).click();
  await expect(bob.getByText("Nobody has mentioned you yet.")).toBeVisible();
  await say(alice, "@bob can you bring the tipjar? (not @bobby)");
  await expect(roomList(bob).getByLabel("1 mention")).toBeVisible();
  const mentionHit = bob.getByRole("list", { name: "Messages that mention you" }).getByRole("button");
  await expect(mentionHit).toHaveCount(1);
  await expect(mentionHit).toContainText("can you bring the tipjar?");
  await bob.screenshot({ path: `${SHOTS}/social-mentions.png` });
  await mentionHit.click();
  await expect(bob.getByRole("heading", { name: "lounge" })).toBeVisible();
  const mentionMessage = messages(bob).filter({ hasText: "tipjar" });
  await expect(mentionMessage.locator(".mention--me")).toHaveText("@bob");
  await expect(mentionMessage.locator(".mention")).toHaveCount(1); // @bobby is nobody
  await expect(roomList(bob).getByLabel("1 mention")).toHaveCount(0); // read now
  await alice.screenshot({ path: `${SHOTS}/social-reactions.png` });

  // Search: bob finds alice's message by a word and opens its room.
  await bob.getByRole("button", { name: "Search", exact: true }).click();
  await bob.getByLabel("Search messages").fill("tipjar");
  await bob.getByRole("button", { name: "Search", exact: true }).last().click();
  const results = bob.getByRole("list", { name: "Search results" }).getByRole("button");
  await expect(results).toHaveCount(1);
  await expect(results.locator("mark")).toHaveText("tipjar");
  await bob.screenshot({ path: `${SHOTS}/social-search.png` });
  await results.click();
  await expect(bob.getByRole("heading", { name: "lounge" })).toBeVisible();

  // Typing: alice sees bob typing while he writes, and it goes when he sends.
  const typing = alice.locator(".typing");
  await bob.getByLabel("Message", { exact: true }).pressSequentially("on my way", { delay: 50 });
  await expect(typing).toHaveText("bob is typing…");
  await bob.getByLabel("Message", { exact: true }).press("Enter");
  await expect(messages(alice).filter({ hasText: "on my way" })).toHaveCount(1);
  await expect(typing).toHaveText("");

  // Blocking: alice blocks bob from the member list; his next message is hidden for her.
  await alice.getByRole("button", { name: /^Members/ }).click();
  await alice.getByRole("button", { name: "Block bob" }).click();
  await expect(alice.getByRole("button", { name: "Unblock bob" })).toBeVisible();
  await say(bob, "you will not read this");
  await expect(messages(bob).filter({ hasText: "you will not read this" })).toHaveCount(1);
  await expect(messages(alice).filter({ hasText: "Message from a blocked user" })).toHaveCount(2);
  await expect(alice.getByText("you will not read this")).toHaveCount(0);
  await alice.screenshot({ path: `${SHOTS}/social-blocked.png` });
  // Shown on request, one message at a time.
  await messages(alice).filter({ hasText: "Message from a blocked user" }).last().getByRole("button", { name: "Show" }).click();
  await expect(messages(alice).filter({ hasText: "you will not read this" })).toHaveCount(1);

  await alice.context().close();
  await bob.context().close();
});
