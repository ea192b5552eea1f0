import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/cli/demo-users.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge, verifyLedger } from "../../src/modules/ledger/index.js";
import {
  axeViolations,
  countingKeyboard,
  focused,
  type LiveServer,
  launchChromium,
  signIn,
  startServer,
} from "../support/browser.js";

// A cashier's day at the counter, from the keyboard: open the drawer with a $100.00 float, take a cash payment
// (with change) and a check payment on an account, count the drawer $5.00 short and close it with a note; a
// supervisor signs it off.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let supervisorToken: string;
const payer = { id: 0, number: "" };
const pageErrors: string[] = [];
const keysSent: { url: string; key: string | undefined }[] = [];
const keystrokes: Record<string, number> = {};

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const text = async (target: Locator) => ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();
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

async function api(method: "GET" | "POST", url: string, payload?: object) {
  const res = await server.app.inject({
    method,
    url,
    payload,
    headers: { authorization: `Bearer ${supervisorToken}` },
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

/** Presses Tab until the element named `name` has focus. */
async function tabTo(keys: ReturnType<typeof countingKeyboard>, name: string, most = 12) {
  for (let i = 0; i < most; i++) {
    if ((await focused(page)).name === name) return;
    await keys.press("Tab");
  }
  expect((await focused(page)).name).toBe(name);
}

/** The palette's "Cash drawer" command. */
async function goToDrawer(keys: ReturnType<typeof countingKeyboard>) {
  await keys.press("Control+K");
  await page.getByRole("dialog", { name: "Command palette" }).waitFor();
  await keys.type("cash drawer");
  await keys.press("Enter");
  await page.waitForURL(/\/drawers$/);
  await heading().getByText("Cash drawer").waitFor();
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  // The demo's users, named after their roles as `npm start` seeds them.
  await createUser(server.ctx, {
    username: "cashier",
    display_name: "Demo cashier",
    password: DEMO_PASSWORD,
    roles: ["cashier"],
  });
  await createUser(server.ctx, {
    username: "supervisor",
    display_name: "Demo supervisor",
    password: DEMO_PASSWORD,
    roles: ["supervisor"],
  });
  supervisorToken = (await createToken(server.ctx, "supervisor", "setup")).token;
  const made = await api("POST", "/api/v1/customers", {
    party: { kind: "person", first_name: "Marisol", last_name: "Quintero" },
    account: { bill_cycle: "07" },
  });
  const account = made.account as { id: number; account_number: string };
  Object.assign(payer, { id: account.id, number: account.account_number });
  await postCharge(server.ctx, {
    account_id: payer.id,
    category: "energy",
    amount_cents: 14_420n,
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
    if (req.method() === "POST" && /\/api\/v1\/(payments|drawers)/.test(req.url())) {
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

describe("a cash drawer from open to sign-off, keyboard only after sign-in", () => {
  it("the cashier opens the drawer with a $100.00 float; a float of 12.345 is refused naming the field", async () => {
    await signIn(page, "cashier", DEMO_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    const keys = countingKeyboard(page);
    await goToDrawer(keys);
    const form = page.getByRole("form", { name: "Open a cash drawer" });
    await form.waitFor();
    await tabTo(keys, "Location");
    await keys.type("Counter 1");
    await keys.press("Tab");
    await keys.type("12.345");
    await keys.press("Enter");
    const float = form.getByRole("textbox", { name: "Float" });
    await expect.poll(() => float.getAttribute("aria-invalid")).toBe("true");
    expect(await text(form)).toContain("Dollars and cents, at most two decimals");
    expect(await axeViolations(page)).toEqual([]);
    expect(keysSent).toHaveLength(0);
    await keys.press("Control+A");
    await keys.type("100.00");
    await guideShot(form, "drawer-open-form");
    await keys.press("Enter");
    const drawer = page.getByRole("region", { name: "Drawer 1: Counter 1" });
    await drawer.waitFor();
    const totals = drawer.getByRole("table", { name: "Totals by tender" });
    expect(await cellsOf(totals.getByRole("row", { name: /^Cash/ }))).toEqual(["Cash", "0", "$0.00", "$100.00"]);
    record("open the drawer (from the home page)", keys);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("takes a cash payment with change, and a check payment, from the account page", async () => {
    const keys = countingKeyboard(page);
    await keys.press("/");
    await keys.type(payer.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await keys.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await heading().getByText("Quintero, Marisol").waitFor();

    await keys.press("p");
    const dialog = page.getByRole("dialog", { name: "Take a payment" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Amount" });
    const tender = dialog.getByRole("combobox", { name: "Tender" });
    // Cash is offered once the drawer is known; a cashier at the drawer takes payments at the counter.
    await dialog.getByRole("option", { name: "Cash" }).waitFor({ state: "attached" });
    expect(await dialog.getByRole("combobox", { name: "Received by" }).inputValue()).toBe("counter");
    await keys.type("60");
    await keys.press("Tab");
    await keys.press("c"); // Check -> Cash
    expect(await tender.inputValue()).toBe("cash");
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Cash tendered" });
    await keys.type("100");
    await expect.poll(() => text(dialog.getByTestId("change-due"))).toBe("Change due $40.00");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "drawer-cash-payment");
    await keys.press("Control+Enter");
    await dialog.getByText("Payment posted").waitFor();
    expect(await text(dialog)).toContain("$60.00 by Cash, payment 1. The balance is now $84.20. Change due $40.00.");
    await keys.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    record("take a cash payment with change (from the search box)", keys);

    const check = countingKeyboard(page);
    await check.press("p");
    await dialog.waitFor();
    await check.type("35.50");
    await check.press("Tab"); // the tender: Check unless changed
    await check.press("Tab");
    await check.type("4417");
    await check.press("Control+Enter");
    await dialog.getByText("Payment posted").waitFor();
    expect(await text(dialog)).toContain("$35.50 by Check #4417, payment 2.");
    await check.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    record("take a check payment at the drawer (on the account)", check);
  });

  it("shows the drawer's totals by tender and its payments", async () => {
    const keys = countingKeyboard(page);
    await goToDrawer(keys);
    const drawer = page.getByRole("region", { name: "Drawer 1: Counter 1" });
    const totals = drawer.getByRole("table", { name: "Totals by tender" });
    await expect
      .poll(() => cellsOf(totals.getByRole("row", { name: /^Cash/ })))
      .toEqual(["Cash", "1", "$60.00", "$160.00"]);
    expect(await cellsOf(totals.getByRole("row", { name: /^Checks/ }))).toEqual(["Checks", "1", "$35.50", "$35.50"]);
    expect(await cellsOf(totals.getByRole("row", { name: /^Cards/ }))).toEqual(["Cards", "0", "$0.00", "to the bank"]);
    expect(await cellsOf(totals.getByRole("row", { name: /^Expected/ }))).toContain("$195.50");
    const payments = drawer.getByRole("table", { name: "Payments in this drawer, newest first" }).getByRole("row");
    await expect.poll(() => payments.count()).toBe(3);
    expect(await cellsOf(payments.nth(1))).toEqual(["2", payer.number, "Check #4417", "$35.50", "Posted"]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "drawer-open");
  });

  it("closes the drawer $5.00 short: the over/short shows as typed, and a note is required", async () => {
    const keys = countingKeyboard(page);
    await keys.press("c");
    const dialog = page.getByRole("dialog", { name: "Close drawer 1" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Cash counted" });
    const overShort = dialog.getByTestId("over-short");
    await keys.type("155.00");
    await keys.press("Tab");
    await keys.type("35.50");
    await keys.press("Tab");
    await keys.type("1");
    await keys.press("Tab");
    await keys.type("0");
    await expect.poll(() => text(overShort)).toBe("Expected $195.50, counted $190.50: Short $5.00");
    // Without the note it is not sent.
    await keys.press("Control+Enter");
    const note = dialog.getByRole("textbox", { name: "Why is the drawer short?" });
    await expect.poll(() => note.getAttribute("aria-invalid")).toBe("true");
    expect(keysSent.filter((k) => k.url.endsWith("/close"))).toHaveLength(0);
    await tabTo(keys, "Why is the drawer short?");
    await keys.type("Short $5.00: recounted twice, a five given as change for a one");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "drawer-close");
    await keys.press("Control+Enter");
    await dialog.waitFor({ state: "hidden" });
    const closed = page.getByTestId("drawer-closed");
    await closed.waitFor();
    expect(await text(closed)).toBe(
      "Drawer 1 closed: short $5.00. Deposit $90.50 to the bank; the $100.00 float goes back to the change fund. " +
        "A supervisor signs it off.",
    );
    await expect.poll(async () => (await focused(page)).name).toBe(await text(closed));
    record("count and close the drawer (on the drawer page)", keys);
    for (const name of ["Drawer report 1 (PDF)", "Deposit slip 1 (PDF)"]) {
      const link = page.getByRole("main").getByRole("link", { name }).first();
      const pdf = await context.request.get((await link.getAttribute("href"))!);
      expect(pdf.headers()["content-type"]).toBe("application/pdf");
      expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    }
    // No drawer is open now: the form to open the next one is back.
    await page.getByRole("form", { name: "Open a cash drawer" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "drawer-closed");
    const close = keysSent.filter((k) => k.url.endsWith("/close"));
    expect(close).toHaveLength(1);
    expect(close[0]!.key).toMatch(/^[0-9a-f-]{32,36}$/);
  });

  it("the supervisor sees it awaiting sign-off with its shortage, and signs it off with a note", async () => {
    await page.keyboard.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await page.keyboard.type("sign out");
    await page.keyboard.press("Enter");
    await page.getByRole("textbox", { name: "Username" }).waitFor();
    await signIn(page, "supervisor", DEMO_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    const keys = countingKeyboard(page);
    await goToDrawer(keys);
    const queue = page.getByRole("region", { name: "Drawers awaiting sign-off" });
    const row = queue.getByRole("row", { name: /Demo cashier/ });
    await row.waitFor();
    const cells = await cellsOf(row);
    expect(cells.slice(0, 7)).toEqual([
      "1",
      "2026-03-02",
      "Demo cashier",
      "Counter 1",
      "$195.50",
      "Short $5.00",
      "Short $5.00: recounted twice, a five given as change for a one",
    ]);
    const report = queue.getByRole("link", { name: "Report of drawer 1" });
    const pdf = await context.request.get((await report.getAttribute("href"))!);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(queue, "drawer-sign-off-queue");
    await tabTo(keys, "Sign off drawer 1", 20);
    await keys.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Sign off drawer 1" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Note" });
    await keys.type("Recounted with the cashier: short confirmed");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "drawer-sign-off");
    await keys.press("Control+Enter");
    await dialog.waitFor({ state: "hidden" });
    const notice = page.getByTestId("sign-off-notice");
    expect(await text(notice)).toBe("Drawer 1 (Demo cashier) signed off: short $5.00.");
    await expect.poll(async () => (await focused(page)).name).toBe(await text(notice));
    await queue.getByText("No closed drawers are waiting.").waitFor();
    record("sign off a drawer (from the home page)", keys);
    expect(await axeViolations(page)).toEqual([]);

    const d = await api("GET", "/api/v1/drawers/1");
    expect(d).toMatchObject({
      status: "signed_off",
      over_short_cents: -500,
      deposit_cents: 9_050,
      signed_off_by: "supervisor",
      sign_off_note: "Recounted with the cashier: short confirmed",
    });
    expect((await verifyLedger(server.ctx)).violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("the supervisor downloads the day's GL summary from the palette: the shortage and the deposit are in it", async () => {
    await page.keyboard.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await page.keyboard.type("gl summary");
    const download = page.waitForEvent("download");
    await page.keyboard.press("Enter");
    const file = await download;
    expect(file.suggestedFilename()).toBe("gl-summary-2026-03-02.csv");
    const csv = readFileSync((await file.path())!, "utf8").split("\r\n");
    expect(csv[0]).toBe(
      "business_date,gl_account,gl_name,gl_type,debit,credit,net,debit_cents,credit_cents,net_cents,postings",
    );
    // The drawer nets to zero; the $5.00 shortage is an expense; the float went back to the change fund.
    expect(csv.find((l) => l.startsWith("2026-03-02,1010,"))).toMatch(/,0\.00,\d+,\d+,0,\d+$/);
    expect(csv.find((l) => l.startsWith("2026-03-02,6200,"))).toBe(
      "2026-03-02,6200,Cash over and short,expense,5.00,0.00,5.00,500,0,500,1",
    );
    expect(csv.find((l) => l.startsWith("2026-03-02,1000,"))).toMatch(/,0\.00,\d+,\d+,0,\d+$/);
    expect(pageErrors).toEqual([]);
  });
});
