import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge } from "../../src/modules/ledger/index.js";
import {
  axeViolations,
  countingKeyboard,
  focused,
  type LiveServer,
  launchChromium,
  paletteShows,
  signIn,
  startServer,
} from "../support/browser.js";
import { TEST_PASSWORD } from "../support/testkit.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
/** The customer who pays, and the customer a misposted payment belongs to. */
const payer = { id: 0, number: "" };
const other = { id: 0, number: "" };
const pageErrors: string[] = [];
/** Idempotency-Key of every money-moving request the workstation sent, in order. */
const keysSent: { url: string; key: string | undefined }[] = [];
/** Keys pressed beyond the typed data, per task. */
const keystrokes: Record<string, number> = {};

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const section = () => page.getByRole("region", { name: "Balance and items" });
const summary = async () => (await page.getByTestId("balance-summary").textContent())?.replace(/\s+/g, " ");
const cellsOf = async (row: Locator) =>
  (await row.locator("th, td").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
const record = (task: string, keys: { count: number; pressed: string[] }) => {
  keystrokes[task] = keys.count;
  console.log(`${task}: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
};

/** A picture for the guide (in .tmp/screenshots, copied to docs/guide/img). */
async function guideShot(target: Locator, name: string) {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
}

async function api(method: "GET" | "POST", url: string, payload?: object, headers: Record<string, string> = {}) {
  const res = await server.app.inject({
    method,
    url,
    payload,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

async function newAccount(first: string, last: string) {
  const made = await api("POST", "/api/v1/customers", {
    party: { kind: "person", first_name: first, last_name: last },
    account: { bill_cycle: "07" },
  });
  const account = made.account as { id: number; account_number: string };
  return { id: account.id, number: account.account_number };
}

/** Presses Tab until the element named `name` has focus; returns how many. */
async function tabTo(keys: ReturnType<typeof countingKeyboard>, name: string, most = 12) {
  for (let i = 0; i < most; i++) {
    if ((await focused(page)).name === name) return;
    await keys.press("Tab");
  }
  expect((await focused(page)).name).toBe(name);
}

/** Opens the account from the search box with the keyboard: `/`, its number, Enter. */
async function openAccount(keys: ReturnType<typeof countingKeyboard>, number: string) {
  await keys.press("/");
  await keys.type(number);
  await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
  await keys.press("Enter");
  await page.waitForURL(/\/accounts\/\d+$/);
  await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "casey",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  await createUser(server.ctx, {
    username: "lee",
    display_name: "Lee Ortega",
    password: TEST_PASSWORD,
    roles: ["lead"],
  });
  // A lead's token: the back office posts payments (an admin's roles do not move money).
  token = (await createToken(server.ctx, "lee", "seed")).token;
  Object.assign(payer, await newAccount("Rosalind", "Hargreave"));
  Object.assign(other, await newAccount("Wendell", "Okafor"));
  // January's bill is 20 days past due (business date 2026-03-02); February's is due on the 20th.
  await postCharge(server.ctx, {
    account_id: payer.id,
    category: "energy",
    amount_cents: 6000n,
    due_date: "2026-02-10",
    service_period: { from: "2026-01-01", to: "2026-01-31" },
    reference: "bill:2026-01",
  });
  await postCharge(server.ctx, {
    account_id: payer.id,
    category: "energy",
    amount_cents: 8420n,
    due_date: "2026-03-20",
    service_period: { from: "2026-02-01", to: "2026-02-28" },
    reference: "bill:2026-02",
  });
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404)|net::ERR_/.test(msg.text())) pageErrors.push(msg.text());
  });
  page.on("request", (req) => {
    if (req.method() === "POST" && /\/api\/v1\/payments/.test(req.url())) {
      keysSent.push({ url: new URL(req.url()).pathname, key: req.headers()["idempotency-key"] });
    }
  });
}, 120_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) console.log(`keystrokes beyond the typed data: ${JSON.stringify(keystrokes)}`);
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("payments on the account page, keyboard only after sign-in", () => {
  it("a CSR takes a check payment by phone and sees balance, items and aging change", async () => {
    await signIn(page, "casey", TEST_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    const keys = countingKeyboard(page);
    await openAccount(keys, payer.number);
    await heading().getByText("Hargreave, Rosalind").waitFor();
    await expect.poll(summary).toBe("Balance$144.20Amount due$144.20Past due$60.00");

    await keys.press("p");
    const dialog = page.getByRole("dialog", { name: "Take a payment" });
    await dialog.waitFor();
    // The amount due is filled in and selected: typing replaces it.
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Amount" });
    expect(await dialog.getByRole("textbox", { name: "Amount" }).inputValue()).toBe("144.20");
    expect(await axeViolations(page)).toEqual([]);
    await keys.type("100");
    await keys.press("Tab"); // tender: check unless changed
    await keys.press("Tab");
    await keys.type("2071");
    await guideShot(dialog, "take-payment");
    await keys.press("Control+Enter");
    await dialog.getByText("Payment posted").waitFor();
    expect(await dialog.textContent()).toContain("$100.00 by Check #2071, payment 1. The balance is now $44.20.");
    await expect.poll(() => focused(page)).toMatchObject({ name: "Done" });
    const receipt = dialog.getByRole("link", { name: "Open the receipt (PDF)" });
    const pdf = await context.request.get((await receipt.getAttribute("href"))!);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "payment-posted");
    await keys.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    record("take a check payment by phone (from the search box)", keys);
    expect(keys.count).toBeLessThanOrEqual(8);

    // Oldest due first: January's $60.00 is paid, $40.00 of February's; nothing is past due now.
    await expect.poll(summary).toBe("Balance$44.20Amount due$44.20Past due$0.00");
    const aging = section().getByRole("table", { name: /^Aging of open items/ });
    expect(await cellsOf(aging.getByRole("row").nth(1))).toEqual(["$44.20", "$0.00", "$0.00", "$0.00", "$0.00"]);
    const items = section().getByRole("table", { name: "Open items, oldest due first" }).getByRole("row");
    await expect.poll(() => items.count()).toBe(2);
    expect(await cellsOf(items.nth(1))).toEqual([
      "Energy",
      "2026-02-01 to 2026-02-28",
      "2026-03-20",
      "$84.20",
      "$44.20",
    ]);
    expect(keysSent).toHaveLength(1);
    expect(keysSent[0]!.key).toMatch(/^[0-9a-f-]{32,36}$/);
  });

  it("shows the payment history: the CSR may transfer but not reverse", async () => {
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("payment history");
    await paletteShows(page, /^Payment history/);
    await keys.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Payments" });
    const history = section().getByRole("table", { name: "Payments, newest first" });
    const row = history.getByRole("row").nth(1);
    await row.waitFor();
    expect((await cellsOf(row)).slice(0, 5)).toEqual([
      "2026-03-02",
      "Check #2071Payment 1 · Phone · casey",
      "$100.00",
      "$100.00",
      "Posted",
    ]);
    expect(await history.getByRole("button", { name: "Transfer payment 1" }).count()).toBe(1);
    expect(await history.getByRole("button", { name: /^Reverse/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("transfers a payment posted to the wrong account, after confirming the account it goes to", async () => {
    // The back office posted Wendell Okafor's check to this account.
    await api(
      "POST",
      "/api/v1/payments",
      { account_id: payer.id, amount_cents: 3000, tender: { type: "check", check_number: "5120" }, channel: "mail" },
      { "idempotency-key": "backoffice-5120" },
    );
    await page.reload();
    await heading().getByText("Hargreave, Rosalind").waitFor();
    await expect.poll(summary).toBe("Balance$14.20Amount due$14.20Past due$0.00");
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("payment history");
    await paletteShows(page, /^Payment history/);
    await keys.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Payments" });
    await section().getByRole("button", { name: "Transfer payment 2" }).waitFor();
    await tabTo(keys, "Transfer payment 2");
    await keys.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Transfer a payment" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "To account number" });
    await keys.type(other.number);
    await keys.press("Tab"); // the amount: all of it, unless changed
    await keys.press("Tab");
    await keys.type("Posted to the wrong account: Okafor's check");
    await keys.press("Control+Enter");
    const confirm = dialog.getByRole("status");
    await confirm.getByText("Confirm the transfer").waitFor();
    expect(await confirm.textContent()).toContain(`to account ${other.number}, Okafor, Wendell`);
    await expect.poll(() => focused(page)).toMatchObject({ name: "Transfer $30.00" });
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "transfer-payment");
    await keys.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    const notice = page.getByTestId("payment-notice");
    expect(await notice.textContent()).toBe(`Moved $30.00 of payment 2 to account ${other.number}.`);
    await expect.poll(async () => (await focused(page)).name).toBe(await notice.textContent());
    record("transfer a payment to another account (from the account page)", keys);
    await expect.poll(summary).toBe("Balance$44.20Amount due$44.20Past due$0.00");
    const moved = await api("GET", `/api/v1/accounts/${other.id}/balances`);
    expect(moved.balance_cents).toBe(-3000);
    expect(keysSent.at(-1)?.url).toBe("/api/v1/payments/2/transfer");
  });

  it("a lead reverses the first payment as a returned check: the returned-payment fee appears", async () => {
    await page.keyboard.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await page.keyboard.type("sign out");
    await page.keyboard.press("Enter");
    await page.getByRole("textbox", { name: "Username" }).waitFor();
    await signIn(page, "lee", TEST_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    const keys = countingKeyboard(page);
    await openAccount(keys, payer.number);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("payment history");
    await paletteShows(page, /^Payment history/);
    await keys.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Payments" });
    await section().getByRole("button", { name: "Reverse payment 1" }).waitFor();
    await guideShot(section(), "payment-history");
    await tabTo(keys, "Reverse payment 1");
    await keys.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Reverse a payment" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Reason" });
    await keys.press("c"); // Check returned by the bank
    await dialog.getByText("A returned payment adds the returned-payment fee").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "reverse-payment");
    await keys.press("Control+Enter");
    await dialog.waitFor({ state: "hidden" });
    const notice = page.getByTestId("payment-notice");
    const said = (await notice.textContent()) ?? "";
    expect(said).toMatch(
      /^Payment 1 reversed \(Check returned by the bank\)\. A returned-payment fee of \$\d+\.\d\d was added\.$/,
    );
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    record("reverse a payment as a returned check (from the search box)", keys);

    const fee = (await api("GET", "/api/v1/payments/1")).reversal as { fee_cents: number };
    const balance = 14420 + fee.fee_cents;
    const dollars = (c: number) => `$${Math.trunc(c / 100)}.${String(c % 100).padStart(2, "0")}`;
    // The $100.00 comes back onto January's and February's bills, and the fee is a new item not yet due.
    await expect.poll(summary).toMatch(new RegExp(`^Balance\\${dollars(balance)}Amount due.*Past due\\$60\\.00$`));
    await page.keyboard.press("b");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Payments" });
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Open items (3)" });
    const items = section().getByRole("table", { name: "Open items, oldest due first" });
    expect(await items.getByRole("row", { name: /^Fee/ }).count()).toBe(1);
    expect(await cellsOf(items.getByRole("row", { name: /^Fee/ }))).toContain(dollars(fee.fee_cents));
    const history = section();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expect
      .poll(async () => cellsOf(history.getByRole("row", { name: /Check #2071/ })))
      .toContain("Reversed: Returned check");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("sends the same Idempotency-Key again when the answer was lost, and the money posts once", async () => {
    let dropped = false;
    await page.route("**/api/v1/payments", async (route) => {
      if (dropped) return route.continue();
      dropped = true;
      await route.fetch(); // the server posts the payment...
      await route.abort("connectionreset"); // ...but its answer never reaches the workstation
    });
    const before = keysSent.length;
    await page.keyboard.press("p");
    const dialog = page.getByRole("dialog", { name: "Take a payment" });
    await dialog.waitFor();
    await page.keyboard.type("12.34");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.type("2090");
    await page.keyboard.press("Control+Enter");
    await dialog.getByText("Not sure the payment was posted").waitFor();
    expect(await dialog.getByRole("textbox", { name: "Amount" }).getAttribute("readonly")).not.toBeNull();
    await page.keyboard.press("Control+Enter");
    await dialog.getByText("Payment posted").waitFor();
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await page.unroute("**/api/v1/payments");
    const sent = keysSent.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.key).toBe(sent[0]!.key);
    const history = (await api("GET", `/api/v1/accounts/${payer.id}/payments`)).payments as { total_cents: number }[];
    expect(history.filter((p) => p.total_cents === 1234)).toHaveLength(1);
  });

  it("after a second returned payment the account is cash only: a check is not offered by default", async () => {
    await api("POST", "/api/v1/payments/3/reversal", { reason: "nsf" }, { "idempotency-key": "return-payment-3" });
    await page.reload();
    await heading().getByText("Hargreave, Rosalind").waitFor();
    await page.getByTestId("cash-only").waitFor();
    await page.keyboard.press("p");
    const dialog = page.getByRole("dialog", { name: "Take a payment" });
    await dialog.getByText("it cannot pay by check or ACH").waitFor();
    expect(await dialog.getByRole("combobox", { name: "Tender" }).inputValue()).toBe("money_order");
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(pageErrors).toEqual([]);
  });
});
