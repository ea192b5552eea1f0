import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/cli/demo-users.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge } from "../../src/modules/ledger/index.js";
import { accountNumberProblem, offWords, readAmount } from "../../web/src/routes/batches/amount.js";
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

// A back-office cashier keys a stack of three mailed checks against the adding-machine tape, with the keyboard alone:
// one account number with a wrong check digit (caught as typed) is corrected, one amount is mistyped (the batch will
// not post and says by how much it is off) and corrected, and the batch posts.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** A lead's token, to set up customers; the cashier's, to check what the API says. */
let setupToken: string;
let cashierToken: string;
const pageErrors: string[] = [];
/** Every mouse click the page saw: there must be none. */
let clicks = 0;
const accounts: { id: number; number: string; name: string }[] = [];

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const status = () => page.getByTestId("batch-status");
const keyingRow = () => page.getByRole("region", { name: "Key a payment" });
const accountField = () => keyingRow().getByRole("textbox", { name: "Account number" });
const rows = () => page.getByRole("table", { name: "Rows keyed" }).getByTestId("batch-row");
const text = async (target: Locator) => ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();

/** A picture for the guide (in .tmp/screenshots, copied to docs/guide/img). */
async function guideShot(target: Locator, name: string) {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
}

async function api(method: "GET" | "POST", url: string, token: string, payload?: object, extra = {}) {
  return server.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}`, ...extra } });
}

const balanceOf = async (accountId: number) =>
  (await api("GET", `/api/v1/accounts/${accountId}/balances`, cashierToken)).json().balance_cents as number;

/** The same number with its check digit wrong. */
const wrongDigit = (number: string) => `${number.slice(0, 9)}${(Number(number[9]) + 3) % 10}`;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  // The demo's cashier: named after the role, as `npm start` seeds it.
  await createUser(server.ctx, {
    username: "cashier",
    display_name: "Demo cashier",
    password: DEMO_PASSWORD,
    roles: ["cashier"],
  });
  await createUser(server.ctx, {
    username: "lee",
    display_name: "Lee Ortega",
    password: TEST_PASSWORD,
    roles: ["lead"],
  });
  setupToken = (await createToken(server.ctx, "lee", "setup")).token;
  cashierToken = (await createToken(server.ctx, "cashier", "checks")).token;
  for (const [first, last] of [
    ["Imogen", "Fairweather"],
    ["Tobias", "Quenneville"],
    ["Adaeze", "Okonjo"],
  ] as const) {
    const res = await api("POST", "/api/v1/customers", setupToken, {
      party: { kind: "person", first_name: first, last_name: last },
      account: { bill_cycle: "07" },
    });
    if (res.statusCode !== 201) throw new Error(`customer: ${res.statusCode} ${res.body}`);
    const account = res.json().account as { id: number; account_number: string };
    accounts.push({ id: account.id, number: account.account_number, name: `${last}, ${first}` });
    await postCharge(server.ctx, {
      account_id: account.id,
      category: "energy",
      amount_cents: 30_000n,
      due_date: "2026-03-20",
      reference: `bill:${account.id}`,
    });
  }
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404|422)|net::ERR_/.test(msg.text())) pageErrors.push(msg.text());
  });
  await page.exposeFunction("countClick", () => {
    clicks++;
  });
  await page.addInitScript(() => {
    document.addEventListener("mousedown", () => (window as unknown as { countClick(): void }).countClick(), true);
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("a payment batch keyed on the 10-key pad, keyboard only", () => {
  let batchId = 0;

  it("a cashier opens the batches from the palette and a new batch from the tape's count and total", async () => {
    await signIn(page, "cashier", DEMO_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    const keys = countingKeyboard(page);
    // The header links to the batches for those who key them.
    expect(
      await page.getByRole("navigation", { name: "Workstation" }).getByRole("link", { name: "Batches" }).count(),
    ).toBe(1);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("payment batches");
    await keys.press("Enter");
    await page.waitForURL(/\/batches$/);
    await heading().getByText("Payment batches").waitFor();
    await page.getByText("No open batches").waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await keys.press("n");
    const dialog = page.getByRole("dialog", { name: "New payment batch" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Control count" });
    await keys.type("3");
    await keys.press("Tab");
    await keys.type("450.75");
    await keys.press("Tab"); // Tender: checks unless changed
    await keys.press("Tab");
    await keys.type("Monday's mail");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "payment-batch-new");
    await keys.press("Enter");
    await page.waitForURL(/\/batches\/\d+$/);
    batchId = Number(new URL(page.url()).pathname.split("/").pop());
    await heading().getByText(`Batch ${batchId}: Monday's mail`).waitFor();
    // Straight to keying: the cursor is in Account number.
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Account number" });
    expect(await text(status())).toBe("Keyed 0 of 3, $0.00 of $450.75, difference $450.75");
    expect(await page.getByTestId("control-total").textContent()).toBe("$450.75");
  });

  it("keys the rows: Enter moves on, a wrong check digit is flagged as typed and corrected", async () => {
    const keys = countingKeyboard(page);
    const [first, second, third] = accounts as [(typeof accounts)[0], (typeof accounts)[0], (typeof accounts)[0]];

    // Row 1: the name shows beside the number, Enter moves to Amount, Enter adds the row.
    await keys.type(first.number);
    await expect.poll(() => text(page.getByTestId("account-glance"))).toBe(first.name);
    await keys.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Amount" });
    // Three decimals are refused, naming the field; dollars, with cents after a point (no implied decimals).
    await keys.type("125.505");
    await keys.press("Enter");
    await keyingRow().getByText("At most two decimals: dollars and cents").waitFor();
    expect(await focused(page)).toMatchObject({ name: "Amount" });
    await keys.press("Backspace", 2);
    await keys.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Account number" });
    expect(await accountField().inputValue()).toBe("");

    // Row 2: the tenth digit is wrong; the field says so at once, before Enter.
    await keys.type(wrongDigit(second.number));
    await expect.poll(() => accountField().getAttribute("aria-invalid")).toBe("true");
    await keyingRow().getByText("Check digit does not match").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(keyingRow(), "payment-batch-check-digit");
    await keys.press("Enter"); // refused: the cursor stays
    expect(await focused(page)).toMatchObject({ name: "Account number" });
    await keys.press("Backspace");
    await keys.type(second.number.slice(9));
    await expect.poll(() => accountField().getAttribute("aria-invalid")).not.toBe("true");
    await expect.poll(() => text(page.getByTestId("account-glance"))).toBe(second.name);
    await keys.press("Enter");
    await keys.type("200");
    await keys.press("Enter");

    // Row 3: the amount is mistyped ($115.00 for $125.25).
    await expect.poll(() => focused(page)).toMatchObject({ name: "Account number" });
    await keys.type(third.number);
    await keys.press("Enter");
    await keys.type("115");
    await keys.press("Enter");
    await expect.poll(() => rows().count()).toBe(3);
    await expect.poll(() => text(status())).toBe("Keyed 3 of 3, $440.50 of $450.75, difference $10.25");

    // A check keyed twice: ArrowDown to the newest row, Delete, Esc back to keying.
    await keys.type(third.number);
    await keys.press("Enter");
    await keys.type("115");
    await keys.press("Enter");
    await expect.poll(() => text(status())).toBe("Keyed 4 of 3, $555.50 of $450.75, difference -$104.75");
    await expect.poll(() => rows().count()).toBe(4);
    await keys.press("ArrowDown");
    await expect.poll(async () => (await focused(page)).name).toContain("Row 4:");
    await keys.press("Delete");
    await expect.poll(() => rows().count()).toBe(3);
    await expect.poll(async () => (await focused(page)).name).toContain("Row 3:");
    await keys.press("Escape");
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Account number" });
    expect(await text(rows().nth(0))).toContain(`3${third.number}${third.name}$115.00`);
    expect(await text(rows().nth(2))).toContain(`1${first.number}${first.name}$125.50`);
  });

  it("will not post out of balance: it says by how much, and so does the API", async () => {
    const keys = countingKeyboard(page);
    const post = page.getByRole("button", { name: /Post the batch/ });
    expect(await post.isDisabled()).toBe(true);
    expect(await text(page.getByTestId("post-off"))).toBe("Cannot post yet: $10.25 short of the control total");
    await keys.press("Control+Enter");
    const refused = page.getByTestId("post-refused");
    await refused.waitFor();
    expect(await text(refused)).toBe("Not postedThe batch is out of balance: $10.25 short of the control total.");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "payment-batch-out-of-balance");

    const res = await api("POST", `/api/v1/payment-batches/${batchId}/post`, cashierToken, undefined, {
      "idempotency-key": `e2e-out-of-balance-${batchId}`,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      rule: "batches.out_of_balance",
      count_difference: 0,
      total_difference_cents: 1025,
    });
    for (const a of accounts) expect(await balanceOf(a.id)).toBe(30_000);
  });

  it("corrects the amount from the rows table and posts with Ctrl+Enter; the balances change", async () => {
    const keys = countingKeyboard(page);
    await keys.press("ArrowDown"); // from Account number to the newest row
    await expect.poll(async () => (await focused(page)).tag).toBe("tr");
    expect((await focused(page)).name).toContain(`Row 3: ${accounts[2]!.number}`);
    await keys.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Correct row 3" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ name: "Account number" });
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ name: "Amount" });
    await keys.type("125.25");
    expect(await axeViolations(page)).toEqual([]);
    await keys.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => text(status())).toBe("Keyed 3 of 3, $450.75 of $450.75, difference $0.00 — balanced");
    await expect.poll(async () => (await focused(page)).tag).toBe("tr");
    expect(await page.getByRole("button", { name: /Post the batch/ }).isDisabled()).toBe(false);
    await guideShot(page.getByRole("main"), "payment-batch-balanced");

    await keys.press("Control+Enter");
    const posted = page.getByTestId("batch-posted");
    await posted.waitFor();
    expect(await text(posted)).toContain("3 mail payments, $450.75, posted by cashier");
    await expect.poll(async () => (await focused(page)).name).toContain("Posted");
    await expect.poll(() => keyingRow().count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "payment-batch-posted");

    // Each account's balance is down by its payment.
    expect(await balanceOf(accounts[0]!.id)).toBe(30_000 - 12_550);
    expect(await balanceOf(accounts[1]!.id)).toBe(30_000 - 20_000);
    expect(await balanceOf(accounts[2]!.id)).toBe(30_000 - 12_525);
    const batch = (await api("GET", `/api/v1/payment-batches/${batchId}`, cashierToken)).json();
    expect(batch).toMatchObject({ status: "posted", keyed_count: 3, keyed_total_cents: 45_075, posted_by: "cashier" });
    expect(batch.rows.every((r: { payment_id: number | null }) => r.payment_id !== null)).toBe(true);
  });

  it("lists the posted batch on the desk, and nothing was done with the mouse", async () => {
    await page.keyboard.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await page.keyboard.type("payment batches");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/batches$/);
    const row = page.getByTestId("batch");
    await row.first().waitFor();
    expect(await text(row.first())).toContain(`Batch ${batchId}: Monday's mail`);
    expect(await text(row.first())).toContain("posted");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "payment-batches");
    expect(clicks).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

describe("amounts and account numbers as the keying page reads them", () => {
  it("reads dollars with an optional point, no implied decimals, and refuses a third decimal", () => {
    expect(readAmount("125.5")).toEqual({ cents: 12_550n });
    expect(readAmount("125.50")).toEqual({ cents: 12_550n });
    expect(readAmount("12550")).toEqual({ cents: 1_255_000n });
    expect(readAmount("$1,250.05")).toEqual({ cents: 125_005n });
    expect(readAmount(".75")).toEqual({ cents: 75n });
    expect(readAmount("125.")).toEqual({ cents: 12_500n });
    expect(readAmount("125.505")).toEqual({ error: "At most two decimals: dollars and cents" });
    for (const bad of ["", "0", "0.00", "12,34", "1.2.3", "-5", "abc"]) expect(readAmount(bad)).toHaveProperty("error");
  });

  it("flags a wrong check digit as soon as the tenth digit is in, a short number only on Enter", () => {
    expect(accountNumberProblem("123456789", false)).toBeNull();
    expect(accountNumberProblem("123456789", true)).toBe("10 digits");
    expect(accountNumberProblem("1234567897", false)).toBeNull();
    expect(accountNumberProblem("1234567890", false)).toBe("Check digit does not match");
    expect(offWords(1, 1025n)).toEqual(["1 payment still to key", "$10.25 short of the control total"]);
    expect(offWords(-2, -500n)).toEqual(["2 payments more than the control count", "$5.00 over the control total"]);
  });
});
