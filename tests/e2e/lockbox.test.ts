import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isValidAccountNumber } from "../../src/core/account-number.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge } from "../../src/modules/ledger/index.js";
import { lockboxCsv } from "../../src/modules/payments/lockbox/write.js";
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
const files = path.join(repo, ".tmp/e2e-lockbox");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
/** Rosalind Hargreave owes $84.20; Wendell Okafor pays exactly. */
const owes = { id: 0, number: "" };
const pays = { id: 0, number: "" };
const pageErrors: string[] = [];
const keystrokes: Record<string, number> = {};

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
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

async function newAccount(first: string, last: string) {
  const made = await api("POST", "/api/v1/customers", {
    party: { kind: "person", first_name: first, last_name: last },
    account: { bill_cycle: "07" },
  });
  const account = made.account as { id: number; account_number: string };
  return { id: account.id, number: account.account_number };
}

/** The number with two neighbouring digits swapped, failing its check digit as a misread stub would. */
function swapped(number: string): string {
  for (let i = 0; i + 1 < number.length; i++) {
    const s = number.slice(0, i) + number[i + 1] + number[i] + number.slice(i + 2);
    if (s !== number && !isValidAccountNumber(s)) return s;
  }
  throw new Error(`no swap of ${number} fails the check digit`);
}

/** A well-formed account number no account has. */
function unknownNumber(taken: string[]): string {
  for (let base = 555_000_001; ; base++) {
    for (let d = 0; d <= 9; d++) {
      const n = `${base}${d}`;
      if (isValidAccountNumber(n) && !taken.includes(n)) return n;
    }
  }
}

/** Writes a file for the file chooser. */
function lockboxFile(name: string, text: string) {
  mkdirSync(files, { recursive: true });
  const file = path.join(files, name);
  writeFileSync(file, text);
  return file;
}

/** Presses Tab until the element named `name` has focus. */
async function tabTo(keys: ReturnType<typeof countingKeyboard>, name: string, most = 8) {
  for (let i = 0; i < most; i++) {
    if ((await focused(page)).name === name) return;
    await keys.press("Tab");
  }
  expect((await focused(page)).name).toBe(name);
}

/** The file the next file chooser picks (the page's chooser handler is set up once, before any opens). */
let nextFile = "";

/** Chooses a file from the keyboard: `u` puts focus on the file field, Enter opens the chooser. */
async function chooseFile(keys: ReturnType<typeof countingKeyboard>, file: string) {
  nextFile = file;
  await keys.press("u");
  await expect.poll(async () => (await focused(page)).name).toMatch(/^Lockbox file/);
  await keys.press("Enter");
  await page.locator("[data-lockbox-file]").getByText(path.basename(file)).waitFor();
}

const countOf = async (url: string, field: string) => ((await api("GET", url))[field] as unknown[]).length;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "lee",
    display_name: "Lee Ortega",
    password: TEST_PASSWORD,
    roles: ["lead"],
  });
  token = (await createToken(server.ctx, "lee", "seed")).token;
  Object.assign(owes, await newAccount("Rosalind", "Hargreave"));
  Object.assign(pays, await newAccount("Wendell", "Okafor"));
  await postCharge(server.ctx, {
    account_id: owes.id,
    category: "energy",
    amount_cents: 8420n,
    due_date: "2026-03-20",
    service_period: { from: "2026-02-01", to: "2026-02-28" },
    reference: "bill:2026-02",
  });
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1360, height: 1000 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  // Listening from the start: Playwright intercepts file choosers only once a listener is there, and turning that on
  // while the key that opens one is pressed is a race.
  page.on("filechooser", (chooser) => void chooser.setFiles(nextFile));
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (400|401|404)|net::ERR_/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) console.log(`keystrokes beyond the typed data: ${JSON.stringify(keystrokes)}`);
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("the lockbox page, keyboard only after sign-in", () => {
  it("a lead imports the bank's file and watches the progress bar to the outcome", async () => {
    const unknown = unknownNumber([owes.number, pays.number]);
    const csv = lockboxCsv("2026-03-02", [
      { accountNumber: pays.number, amountCents: 5000n, checkNumber: "4410", remitter: "Wendell Okafor" },
      { accountNumber: swapped(owes.number), amountCents: 8420n, checkNumber: "1187", remitter: null },
      { accountNumber: unknown, amountCents: 1234n, checkNumber: "902", remitter: "Delphine Marchetti" },
    ]);
    const file = lockboxFile("lockbox-2026-03-02.csv", csv);

    await signIn(page, "lee", TEST_PASSWORD);
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("lockbox");
    await keys.press("Enter");
    await page.waitForURL(/\/lockbox$/);
    await heading().getByText("Lockbox").waitFor();
    await page.getByText("Nothing is in suspense.").waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await chooseFile(keys, file);
    await tabTo(keys, "Import");
    await keys.press("Enter");
    const bar = page.getByRole("progressbar", { name: "Import progress" });
    await bar.waitFor();
    await expect.poll(() => bar.getAttribute("aria-valuenow")).toBe("100");
    const outcome = page.getByTestId("lockbox-outcome");
    await outcome.waitFor();
    expect(await outcome.textContent()).toBe("ImportedPosted 1 payment for $50.00; 2 payments to suspense for $96.54.");
    expect(await page.getByTestId("lockbox-progress-count").textContent()).toBe("3 items of 3");
    record("import a lockbox file (from the palette)", keys);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("region", { name: "Import a lockbox file" }), "lockbox-imported");

    const filesTable = page.getByRole("table", { name: "Lockbox files, newest first" });
    await expect
      .poll(async () => (await filesTable.getByRole("row").nth(1).textContent())?.replace(/\s+/g, " "))
      .toContain("lockbox-2026-03-02.csv");
    expect((await api("GET", `/api/v1/accounts/${pays.id}/balances`)).balance_cents).toBe(-5000);
  });

  it("applies the stub with two digits swapped to the suggested account with one key", async () => {
    const keys = countingKeyboard(page);
    const queue = page.getByRole("table", { name: "Items in suspense, oldest first" });
    await expect.poll(() => queue.getByRole("row").count()).toBe(3);
    await keys.press("q");
    await expect.poll(async () => (await focused(page)).name).toBe("Line 3 of lockbox-2026-03-02.csv, $84.20");
    const panel = page.getByRole("region", { name: "Line 3 of lockbox-2026-03-02.csv: $84.20" });
    const first = panel.getByRole("button", { name: `Apply to ${owes.number}, Hargreave, Rosalind` });
    await first.waitFor();
    expect(await panel.textContent()).toContain("Why: number with 2 digits swapped · amount equals amount due");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("region", { name: "Payment suspense" }), "lockbox-suspense");

    await keys.press("1");
    const notice = page.getByTestId("suspense-notice");
    await expect
      .poll(() => notice.textContent())
      .toMatch(
        new RegExp(`^Line 3 \\(\\$84\\.20\\) applied to account ${owes.number}, Hargreave, Rosalind: payment \\d+\\.$`),
      );
    // The next item is selected and has focus.
    await expect.poll(async () => (await focused(page)).name).toBe("Line 4 of lockbox-2026-03-02.csv, $12.34");
    record("apply a suspense item to a suggested account", keys);
    expect(keys.count).toBeLessThanOrEqual(2);
    expect((await api("GET", `/api/v1/accounts/${owes.id}/balances`)).balance_cents).toBe(0);
  });

  it("returns the payment for an unknown account to the sender, with a note", async () => {
    const keys = countingKeyboard(page);
    const panel = page.getByRole("region", { name: "Line 4 of lockbox-2026-03-02.csv: $12.34" });
    await panel.getByText("Suggested accounts").waitFor();
    await panel.getByText(/No account looks like this one/).waitFor();
    await keys.press("r");
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Note/);
    await keys.type("No such customer: check mailed back to the remitter");
    await keys.press("Control+Enter");
    const notice = page.getByTestId("suspense-notice");
    await expect.poll(() => notice.textContent()).toBe("Line 4 ($12.34) returned to the sender.");
    await page.getByText("Nothing is in suspense.").waitFor();
    await expect.poll(async () => (await focused(page)).name).toBe("Line 4 ($12.34) returned to the sender.");
    record("return a suspense item to the sender", keys);
    const queue = await api("GET", "/api/v1/payment-suspense");
    expect(queue.total_count).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("refuses a malformed file, naming its lines, and posts nothing", async () => {
    const filesBefore = await countOf("/api/v1/lockbox/files", "files");
    const paymentsBefore = await countOf(`/api/v1/accounts/${pays.id}/payments`, "payments");
    const bad = [
      "deposit_date,account_number,amount,check_number,remitter",
      `2026-03-02,${pays.number},25.00,5001,Wendell Okafor`,
      "2026-03-02,12345,10.00,5002,Short Number",
      `2026-03-02,${pays.number},7.5.0,5003,Wendell Okafor`,
    ].join("\n");
    const keys = countingKeyboard(page);
    await chooseFile(keys, lockboxFile("lockbox-bad.csv", `${bad}\n`));
    await tabTo(keys, "Import");
    await keys.press("Enter");
    const refused = page.getByTestId("lockbox-refused");
    await refused.waitFor();
    expect(await refused.getByText("Not imported: nothing was posted").count()).toBe(1);
    const problems = refused.getByRole("list", { name: "Problems in the file" }).getByRole("listitem");
    expect(await problems.allTextContents()).toEqual([
      expect.stringMatching(/^Line 3 \(account_number\): /),
      expect.stringMatching(/^Line 4 \(amount\): /),
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("region", { name: "Import a lockbox file" }), "lockbox-refused");
    expect(await countOf("/api/v1/lockbox/files", "files")).toBe(filesBefore);
    expect(await countOf(`/api/v1/accounts/${pays.id}/payments`, "payments")).toBe(paymentsBefore);
    expect(pageErrors).toEqual([]);
  });
});
