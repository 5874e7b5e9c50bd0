/**
 * Attachments in the browser against a real `tipchat serve` (local object store): alice
 * attaches an image and a text file, bob sees the thumbnail live, opens the image and
 * downloads the file byte for byte; carol, signed in but not a member, is refused.
 */
import { readFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";

import { type Page, expect, test } from "@playwright/test";

import { SHOTS, serverPerFile, signUp } from "./people";

const server = serverPerFile();

/** A real PNG (an RGB gradient), so the server's decoder and thumbnailer have work to do. */
function gradientPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1); // each row starts with filter type 0
    for (let x = 0; x < width; x++) rows.set([(x * 255) / width, (y * 255) / height, 160], row + 1 + x * 3);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

const PNG = gradientPng(480, 320);
const NOTES = Buffer.from("Agenda\n1. tips\n2. files ✓\n", "utf8");

function messages(page: Page) {
  return page.getByRole("log", { name: "Messages" }).getByRole("article");
}

test("an image and a file, sent by one member and received by another; refused to outsiders", async ({ browser }) => {
  const alice = await signUp(browser, server().url, "alice");
  const bob = await signUp(browser, server().url, "bob");
  const carol = await signUp(browser, server().url, "carol");

  await alice.getByRole("button", { name: "New room" }).click();
  await alice.getByLabel("Room name").fill("files");
  await alice.getByRole("button", { name: "Create" }).click();
  await expect(alice.getByRole("heading", { name: "files" })).toBeVisible();
  const roomId = Number(/#\/rooms\/(\d+)/.exec(alice.url())![1]);
  await bob.getByRole("button", { name: "Browse rooms" }).click();
  await bob.getByRole("button", { name: /join files/i }).click();
  await expect(bob.getByRole("heading", { name: "files" })).toBeVisible();

  // alice attaches both through the attach button. The uploads are held on their way to
  // the server for a moment, to see (and photograph) them in progress.
  let release!: () => void;
  const held = new Promise<void>((done) => (release = done));
  await alice.route("**/api/media/**", async (route) => {
    await held;
    await route.continue();
  });
  const chooser = alice.waitForEvent("filechooser");
  await alice.getByRole("button", { name: "Attach files" }).click();
  await (await chooser).setFiles([
    { name: "gradient.png", mimeType: "image/png", buffer: PNG },
    { name: "notes.txt", mimeType: "text/plain", buffer: NOTES },
  ]);
  const chips = alice.getByRole("list", { name: "Files to send" }).getByRole("listitem");
  await expect(chips).toHaveCount(2);
  await expect(alice.getByRole("progressbar", { name: "Uploading gradient.png" })).toBeVisible();
  // Send waits for the uploads.
  await alice.getByRole("button", { name: "Send" }).click();
  await expect(alice.getByRole("alert").filter({ hasText: "Wait until the files are uploaded." })).toBeVisible();
  await alice.locator(".composer").screenshot({ path: `${SHOTS}/attachments-uploading.png` });
  release();
  await expect(chips.filter({ hasText: "Ready" })).toHaveCount(2);
  await expect(alice.getByRole("alert")).toHaveCount(0);
  await alice.getByLabel("Message", { exact: true }).fill("the plan, and a picture");
  await alice.screenshot({ path: `${SHOTS}/attachments-composer.png` });
  await alice.getByLabel("Message", { exact: true }).press("Enter");
  await expect(alice.getByRole("list", { name: "Files to send" })).toHaveCount(0);

  // bob sees it live: the thumbnail inline (loaded, in its reserved 320 x 213 box).
  const message = messages(bob).filter({ hasText: "the plan, and a picture" });
  await expect(message).toHaveCount(1);
  const thumb = message.getByRole("img", { name: "gradient.png" });
  await expect(thumb).toBeVisible();
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight])).toEqual([true, 320, 213]);
  await bob.screenshot({ path: `${SHOTS}/attachments-message.png` });

  // The full image opens on click, and Escape closes it.
  await message.getByRole("button", { name: "Open image gradient.png" }).click();
  const viewer = bob.getByRole("dialog", { name: "gradient.png" });
  const full = viewer.getByRole("img", { name: "gradient.png" });
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(480);
  await bob.keyboard.press("Escape");
  await expect(viewer).toHaveCount(0);

  // The file downloads with its name, byte for byte.
  const link = message.getByRole("link", { name: /notes\.txt/ });
  await expect(link).toContainText(`(${NOTES.length} B)`);
  const downloading = bob.waitForEvent("download");
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("notes.txt");
  expect(readFileSync((await download.path())!)).toEqual(NOTES);

  // carol is signed in but not a member: the attachment API refuses her, for both files.
  const history = await bob.request.get(`${server().url}/api/rooms/${roomId}/messages`);
  const sent = (await history.json()).messages.find((m: { body: string }) => m.body === "the plan, and a picture");
  const ids: number[] = sent.attachments.map((a: { id: number }) => a.id);
  expect(ids).toHaveLength(2);
  for (const id of ids) {
    const refused = await carol.request.get(`${server().url}/api/rooms/${roomId}/attachments/${id}`);
    expect(refused.status()).toBe(403);
    expect((await refused.json()).code).toBe("not_a_member");
    const allowed = await bob.request.get(`${server().url}/api/rooms/${roomId}/attachments/${id}`);
    expect(allowed.status()).toBe(200);
  }

  for (const page of [alice, bob, carol]) await page.context().close();
});
