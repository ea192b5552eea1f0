import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge, postCredit } from "../../src/modules/ledger/index.js";
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
/** API tokens by username. */
const tokens: Record<string, string> = {};
/** The customer whose courtesy credit waits for approval, and the one refunded an overpayment. */
const owes = { id: 0, number: "" };
const overpaid = { id: 0, number: "" };
const pageErrors: string[] = [];
const keystrokes: Record<string, number> = {};

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const section = () => page.getByRole("region", { name: "Balance and items" });
const adjustDialog = () => page.getByRole("dialog", { name: "Adjust the account" });
const refundDialog = () => page.getByRole("dialog", { name: "Refund the credit balance" });
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

async function api(user: string, method: "GET" | "POST", url: string, payload?: object, key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[user]}` };
  if (key) headers["idempotency-key"] = key;
  const res = await server.app.inject({ method, url, payload, headers });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
}

/** Opens an account from the search box with the keyboard: `/`, its number, Enter. */
async function openAccount(keys: ReturnType<typeof countingKeyboard>, who: { number: string }, name: string) {
  await keys.press("/");
  await keys.type(who.number);
  await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
  await keys.press("Enter");
  await page.waitForURL(/\/accounts\/\d+$/);
  await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
  await heading().getByText(name).waitFor();
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

async function newCustomer(first: string, last: string, into: { id: number; number: string }) {
  const made = (
    await api("lee", "POST", "/api/v1/customers", {
      party: {
        kind: "person",
        first_name: first,
        last_name: last,
        mailing_address: { line1: "48 Alder Way", city: "Davis", state: "CA", zip: "95616" },
      },
      account: { bill_cycle: "07" },
    })
  ).json() as { account: { id: number; account_number: string } };
  Object.assign(into, { id: made.account.id, number: made.account.account_number });
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  const users: [string, string, string][] = [
    ["casey", "Casey Rivera", "csr"],
    ["lee", "Lee Ortega", "lead"],
    ["sam", "Sam Whitfield", "supervisor"],
  ];
  for (const [username, display_name, role] of users) {
    await createUser(server.ctx, { username, display_name, password: TEST_PASSWORD, roles: [role] });
    tokens[username] = (await createToken(server.ctx, username, "seed")).token;
  }
  await newCustomer("Rosalind", "Hargreave", owes);
  await newCustomer("Tobias", "Quill", overpaid);
  await postCharge(server.ctx, {
    account_id: owes.id,
    category: "energy",
    amount_cents: 14_420n,
    due_date: "2026-03-20",
    service_period: { from: "2026-02-01", to: "2026-02-28" },
    reference: "bill:2026-02",
  });
  // Paid twice: $45.00 is left as a credit balance.
  await postCredit(server.ctx, {
    account_id: overpaid.id,
    kind: "payment",
    amount_cents: 4_500n,
    reference: "payment:duplicate",
  });
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404|422)|net::ERR_/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) console.log(`keystrokes beyond the typed data: ${JSON.stringify(keystrokes)}`);
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("approvals and refunds, keyboard only after sign-in", () => {
  it("a CSR's $120.00 courtesy credit waits for a lead: the balance stays as it was", async () => {
    await signIn(page, "casey", TEST_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    // A CSR decides no approvals: no link to the queue.
    expect(await page.getByRole("link", { name: /^Approvals/ }).count()).toBe(0);
    const keys = countingKeyboard(page);
    await openAccount(keys, owes, "Hargreave, Rosalind");
    await expect.poll(summary).toBe("Balance$144.20Amount due$144.20Past due$0.00");

    await keys.press("a");
    await adjustDialog().waitFor();
    await adjustDialog().getByText("Your limit for credits is $50.00; a larger one waits for approval").waitFor();
    await keys.press("Tab");
    // Three decimals is not an amount: refused at the field, nothing sent.
    await keys.type("12.345");
    await keys.press("Tab");
    await keys.press("c");
    await keys.press("Control+Enter");
    const amount = adjustDialog().getByRole("textbox", { name: "Amount" });
    await expect.poll(() => amount.getAttribute("aria-invalid")).toBe("true");
    await adjustDialog().getByText("An amount in dollars and cents, like 20.00").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Amount" });
    await keys.type("120");
    await keys.press("Tab");
    await keys.press("Tab");
    await keys.type("Two outages this winter");
    expect(await adjustDialog().getByRole("button", { name: "Ask approval for $120.00" }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(adjustDialog(), "adjustment-for-approval");
    await keys.press("Control+Enter");
    await adjustDialog().waitFor({ state: "hidden" });

    const said = "Waiting for approval by a lead: $120.00 courtesy credit";
    expect(await page.getByTestId("adjustment-notice").textContent()).toBe(said);
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    record("send a $120.00 courtesy credit for approval (from the search box)", keys);
    // Nothing posted.
    await expect.poll(summary).toBe("Balance$144.20Amount due$144.20Past due$0.00");
    const waiting = section().getByTestId("approval-request");
    await expect.poll(() => waiting.count()).toBe(1);
    expect((await cellsOf(waiting.first())).slice(1)).toEqual([
      "Credit: Courtesy credit: Two outages this winter",
      "$120.00",
      "casey",
      "Waiting for approval",
    ]);
    expect(await section().getByTestId("adjustment").count()).toBe(0);
    const timeline = page.getByRole("region", { name: "Activity" });
    await expect
      .poll(async () => (await timeline.textContent()) ?? "")
      .toContain("Credit of $120.00 waiting for approval");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "adjustment-waiting");
  });

  it("a CSR refunds $30.00 of a $45.00 credit balance by check; more than the credit is refused", async () => {
    const keys = countingKeyboard(page);
    await openAccount(keys, overpaid, "Quill, Tobias");
    await expect.poll(summary).toContain("Balance-$45.00");
    await keys.press("r");
    await refundDialog().waitFor();
    // The whole credit is filled in, selected: typing replaces it.
    const amount = refundDialog().getByRole("textbox", { name: "Amount" });
    expect(await amount.inputValue()).toBe("45.00");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Amount" });
    await keys.type("50");
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "input", name: /^Check/ });
    await keys.press("Tab");
    await keys.press("o"); // Overpayment
    await keys.press("Control+Enter");
    await refundDialog().getByText("At most the credit balance, $45.00").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Amount" });
    await keys.type("30");
    await keys.press("Tab");
    await keys.press("Tab");
    await keys.press("Tab");
    await keys.type("Paid February twice");
    await refundDialog().getByText("To Quill, Tobias, 48 Alder Way, Davis, CA 95616").waitFor();
    expect(await refundDialog().getByRole("button", { name: "Refund $30.00" }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(refundDialog(), "refund-credit-balance");
    await keys.press("Control+Enter");
    await refundDialog().waitFor({ state: "hidden" });
    const said = "Refund of $30.00 by check to Quill, Tobias made, refund 1. The balance is now -$15.00.";
    expect(await page.getByTestId("adjustment-notice").textContent()).toBe(said);
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    record("refund part of a credit balance by check (from the search box)", keys);
    await expect.poll(summary).toContain("Balance-$15.00");
    const refunds = section().getByTestId("refund");
    await expect.poll(() => refunds.count()).toBe(1);
    expect(await cellsOf(refunds.first())).toEqual([
      "2026-03-02",
      "Check to Quill, TobiasRefund 1 · 48 Alder Way, Davis, CA 95616",
      "$30.00",
      "OverpaymentPaid February twice",
      "casey",
      "Posted",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "refunds");

    // The refund register for accounts payable has it.
    const csv = (await api("sam", "GET", "/api/v1/refunds/register.csv?from=2026-03-02")).body;
    expect(csv.split("\r\n")).toContain(
      `1,2026-03-02,${overpaid.number},"Quill, Tobias","48 Alder Way, Davis, CA 95616",check,,30.00,3000,` +
        "Overpayment,casey,",
    );
  });

  it("the lead approves the credit with a note from the Approvals page; the balance shows it", async () => {
    // A second request, made through the API, to reject.
    await api(
      "casey",
      "POST",
      `/api/v1/accounts/${overpaid.id}/adjustments`,
      { kind: "credit", amount_cents: 8_000, reason_code: "courtesy_credit", note: "asked for a goodwill credit" },
      "e2e-approvals-second-request",
    );
    await signOutAndIn("lee");
    const nav = page.getByRole("link", { name: /^Approvals/ });
    await expect.poll(async () => (await nav.textContent()) ?? "").toContain("2 waiting for you");
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("approvals");
    await keys.press("Enter");
    await page.waitForURL(/\/approvals$/);
    await heading().getByText("Approvals").waitFor();
    const rows = page.getByTestId("approval-row");
    await expect.poll(() => rows.count()).toBe(2);
    // The oldest request has the cursor.
    await expect
      .poll(async () => (await focused(page)).name)
      .toMatch(/^Credit of \$120\.00 on account \d{10}, Hargreave, Rosalind: Courtesy credit: Two outages/);
    expect((await cellsOf(rows.first())).slice(1)).toEqual([
      `${owes.number}Hargreave, Rosalind`,
      "Credit",
      "$120.00",
      "Courtesy credit: Two outages this winter",
      "casey",
      "ApproveReject",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "approvals-queue");

    await keys.press("a");
    const approveDialog = page.getByRole("dialog", { name: "Approve the request" });
    await approveDialog.waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Note (optional)" });
    await keys.type("Two outages: approved");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(approveDialog, "approve-request");
    await keys.press("Enter");
    await approveDialog.waitFor({ state: "hidden" });
    const notice = page.getByTestId("approval-notice");
    const said =
      `Approved: credit of $120.00 on account ${owes.number} (Hargreave, Rosalind), asked by casey, posted. ` +
      "The balance is now $24.20.";
    await expect.poll(() => notice.textContent()).toBe(said);
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    record("approve a credit with a note (from any page)", keys);
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(async () => (await nav.textContent()) ?? "").toContain("1 waiting for you");
  });

  it("rejecting needs a note saying why; then nothing posts", async () => {
    const keys = countingKeyboard(page);
    await keys.press("r");
    const rejectDialog = page.getByRole("dialog", { name: "Reject the request" });
    await rejectDialog.waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Why it is rejected" });
    await keys.press("Enter");
    const note = rejectDialog.getByRole("textbox", { name: "Why it is rejected" });
    await expect.poll(() => note.getAttribute("aria-invalid")).toBe("true");
    await rejectDialog.getByText("Say why it is rejected").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await keys.type("One goodwill credit a year");
    await keys.press("Enter");
    await rejectDialog.waitFor({ state: "hidden" });
    await expect
      .poll(() => page.getByTestId("approval-notice").textContent())
      .toBe(
        `Rejected: credit of $80.00 on account ${overpaid.number} (Quill, Tobias), asked by casey. Nothing was posted.`,
      );
    record("reject a request (a note required)", keys);
    // The dialog is gone once its closing transition ends.
    await expect.poll(() => page.locator("[role=dialog]").count()).toBe(0);
    await page.getByText("Nothing is waiting for approval.").waitFor();
    expect(await page.getByTestId("approvals-badge").count()).toBe(0);
    const balances = (await api("lee", "GET", `/api/v1/accounts/${overpaid.id}/balances`)).json();
    expect(balances.balance_cents).toBe(-1_500);
  });

  it("the account shows the approved credit, made by the CSR and approved by the lead", async () => {
    const keys = countingKeyboard(page);
    await openAccount(keys, owes, "Hargreave, Rosalind");
    await expect.poll(summary).toBe("Balance$24.20Amount due$24.20Past due$0.00");
    await page.keyboard.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await page.keyboard.type("adjustment history");
    await page.keyboard.press("Enter");
    const made = section().getByTestId("adjustment");
    await expect.poll(() => made.count()).toBe(1);
    expect(await cellsOf(made.first())).toEqual([
      "2026-03-02",
      "Credit",
      "$120.00",
      "Courtesy creditAdjustment 1 · GL 4090",
      "Two outages this winter",
      "caseyapproved by lee",
    ]);
    const request = section().getByTestId("approval-request");
    expect((await cellsOf(request.first())).at(-1)).toBe("Approved by leeTwo outages: approved");
    const timeline = page.getByRole("region", { name: "Activity" });
    await expect.poll(async () => (await timeline.textContent()) ?? "").toContain("Credit of $120.00 approved");
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
