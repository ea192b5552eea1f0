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
/** The customer whose account is adjusted. */
const customer = { id: 0, number: "" };
const pageErrors: string[] = [];
/** Idempotency-Key of every adjustment the workstation sent, in order. */
const keysSent: (string | undefined)[] = [];
/** Keys pressed beyond the typed data, per task. */
const keystrokes: Record<string, number> = {};

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const section = () => page.getByRole("region", { name: "Balance and items" });
const dialog = () => page.getByRole("dialog", { name: "Adjust the account" });
const summary = async () => (await page.getByTestId("balance-summary").textContent())?.replace(/\s+/g, " ");
const cellsOf = async (row: Locator) =>
  (await row.locator("th, td").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
const adjustmentRows = () =>
  section().getByRole("table", { name: "Adjustments, newest first" }).getByTestId("adjustment");
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

async function api(method: "GET" | "POST", url: string, payload?: object) {
  const res = await server.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

/** Opens the account from the search box with the keyboard: `/`, its number, Enter. */
async function openAccount(keys: ReturnType<typeof countingKeyboard>) {
  await keys.press("/");
  await keys.type(customer.number);
  await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
  await keys.press("Enter");
  await page.waitForURL(/\/accounts\/\d+$/);
  await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
  await heading().getByText("Hargreave, Rosalind").waitFor();
}

async function signOutAndIn(username: string) {
  await page.keyboard.press("Control+K");
  await page.getByRole("dialog", { name: "Command palette" }).waitFor();
  await page.keyboard.type("sign out");
  await page.keyboard.press("Enter");
  await page.getByRole("textbox", { name: "Username" }).waitFor();
  await signIn(page, username, TEST_PASSWORD);
  await heading().getByText("Find a customer").waitFor();
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  const users: [string, string, string][] = [
    ["casey", "Casey Rivera", "csr"],
    ["lee", "Lee Ortega", "lead"],
    ["cam", "Cam Duarte", "cashier"],
  ];
  for (const [username, display_name, role] of users) {
    await createUser(server.ctx, { username, display_name, password: TEST_PASSWORD, roles: [role] });
  }
  token = (await createToken(server.ctx, "lee", "seed")).token;
  const made = await api("POST", "/api/v1/customers", {
    party: { kind: "person", first_name: "Rosalind", last_name: "Hargreave" },
    account: { bill_cycle: "07" },
  });
  const account = made.account as { id: number; account_number: string };
  Object.assign(customer, { id: account.id, number: account.account_number });
  // January's bill is 20 days past due (business date 2026-03-02); February's is due on the 20th.
  await postCharge(server.ctx, {
    account_id: customer.id,
    category: "energy",
    amount_cents: 6000n,
    due_date: "2026-02-10",
    service_period: { from: "2026-01-01", to: "2026-01-31" },
    reference: "bill:2026-01",
  });
  await postCharge(server.ctx, {
    account_id: customer.id,
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
    // A refusal (422) and a dropped connection are logged by the browser: they are what the tests provoke.
    if (msg.type() === "error" && !/status of (401|404|422)|net::ERR_/.test(msg.text())) pageErrors.push(msg.text());
  });
  page.on("request", (req) => {
    if (req.method() === "POST" && /\/adjustments$/.test(req.url())) keysSent.push(req.headers()["idempotency-key"]);
  });
}, 120_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) console.log(`keystrokes beyond the typed data: ${JSON.stringify(keystrokes)}`);
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("adjustments on the account page, keyboard only after sign-in", () => {
  it("a CSR gives a $20 courtesy credit: the balance drops and the adjustment is listed", async () => {
    await signIn(page, "casey", TEST_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    const keys = countingKeyboard(page);
    await openAccount(keys);
    await expect.poll(summary).toBe("Balance$144.20Amount due$144.20Past due$60.00");

    await keys.press("a");
    await dialog().waitFor();
    // Credit is chosen and has focus: a courtesy credit is the usual adjustment.
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Credit" });
    expect(
      await dialog()
        .getByRole("radio", { name: /^Credit/ })
        .isChecked(),
    ).toBe(true);
    await dialog().getByText("Your limit for credits is $50.00").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Amount" });
    await keys.type("20");
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Reason" });
    // Only the reasons for a credit are offered.
    const reasons = await dialog().getByRole("combobox", { name: "Reason" }).locator("option").allTextContents();
    expect(reasons).toEqual([
      "Choose a reason (type its first letter)",
      "Courtesy credit",
      "Billing error",
      "Meter error",
      "Fee waived",
    ]);
    await keys.press("c"); // Courtesy credit
    await keys.press("Tab");
    await keys.type("Outage on Feb 27 ran past the promised time");
    expect(await dialog().getByRole("button", { name: "Credit $20.00" }).count()).toBe(1);
    await guideShot(dialog(), "adjust-account");
    await keys.press("Control+Enter");
    await dialog().waitFor({ state: "hidden" });

    // The dialog closes onto the account's adjustments, on the line saying what was done.
    const notice = page.getByTestId("adjustment-notice");
    const said = "Credit of $20.00 made (Courtesy credit), adjustment 1. The balance is now $124.20.";
    expect(await notice.textContent()).toBe(said);
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    record("give a courtesy credit with a note (from the search box)", keys);
    expect(keys.count).toBeLessThanOrEqual(9);

    await expect.poll(summary).toBe("Balance$124.20Amount due$124.20Past due$40.00");
    expect(await section().getByRole("tab", { name: "Adjustments" }).getAttribute("aria-selected")).toBe("true");
    await expect.poll(() => adjustmentRows().count()).toBe(1);
    expect(await cellsOf(adjustmentRows().first())).toEqual([
      "2026-03-02",
      "Credit",
      "$20.00",
      "Courtesy creditAdjustment 1 · GL 4090",
      "Outage on Feb 27 ran past the promised time",
      "casey",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "adjustments");

    // The credit was matched to the oldest due item: January's bill has $40.00 left.
    await page.keyboard.press("b");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Adjustments" });
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Open items (2)" });
    const items = section().getByRole("table", { name: "Open items, oldest due first" }).getByRole("row");
    await expect.poll(async () => cellsOf(items.nth(1))).toContain("$40.00");
    await page.keyboard.press("ArrowRight");
    const ledger = section().getByRole("table", { name: /^Ledger, newest first/ });
    await expect.poll(async () => (await ledger.textContent()) ?? "").toContain("Credit: Courtesy credit");
  });

  it("sends a $75 credit from a CSR for approval: nothing posts, and the account says it is waiting", async () => {
    const keys = countingKeyboard(page);
    await keys.press("a");
    await dialog().waitFor();
    await keys.press("Tab");
    await keys.type("75");
    await keys.press("Tab");
    await keys.press("c");
    // The button says what will happen before it is pressed.
    expect(await dialog().getByRole("button", { name: "Ask approval for $75.00" }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await keys.press("Control+Enter");
    await dialog().waitFor({ state: "hidden" });
    const said = "Waiting for approval by a lead: $75.00 courtesy credit";
    expect(await page.getByTestId("adjustment-notice").textContent()).toBe(said);
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    record("send a credit above the limit for approval", keys);
    await expect.poll(summary).toBe("Balance$124.20Amount due$124.20Past due$40.00");
    const waiting = section().getByTestId("approval-request");
    await expect.poll(() => waiting.count()).toBe(1);
    expect((await cellsOf(waiting.first())).slice(1)).toEqual([
      "Credit: Courtesy credit",
      "$75.00",
      "casey",
      "Waiting for approval",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    expect(((await api("GET", `/api/v1/accounts/${customer.id}/adjustments`)).adjustments as unknown[]).length).toBe(1);
  });

  it("offers only the reasons for a charge once Charge is chosen", async () => {
    await page.keyboard.press("a");
    await dialog().waitFor();
    await page.keyboard.press("ArrowRight");
    expect(
      await dialog()
        .getByRole("radio", { name: /^Charge/ })
        .isChecked(),
    ).toBe(true);
    await page.keyboard.press("Tab");
    await page.keyboard.type("15");
    await page.keyboard.press("Tab");
    await page.keyboard.press("s"); // Service fee
    const reason = dialog().getByRole("combobox", { name: "Reason" });
    expect(await reason.inputValue()).toBe("service_fee");
    expect(await reason.locator("option").allTextContents()).toEqual([
      "Choose a reason (type its first letter)",
      "Billing error",
      "Meter error",
      "Service fee",
    ]);
    // Back to a credit: a service fee is not a reason for one, so the reason must be chosen again.
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("ArrowLeft");
    expect(await reason.inputValue()).toBe("");
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "hidden" });
  });

  it("a lead makes the $75 credit", async () => {
    await signOutAndIn("lee");
    const keys = countingKeyboard(page);
    await openAccount(keys);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("adjust");
    await keys.press("Enter");
    await dialog().waitFor();
    await dialog().getByText("Your limit for credits is $500.00").waitFor();
    await keys.press("Tab");
    await keys.type("75");
    await keys.press("Tab");
    await keys.press("c");
    await keys.press("Tab");
    await keys.type("Approved for Casey: two outages this winter");
    await keys.press("Control+Enter");
    await dialog().waitFor({ state: "hidden" });
    const said = "Credit of $75.00 made (Courtesy credit), adjustment 2. The balance is now $49.20.";
    const notice = page.getByTestId("adjustment-notice");
    expect(await notice.textContent()).toBe(said);
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    record("make a credit above a CSR's limit as a lead (palette, from the search box)", keys);
    await expect.poll(summary).toBe("Balance$49.20Amount due$49.20Past due$0.00");
    await expect.poll(() => adjustmentRows().count()).toBe(2);
    expect(await cellsOf(adjustmentRows().first())).toEqual([
      "2026-03-02",
      "Credit",
      "$75.00",
      "Courtesy creditAdjustment 2 · GL 4090",
      "Approved for Casey: two outages this winter",
      "lee",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    // One fresh key per attempt: the one sent for approval, and each made adjustment.
    expect(keysSent).toHaveLength(3);
    expect(new Set(keysSent).size).toBe(3);
    for (const key of keysSent) expect(key).toMatch(/^[0-9a-f-]{32,36}$/);
  });

  it("sends the same Idempotency-Key again when the answer was lost, and the credit is made once", async () => {
    let dropped = false;
    await page.route("**/api/v1/accounts/*/adjustments", async (route) => {
      if (dropped || route.request().method() !== "POST") return route.continue();
      dropped = true;
      await route.fetch(); // the server makes the adjustment...
      await route.abort("connectionreset"); // ...but its answer never reaches the workstation
    });
    const before = keysSent.length;
    await page.keyboard.press("a");
    await dialog().waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.type("5");
    await page.keyboard.press("Tab");
    await page.keyboard.press("f"); // Fee waived
    await page.keyboard.press("Control+Enter");
    await dialog().getByText("Not sure the adjustment was made").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ name: "Send again" });
    expect(await dialog().getByRole("textbox", { name: "Amount" }).getAttribute("readonly")).not.toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Control+Enter");
    await dialog().waitFor({ state: "hidden" });
    await page.unroute("**/api/v1/accounts/*/adjustments");
    const sent = keysSent.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    const made = (await api("GET", `/api/v1/accounts/${customer.id}/adjustments`)).adjustments as {
      amount_cents: number;
    }[];
    expect(made.filter((a) => a.amount_cents === 500)).toHaveLength(1);
    await expect.poll(summary).toBe("Balance$44.20Amount due$44.20Past due$0.00");
  });

  it("a cashier, who may not adjust, has no Adjust button and `a` does nothing", async () => {
    await signOutAndIn("cam");
    await openAccount(countingKeyboard(page));
    await section()
      .getByRole("button", { name: /Take a payment/ })
      .waitFor();
    expect(
      await section()
        .getByRole("button", { name: /^Adjust/ })
        .count(),
    ).toBe(0);
    await page.keyboard.press("a");
    await page.waitForTimeout(300);
    expect(await dialog().count()).toBe(0);
    // The adjustments are still there to read.
    await page.keyboard.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await page.keyboard.type("adjustment history");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ role: "tab", name: "Adjustments" });
    await expect.poll(() => adjustmentRows().count()).toBe(3);
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
