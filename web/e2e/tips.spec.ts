/**
 * Two people tip each other on the embedded dev chain: both link a wallet with SIWE through
 * the UI, alice tips bob 2.5 tUSD from his message, her test wallet approves and pays, and
 * both see the tip card go from pending to confirmed live, as the chain decides.
 */
import { type Browser, type Page, expect, test } from "@playwright/test";

import { newPage, SHOTS, serverPerFile, signUpHere } from "./people";
import { installTestWallet, type TestWallet } from "./testWallet";

const server = serverPerFile({ TIPCHAT_DEV_CHAIN: "true" });
let chain: { chain_id: number; rpc_url: string };

// After the server's own beforeAll: hooks run in the order they are declared.
test.beforeAll(async () => {
  const { chains } = (await (await fetch(`${server().url}/api/chains`)).json()) as {
    chains: { chain_id: number; rpc_url: string | null; dev: boolean }[];
  };
  const dev = chains.find((c) => c.dev && c.rpc_url);
  if (!dev) throw new Error(`the e2e server started no dev chain (is anvil installed in contracts/?): ${JSON.stringify(chains)}`);
  chain = { chain_id: dev.chain_id, rpc_url: dev.rpc_url! };
});

/** Signed up with test wallet `accountIndex` installed before the first page load. */
async function signUpWithWallet(
  browser: Browser,
  username: string,
  accountIndex: number,
): Promise<{ page: Page; wallet: TestWallet; scripts: string[] }> {
  const page = await newPage(browser);
  const wallet = await installTestWallet(page, { accountIndex, chainId: chain.chain_id, rpcUrl: chain.rpc_url });
  // Every script the page fetches, to see when the wallet code comes.
  const scripts: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "script") scripts.push(new URL(request.url()).pathname);
  });
  await page.goto(server().url);
  await signUpHere(page, username);
  return { page, wallet, scripts };
}

/** Wallet menu -> Connect Test Wallet (found by EIP-6963) -> Link this wallet (SIWE). */
async function linkWallet(page: Page, wallet: TestWallet): Promise<void> {
  await page.getByRole("button", { name: "Wallet" }).click();
  const panel = page.getByRole("region", { name: "Wallet" });
  await panel.getByRole("button", { name: "Connect Test Wallet" }).click();
  await expect(panel.getByText(/Connected: 0x/)).toBeVisible();
  await panel.getByRole("button", { name: "Link this wallet" }).click();
  await expect(panel.getByText("This wallet is linked to your account.")).toBeVisible();
  await expect(panel.getByRole("button", { name: `Unlink ${wallet.address}` })).toBeVisible();
  expect(wallet.calls).toContain("personal_sign");
  // Close the menu again.
  await page.getByRole("button", { name: /^0x/ }).click();
  await expect(panel).toHaveCount(0);
}

function messages(page: Page) {
  return page.getByRole("log", { name: "Messages" }).getByRole("article");
}

function tipCard(page: Page) {
  return page.getByRole("log", { name: "Messages" }).getByRole("group", { name: /^Tip of 2\.5 tUSD from alice to bob/ });
}

test("alice tips bob from his message; both see it pending, then confirmed", async ({ browser }) => {
  const alice = await signUpWithWallet(browser, "alice", 1);
  const bob = await signUpWithWallet(browser, "bob", 2);

  await alice.page.getByRole("button", { name: "New room" }).click();
  await alice.page.getByLabel("Room name").fill("tips");
  await alice.page.getByRole("button", { name: "Create" }).click();
  await expect(alice.page.getByRole("heading", { name: "tips" })).toBeVisible();
  await bob.page.getByRole("button", { name: "Browse rooms" }).click();
  await bob.page.getByRole("button", { name: /join tips/i }).click();
  await expect(bob.page.getByRole("heading", { name: "tips" })).toBeVisible();

  // Signing up and joining a room load one script, the entry: the wallet code comes with the
  // Wallet menu.
  for (const { scripts } of [alice, bob]) expect(scripts).toHaveLength(1);
  await linkWallet(alice.page, alice.wallet);
  expect(alice.scripts.length).toBeGreaterThan(1);
  await linkWallet(bob.page, bob.wallet);

  const box = bob.page.getByLabel("Message", { exact: true });
  await box.fill("that fix saved my day");
  await box.press("Enter");
  const bobsMessage = messages(alice.page).filter({ hasText: "that fix saved my day" });
  await expect(bobsMessage).toHaveCount(1);

  await bobsMessage.getByRole("button", { name: "Tip bob" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "Tip bob" });
  await dialog.getByLabel("Amount").fill("2.5");
  await dialog.getByLabel("Token").selectOption({ label: "tUSD" });
  await dialog.getByRole("button", { name: "Send tip" }).click();

  // Both see the card as soon as the intent is posted, before the chain has a say ...
  for (const { page } of [alice, bob]) {
    await expect(tipCard(page)).toBeVisible();
    await expect(tipCard(page)).toContainText(/Pending|Seen on chain/);
  }
  // ... the wallet approves the allowance, then pays through the router ...
  await expect(dialog).toHaveCount(0, { timeout: 60_000 });
  const sent = alice.wallet.calls.filter((m) => m === "eth_sendTransaction");
  expect(sent).toHaveLength(2); // approve, then the router call
  // ... and the watcher confirms it once the dev chain is deep enough (a block a second).
  for (const { page } of [alice, bob]) {
    await expect(tipCard(page)).toContainText(/Confirmed|Finalized/, { timeout: 60_000 });
  }
  await tipCard(bob.page).screenshot({ path: `${SHOTS}/tip-card.png` });

  // The room's tips panel: bob received 2.5 tUSD, alice sent it.
  await bob.page.getByRole("button", { name: "Tips", exact: true }).click();
  const panel = bob.page.getByRole("region", { name: "Tips in this room" });
  await expect(panel.getByRole("row", { name: /bob/ })).toContainText("2.5 tUSD");
  await expect(panel.getByRole("row", { name: /alice/ })).toContainText("2.5 tUSD");
  await expect(panel.getByRole("listitem").filter({ hasText: "alice → bob" })).toContainText(/Confirmed|Finalized/);
  await bob.page.screenshot({ path: `${SHOTS}/tip-room-desktop.png` });

  await alice.page.context().close();
  await bob.page.context().close();
});
