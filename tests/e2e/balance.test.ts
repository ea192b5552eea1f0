import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { type ChargeInput, postCharge, postCredit } from "../../src/modules/ledger/index.js";
import {
  axeViolations,
  countingKeyboard,
  focused,
  type LiveServer,
  launchChromium,
  signIn,
  startServer,
} from "../support/browser.js";
import { TEST_PASSWORD } from "../support/testkit.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let accountId: number;
const pageErrors: string[] = [];

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const section = () => page.getByRole("region", { name: "Balance and items" });
const cellsOf = async (row: ReturnType<Page["locator"]>) =>
  (await row.locator("th, td").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());

/** A picture of part of the page for the guide (in .tmp/screenshots, copied to docs/guide/img). */
async function guideShot(target: ReturnType<Page["locator"]>, name: string) {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
}

/**
 * An account with five charges over four months (business date 2026-03-02) and a check directed to the oldest
 * but one, which it pays with $15.80 to spare: open items in every aging bucket but 61-90, and an unapplied credit.
 */
async function seedAccount(token: string): Promise<number> {
  const res = await server.app.inject({
    method: "POST",
    url: "/api/v1/customers",
    headers: { authorization: `Bearer ${token}` },
    payload: {
      party: { kind: "person", first_name: "Theodora", last_name: "Pennywhistle" },
      account: { bill_cycle: "07" },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = (res.json() as { account: { id: number } }).account.id;
  const charge = (cents: bigint, over: Partial<ChargeInput>) =>
    postCharge(server.ctx, { account_id: id, category: "energy", amount_cents: cents, reference: "bill", ...over });
  await charge(3000n, {
    due_date: "2025-11-20",
    service_period: { from: "2025-10-01", to: "2025-10-31" },
    reference: "bill:2025-10",
  });
  const november = await charge(8420n, {
    due_date: "2025-12-20",
    service_period: { from: "2025-11-01", to: "2025-11-30" },
    reference: "bill:2025-11",
  });
  await charge(11235n, {
    due_date: "2026-01-20",
    service_period: { from: "2025-12-01", to: "2025-12-31" },
    reference: "bill:2025-12",
  });
  await charge(4000n, {
    category: "delivery",
    due_date: "2026-02-20",
    service_period: { from: "2026-01-01", to: "2026-01-31" },
    reference: "bill:2026-01",
  });
  await charge(9610n, {
    due_date: "2026-03-20",
    service_period: { from: "2026-02-01", to: "2026-02-28" },
    reference: "bill:2026-02",
  });
  await charge(1500n, {
    category: "fee",
    due_date: null,
    reference: "fee:field-visit",
    description: "Field visit fee",
  });
  await postCredit(server.ctx, {
    account_id: id,
    kind: "payment",
    amount_cents: 10000n,
    directed_item_ids: [november.item.id],
    reference: "check 1042",
  });
  return id;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "csr",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  await createUser(server.ctx, { username: "boss", display_name: "B", password: TEST_PASSWORD, roles: ["admin"] });
  const { token } = await createToken(server.ctx, "boss", "seed");
  accountId = await seedAccount(token);
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404)/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("balance and items on the account page", () => {
  it("shows balance, amount due and past due (highlighted) in the header", async () => {
    await signIn(page, "csr", TEST_PASSWORD);
    await page.goto(`/accounts/${accountId}`);
    await heading().getByText("Pennywhistle, Theodora").waitFor();
    const summary = page.getByTestId("balance-summary");
    await summary.waitFor();
    // Open 293.45 (30.00 + 112.35 + 40.00 + 96.10 + 15.00) less the 15.80 unapplied; the fee is not billed yet.
    expect((await summary.textContent())?.replace(/\s+/g, " ")).toBe("Balance$277.65Amount due$262.65Past due$182.35");
    expect(await page.getByTestId("past-due").textContent()).toBe("$182.35");
  });

  it("jumps to the section with b: aging, open items oldest due first, the unapplied credit; axe is clean", async () => {
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    const keys = countingKeyboard(page);
    await keys.press("b");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Open items (5)" });
    expect(keys.count).toBe(1);
    const aging = section().getByRole("table", { name: /^Aging of open items/ });
    expect(await cellsOf(aging.getByRole("row").nth(1))).toEqual(["$111.10", "$40.00", "$112.35", "$0.00", "$30.00"]);
    const items = section().getByRole("table", { name: "Open items, oldest due first" });
    const rows = items.getByRole("row");
    await expect.poll(() => rows.count()).toBe(6);
    expect(await cellsOf(rows.nth(1))).toEqual([
      "Energy",
      "2025-10-01 to 2025-10-31",
      "2025-11-20Past due",
      "$30.00",
      "$30.00",
    ]);
    expect(await cellsOf(rows.nth(4))).toEqual([
      "Energy",
      "2026-02-01 to 2026-02-28",
      "2026-03-20",
      "$96.10",
      "$96.10",
    ]);
    expect(await cellsOf(rows.nth(5))).toEqual(["FeeField visit fee", "none", "not billed yet", "$15.00", "$15.00"]);
    const credits = section().getByRole("table", { name: /^Unapplied credits/ });
    expect(await cellsOf(credits.getByRole("row").nth(1))).toEqual([
      "Payment",
      "2026-03-02",
      "check 1042",
      "$100.00",
      "$15.80",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "balance-items");
    await guideShot(page.getByRole("main").locator("header"), "balance-header");
  });

  it("shows the ledger newest first with the balance after each entry (arrow key to the tab)", async () => {
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Ledger" });
    const ledger = section().getByRole("table", { name: /^Ledger, newest first/ });
    const rows = ledger.getByRole("row");
    await expect.poll(() => rows.count()).toBe(9);
    expect(await cellsOf(rows.nth(1))).toEqual([
      "2026-03-02",
      "Credit applied to items: $84.20",
      "check 1042",
      "no change",
      "$277.65",
    ]);
    expect(await cellsOf(rows.nth(2))).toEqual(["2026-03-02", "Credit: Payment", "check 1042", "-$100.00", "$277.65"]);
    expect(await cellsOf(rows.nth(3))).toEqual([
      "2026-03-02",
      "Charge: Field visit fee",
      "fee:field-visit",
      "$15.00",
      "$377.65",
    ]);
    expect(await cellsOf(rows.nth(8))).toEqual(["2026-03-02", "Charge: Energy", "bill:2025-10", "$30.00", "$30.00"]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "ledger");
  });

  it("opens the ledger from the palette, and focus lands on its tab", async () => {
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Open items (5)" });
    await heading().focus();
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("ledger");
    await keys.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Ledger" });
    expect(keys.count).toBe(2);
    expect(pageErrors).toEqual([]);
  });
});
