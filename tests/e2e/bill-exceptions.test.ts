import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { putSetting } from "../../src/platform/settings.js";
import { seedUtility } from "../../src/seed/seed.js";
import { seedDemoTariffs } from "../../src/seed/tariffs.js";
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
/** The server's today (startServer's clock) and the browser's, so the bill date the form offers is the server's. */
const TODAY = "2026-03-02T17:00:00Z";
const BILL_DATE = "2026-03-02";

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
const pageErrors: string[] = [];
const keystrokes: Record<string, number> = {};

interface Held {
  bill_id: number;
  account_id: number;
  account_number: string;
  name: string;
  total_cents: number;
  version: number;
  exception: string;
}

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const queueRows = () => page.getByRole("table", { name: /^Held bills, oldest first/ }).getByTestId("held-bill");
const notice = () => page.getByTestId("exception-notice");
const record = (task: string, keys: { count: number; pressed: string[] }) => {
  keystrokes[task] = keys.count;
  console.log(`${task}: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
};
/** Cents as the workstation writes them. */
const usd = (c: number) =>
  `${c < 0 ? "-" : ""}$${Math.floor(Math.abs(c) / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${String(Math.abs(c) % 100).padStart(2, "0")}`;

/** A picture for the guide (in .tmp/screenshots, copied to docs/guide/img). */
async function guideShot(target: Locator, name: string) {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
}

async function api<T = Record<string, unknown>>(method: "GET" | "POST", url: string, payload?: object) {
  const res = await server.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

const heldQueue = async () =>
  (await api<{ items: Held[]; by_reason: Record<string, number> }>("GET", "/api/v1/bill-exceptions")).items;
const balanceOf = async (accountId: number) =>
  (await api<{ balance_cents: number }>("GET", `/api/v1/accounts/${accountId}/balances`)).balance_cents;

/**
 * A cycle of seeded customers on E-1 with a month of register reads each; bills over $150 are held, and so are those
 * of the customers (one in six) whose two earlier bills were small: their month is high usage.
 */
async function prepareCycle() {
  const rows = (query: ReturnType<typeof sql>) => server.database.rows(server.database.db, query);
  await seedUtility(server.ctx, { accounts: 40, seed: 5 });
  await seedDemoTariffs(server.ctx);
  await rows(sql`UPDATE service_agreements SET tariff_code = 'E-1'`);
  await rows(sql`UPDATE accounts SET bill_cycle = '05'`);
  await putSetting(server.ctx, "billing.hold_rules", {
    effective_from: "2026-01-01",
    value: { high_usage_factor: 3, consecutive_estimates: 3, over_cents: { residential: 15_000, default: 15_000 } },
  });
  await rows(sql`
    INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
    SELECT DISTINCT ON (mi.meter_id, d.read_on) mi.meter_id, sa.service_point_id, d.read_on,
           5000 + d.n * (60 + (sa.account_id % 7) * 60),
           CASE WHEN d.n = 0 THEN NULL ELSE 60 + (sa.account_id % 7) * 60 END, 'actual', 'field', 'test'
    FROM service_agreements AS sa
    JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
    CROSS JOIN (VALUES ('2026-01-30'::date, 0), ('2026-02-27'::date, 1)) AS d(read_on, n)
    WHERE sa.status = 'active'
    ON CONFLICT DO NOTHING`);
  // December's and January's bills of 40 kWh for one account in six (of one agreement).
  await rows(sql`
    WITH past AS (
      SELECT sa.id AS sa_id, sa.account_id, m.from_d, m.to_d
      FROM service_agreements AS sa
      CROSS JOIN (VALUES ('2025-12-01'::date, '2025-12-31'::date), ('2026-01-01'::date, '2026-01-31'::date))
           AS m(from_d, to_d)
      WHERE sa.status = 'active' AND sa.account_id % 6 = 0
        AND (SELECT count(*) FROM service_agreements AS x WHERE x.account_id = sa.account_id) = 1),
    made AS (
      INSERT INTO bills (account_id, bill_date, period_from, period_to, mail_date, due_date, status, total_cents,
                         prior_balance_cents, payments_since_cents, amount_due_cents, kwh, detail)
      SELECT account_id, to_d + 1, from_d, to_d, to_d + 2, to_d + 21, 'issued', 1800, 0, 0, 1800, 40,
             '{"agreements": []}'::jsonb
      FROM past
      RETURNING id, account_id, period_from, period_to)
    INSERT INTO bill_segments (bill_id, account_id, service_agreement_id, period_from, period_to, kwh, estimated)
    SELECT made.id, made.account_id, past.sa_id, made.period_from, made.period_to, 40, false
    FROM made JOIN past ON past.account_id = made.account_id AND past.from_d = made.period_from`);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "bea",
    display_name: "Bea Lindqvist",
    password: TEST_PASSWORD,
    roles: ["billing_analyst"],
  });
  token = (await createToken(server.ctx, "bea", "setup")).token;
  await prepareCycle();
  context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1360, height: 1000 },
    timezoneId: "America/Los_Angeles",
  });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  await page.clock.setFixedTime(new Date(TODAY));
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (400|401|404|409|422)|net::ERR_/.test(msg.text())) {
      pageErrors.push(msg.text());
    }
  });
}, 180_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) console.log(`keystrokes beyond the typed data: ${JSON.stringify(keystrokes)}`);
  await context?.close();
  await browser?.close();
  await server?.close();
});

type Detail = {
  detail: {
    agreements: {
      meter_number: string;
      reads: { start: { reading: string } | null; end: { id: number; reading: string; read_on: string } };
    }[];
  };
};

/**
 * The first bill of the queue held for its total on one meter read a month apart (at least `minKwh` between the
 * reads), with its place and reads.
 */
async function singleMeterBill(held: Held[], minKwh = 0) {
  for (const [at, bill] of held.entries()) {
    if (bill.exception !== "over_threshold") continue;
    const d = await api<Detail>("GET", `/api/v1/bills/${bill.bill_id}`);
    const [agreement, ...more] = d.detail.agreements;
    const { start, end } = agreement?.reads ?? { start: null, end: null };
    if (
      agreement &&
      more.length === 0 &&
      start &&
      end?.read_on === "2026-02-27" &&
      Number(end.reading) - Number(start.reading) >= minKwh
    ) {
      return { at, bill, agreement };
    }
  }
  throw new Error("no held bill of one meter");
}

/** Selects the queue's row `at` from the keyboard: q to the queue, Home, then down. */
async function select(keys: ReturnType<typeof countingKeyboard>, at: number, bill: Held) {
  await keys.press("q");
  await keys.press("Home");
  if (at > 0) await keys.press("ArrowDown", at);
  await expect.poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Bill ${bill.bill_id}, account`));
}

/** Waits for a rebill to be done (the dialog closes, the totals shown) or fails with what the dialog says. */
async function rebillDone(dialog: Locator) {
  const compare = page.getByTestId("rebill-compare");
  const refused = dialog.getByRole("alert").or(dialog.locator(".mantine-TextInput-error"));
  await compare.or(refused).first().waitFor({ timeout: 20_000 });
  if (await refused.count()) throw new Error(`not rebilled: ${await refused.first().textContent()}`);
  await dialog.waitFor({ state: "detached" });
  return compare;
}

describe("bill runs and the exception queue, keyboard only after sign-in", () => {
  it("a billing analyst starts the cycle's run and watches the progress bar to completed", async () => {
    await signIn(page, "bea", TEST_PASSWORD);
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("bill runs");
    await keys.press("Enter");
    await page.waitForURL(/\/billing\/runs$/);
    await heading().getByText("Bill runs").waitFor();
    await page.getByText("No bill run yet.").waitFor();
    expect(await page.getByRole("textbox", { name: "Bill date" }).inputValue()).toBe(BILL_DATE);
    expect(await axeViolations(page)).toEqual([]);

    // A cycle that does not exist is said at its field, and nothing starts.
    await keys.press("n");
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Cycle/);
    await keys.type("22");
    await keys.press("Enter");
    await page.getByText("A cycle from 1 to 21").waitFor();
    await keys.press("Control+A");
    await keys.type("5");
    await keys.press("Enter");

    const bar = page.getByRole("progressbar", { name: "Bill run progress" });
    await bar.waitFor();
    await expect.poll(() => bar.getAttribute("aria-valuenow"), { timeout: 60_000 }).toBe("100");
    const outcome = page.getByTestId("run-outcome");
    await outcome.waitFor({ timeout: 30_000 });
    const [run] = (
      await api<{
        items: { id: number; status: string; billed: number; held: number; skipped: number; accounts_total: number }[];
      }>("GET", "/api/v1/bill-runs")
    ).items;
    expect(run).toMatchObject({ status: "completed", accounts_total: 40 });
    expect(run!.held).toBeGreaterThanOrEqual(3);
    expect(run!.billed + run!.held + run!.skipped).toBe(40);
    expect(await outcome.textContent()).toContain(
      `Billed ${run!.billed} accounts, held ${run!.held} bills for review, skipped ${run!.skipped} account`,
    );
    expect(await page.getByTestId("run-progress-count").textContent()).toBe("40 accounts of 40");
    record("start a bill run (from the palette)", keys);

    const runs = page.getByRole("table", { name: "Bill runs, newest bill date first" });
    await expect
      .poll(async () => (await runs.getByTestId("bill-run").first().textContent())?.replace(/\s+/g, " "))
      .toContain(`05${BILL_DATE}Completed40${run!.billed}${run!.held}${run!.skipped}`);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "bill-run-completed");
  });

  it("refuses the same cycle and date again, saying so at the bill date", async () => {
    // The cursor is still in the form, the same cycle and date in it.
    expect(await focused(page)).toMatchObject({ tag: "input", name: expect.stringMatching(/^Cycle/) });
    const keys = countingKeyboard(page);
    await keys.press("Enter");
    const date = page.getByRole("textbox", { name: "Bill date" });
    await expect.poll(async () => (await date.getAttribute("aria-describedby")) ?? "").toMatch(/error/);
    const form = page.getByRole("form", { name: "Start a bill run" });
    await form.getByText(/^cycle 05 was already billed for 2026-03-02 \(run \d+, finished .+\)$/).waitFor();
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Bill date/);
    expect(await api<{ items: unknown[] }>("GET", "/api/v1/bill-runs").then((r) => r.items.length)).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("region", { name: "Start a bill run" }), "bill-run-refused");
  });

  it("opens the exception queue and a held bill: its lines, reads and PDF", async () => {
    const held = await heldQueue();
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("bill exceptions");
    await keys.press("Enter");
    await page.waitForURL(/\/billing\/exceptions$/);
    await heading().getByText("Bill exceptions").waitFor();
    await expect.poll(() => queueRows().count()).toBe(held.length);
    // The cursor is on the oldest held bill.
    await expect.poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Bill ${held[0]!.bill_id}, account`));

    // Chips count the held bills by reason; one shows only its own.
    const chips = page.getByRole("group", { name: "Show the bills held for" });
    expect((await chips.textContent())?.replace(/\s+/g, " ")).toContain(`All reasons · ${held.length}`);
    const high = held.filter((b) => b.exception === "high_usage").length;
    const over = held.filter((b) => b.exception === "over_threshold").length;
    expect(high).toBeGreaterThan(0);
    expect(over).toBeGreaterThan(2);
    expect(high + over).toBe(held.length);
    await chips.getByText(`High usage · ${high}`).click();
    await expect.poll(() => queueRows().count()).toBe(high);
    await chips.getByText(`All reasons · ${held.length}`).click();
    await expect.poll(() => queueRows().count()).toBe(held.length);
    // q puts the cursor back in the queue (on the bill selected), Home on the oldest.
    await keys.press("q");
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Bill \d+, account/);
    await keys.press("Home");
    await expect.poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Bill ${held[0]!.bill_id}, account`));

    // Down to the first bill held for its total (of one meter), and open it.
    const { at: first, bill } = await singleMeterBill(held);
    if (first > 0) await keys.press("ArrowDown", first);
    await keys.press("Enter");
    const panel = page.getByTestId("bill-panel");
    await panel
      .getByRole("heading", { name: `Bill ${bill.bill_id}: account ${bill.account_number}, ${bill.name}` })
      .waitFor();
    await expect
      .poll(async () => (await focused(page)).name)
      .toBe(`Bill ${bill.bill_id}: account ${bill.account_number}, ${bill.name}`);
    const detail = await api<{
      detail: {
        agreements: {
          reads: { start: { reading: string }; end: { reading: string; read_on: string } };
          lines: unknown[];
        }[];
      };
    }>("GET", `/api/v1/bills/${bill.bill_id}`);
    const part = detail.detail.agreements[0]!;
    await panel.getByTestId("bill-reads").first().waitFor();
    expect(await panel.getByTestId("bill-reads").first().textContent()).toMatch(
      /^Start read 2026-01-30: 5,000 \(actual\) · End read 2026-02-27: [\d,]+ \(actual\)$/,
    );
    expect(part.lines.length).toBeGreaterThan(0);
    expect(await panel.getByRole("table").first().getByRole("row").count()).toBe(part.lines.length + 2);
    const pdf = panel.getByRole("link", { name: `Open PDF of bill ${bill.bill_id} (opens in a new tab)` });
    expect(await pdf.getAttribute("href")).toBe(`/api/v1/bills/${bill.bill_id}/pdf`);
    expect((await context.request.get(`/api/v1/bills/${bill.bill_id}/pdf`)).headers()["content-type"]).toBe(
      "application/pdf",
    );
    expect(await axeViolations(page)).toEqual([]);
    // The whole queue and the open bill in one picture: the window made as tall as the page for it.
    const tall = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1360, height: tall });
    await guideShot(page.getByRole("main"), "bill-exceptions");
    await page.setViewportSize({ width: 1360, height: 1000 });
    record("open a held bill from the queue", keys);
  });

  it("releases the open bill with r: it leaves the queue and the account's balance moves by its total", async () => {
    const held = await heldQueue();
    const { bill } = await singleMeterBill(held);
    const before = await balanceOf(bill.account_id);
    const keys = countingKeyboard(page);
    await keys.press("r");
    const dialog = page.getByRole("dialog", { name: "Release the bill" });
    await dialog.waitFor();
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Note/);
    await keys.type("Pool pump season: usage confirmed with the customer");
    expect(await axeViolations(page)).toEqual([]);
    await keys.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await expect
      .poll(() => notice().textContent())
      .toMatch(
        new RegExp(
          `^Released bill ${bill.bill_id} of account ${bill.account_number} \\(${bill.name}\\): ` +
            `${usd(bill.total_cents).replace("$", "\\$")} posted, due \\d{4}-\\d{2}-\\d{2}\\.$`,
        ),
      );
    await expect.poll(() => queueRows().count()).toBe(held.length - 1);
    expect(await page.getByTestId("bill-panel").count()).toBe(0);
    expect((await heldQueue()).some((b) => b.bill_id === bill.bill_id)).toBe(false);
    expect((await balanceOf(bill.account_id)) - before).toBe(bill.total_cents);
    // The bill now in its place has the cursor, ready for the next key.
    const next = (await heldQueue())[held.indexOf(bill)]!;
    await expect.poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Bill ${next.bill_id}, account`));
    record("release a held bill", keys);
  });

  it("rebills another as its reads stand (b, a reason): the new bill's total next to the old", async () => {
    const held = await heldQueue();
    const { at, bill } = await singleMeterBill(held);
    const before = await balanceOf(bill.account_id);
    const keys = countingKeyboard(page);
    await select(keys, at, bill);
    await keys.press("b");
    const dialog = page.getByRole("dialog", { name: "Correct and rebill" });
    await dialog.waitFor();
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Corrected end reading, meter /);
    // No corrected reading: the bill is made again from the reads as they are, and issued.
    await keys.press("Tab");
    await keys.type("Usage confirmed: new tenant with an electric dryer");
    await keys.press("Enter");
    const compare = await rebillDone(dialog);
    const oldBill = await api<{ status: string; rebilled_by: number }>("GET", `/api/v1/bills/${bill.bill_id}`);
    expect(oldBill.status).toBe("cancelled");
    const newBill = await api<{ status: string; total_cents: number; rebill_of: number }>(
      "GET",
      `/api/v1/bills/${oldBill.rebilled_by}`,
    );
    expect(newBill).toMatchObject({ status: "issued", rebill_of: bill.bill_id, total_cents: bill.total_cents });
    expect((await compare.textContent())?.replace(/\s+/g, " ")).toBe(
      `Was: bill ${bill.bill_id}, ${usd(bill.total_cents)} (cancelled)` +
        `Now: bill ${oldBill.rebilled_by}, ${usd(newBill.total_cents)} Open PDF of bill ${oldBill.rebilled_by} (opens in a new tab)`,
    );
    expect(await notice().textContent()).toContain(
      `Rebilled account ${bill.account_number} (${bill.name}): bill ${oldBill.rebilled_by} for ${usd(newBill.total_cents)} ` +
        `replaces bill ${bill.bill_id} for ${usd(bill.total_cents)}.`,
    );
    await expect.poll(() => queueRows().count()).toBe(held.length - 1);
    // The held bill was never posted; the new one is.
    expect((await balanceOf(bill.account_id)) - before).toBe(newBill.total_cents);
    record("rebill a held bill", keys);
  });

  it("cancels one with c, saying why (required)", async () => {
    const held = await heldQueue();
    const at = held.findIndex((b) => b.exception === "high_usage");
    const bill = held[at]!;
    const keys = countingKeyboard(page);
    await select(keys, at, bill);
    await keys.press("c");
    const dialog = page.getByRole("dialog", { name: "Cancel the bill" });
    await dialog.waitFor();
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Why it is cancelled/);
    await keys.press("Enter");
    await dialog.getByText("Say why it is cancelled").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await keys.type("Customer moved out before the read: final bill to follow");
    await keys.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await expect
      .poll(() => notice().textContent())
      .toBe(
        `Cancelled bill ${bill.bill_id} of account ${bill.account_number} (${bill.name}): Customer moved out before ` +
          "the read: final bill to follow. Its period is billed again in the next run.",
      );
    await expect.poll(() => queueRows().count()).toBe(held.length - 1);
    const gone = await api<{ status: string; cancel_reason: string }>("GET", `/api/v1/bills/${bill.bill_id}`);
    expect(gone).toMatchObject({
      status: "cancelled",
      cancel_reason: "Customer moved out before the read: final bill to follow",
    });
    record("cancel a held bill", keys);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("corrects the end reading of a third and rebills it: the lower total next to the old", async () => {
    const held = await heldQueue();
    const { at, bill, agreement } = await singleMeterBill(held, 300);
    const end = agreement.reads.end;
    // The meter was misread: 200 kWh fewer than the bill's end reading.
    const corrected = String(Number(end.reading) - 200);
    const keys = countingKeyboard(page);
    await select(keys, at, bill);
    await keys.press("b");
    const dialog = page.getByRole("dialog", { name: "Correct and rebill" });
    await dialog.waitFor();
    await expect
      .poll(async () => (await focused(page)).name)
      .toMatch(new RegExp(`^Corrected end reading, meter ${agreement.meter_number} on ${end.read_on}`));
    await keys.type(corrected);
    await keys.press("Tab");
    await keys.type("Meter misread: photo from the field shows the lower reading");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "bill-rebill");
    await keys.press("Enter");
    const compare = await rebillDone(dialog);
    const oldBill = await api<{ status: string; rebilled_by: number }>("GET", `/api/v1/bills/${bill.bill_id}`);
    expect(oldBill.status).toBe("cancelled");
    const newBill = await api<{
      status: string;
      total_cents: number;
      rebill_of: number;
      detail: { agreements: { reads: { end: { reading: string } } }[] };
    }>("GET", `/api/v1/bills/${oldBill.rebilled_by}`);
    expect(newBill).toMatchObject({ status: "issued", rebill_of: bill.bill_id });
    expect(Number(newBill.detail.agreements[0]!.reads.end.reading)).toBe(Number(corrected));
    expect(newBill.total_cents).toBeLessThan(bill.total_cents);
    expect((await compare.textContent())?.replace(/\s+/g, " ")).toContain(
      `Was: bill ${bill.bill_id}, ${usd(bill.total_cents)} (cancelled)Now: bill ${oldBill.rebilled_by}, ${usd(newBill.total_cents)}`,
    );
    expect(await notice().textContent()).toContain(
      `replaces bill ${bill.bill_id} for ${usd(bill.total_cents)}, the read of ${end.read_on} corrected to `,
    );
    await expect.poll(() => queueRows().count()).toBe(held.length - 1);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByTestId("exception-notice"), "bill-rebilled");
    record("correct the reading and rebill", keys);
    expect(pageErrors).toEqual([]);
  });
});
