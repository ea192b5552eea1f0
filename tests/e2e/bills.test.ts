import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertBill, insertMonthlyBills, pdfText } from "../../src/modules/billing/bill-fixtures.js";
import { scanLine } from "../../src/modules/billing/index.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
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
const account = { id: 0, number: "", sa: 0 };
/** January's bill as reissued after the cancelled one, and what it asks for. */
const rebill = { id: 0, amount_due_cents: 0n };
/** February's bill, held for its high usage. */
const held = { id: 0, total_cents: 0n };
const pageErrors: string[] = [];

const section = () => page.getByRole("region", { name: "Bills" });
const rows = () => section().getByRole("table", { name: "Bills, newest first" }).getByTestId("bill");
/** Cents as the workstation writes them. */
const usd = (c: bigint) =>
  `$${(c / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${String(c % 100n).padStart(2, "0")}`;
const cellsOf = async (row: Locator) =>
  (await row.locator("th, td").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());

/**
 * A customer billed monthly for a year; January's bill was cancelled (a misread meter) and reissued, and
 * February's waits in the exception queue for its high usage. The bills are written as the bill run writes them.
 */
async function billedAccount(token: string) {
  const res = await server.app.inject({
    method: "POST",
    url: "/api/v1/customers",
    headers: { authorization: `Bearer ${token}` },
    payload: {
      party: {
        kind: "person",
        first_name: "Beatrix",
        last_name: "Quillfeather",
        mailing_address: { line1: "41 Orchard Ln", city: "Davis", state: "CA", zip: "95616" },
      },
      account: { bill_cycle: "07" },
      premise: {
        address_line1: "41 Orchard Ln",
        city: "Davis",
        zip: "95616",
        baseline_territory: "T",
        climate_zone: 12,
        tax_jurisdiction: "City of Davis",
      },
      service_point: { description: "House panel" },
      meter: { meter_number: "BQ-20417", kind: "register", registers: [{ unit: "kWh", dials: 5 }] },
      service_agreement: { tariff_code: "E-1", start_date: "2025-01-01" },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const made = res.json() as { account: { id: number; account_number: string }; service_agreement: { id: number } };
  Object.assign(account, { id: made.account.id, number: made.account.account_number, sa: made.service_agreement.id });
  const on = { account_id: account.id, service_agreement_id: account.sa };
  const who = {
    service_address: "41 Orchard Ln, Davis CA 95616",
    mailing: { name: "Beatrix Quillfeather", lines: ["41 Orchard Ln", "Davis CA 95616"] },
    meter_number: "BQ-20417",
  };
  await insertMonthlyBills(server.database, on, "2025-01", 12, (i) => String(420 + ((i * 37) % 160)));
  const cancelled = await insertBill(server.database, {
    ...on,
    ...who,
    period_from: "2026-01-01",
    period_to: "2026-01-31",
    kwh: "6120",
    status: "cancelled",
    cancel_reason: "Misread meter",
  });
  Object.assign(
    rebill,
    await insertBill(server.database, {
      ...on,
      ...who,
      period_from: "2026-01-01",
      period_to: "2026-01-31",
      bill_date: "2026-02-05",
      kwh: "612",
      rebill_of: cancelled.id,
      prior_balance_cents: 1_875n,
      payments_since_cents: 9_120n,
      messages: ["Your January bill was corrected: the meter was misread."],
    }),
  );
  Object.assign(
    held,
    await insertBill(server.database, {
      ...on,
      ...who,
      period_from: "2026-02-01",
      period_to: "2026-02-28",
      kwh: "2410",
      status: "held",
      exception: "high_usage",
      exception_note: "2410 kWh is 4 times the recent average",
    }),
  );
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "casey",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  await billedAccount((await createToken(server.ctx, "casey", "setup")).token);
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404)|net::ERR_/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("bills on the account page, keyboard only after sign-in", () => {
  it("lists the bills newest first: held and cancelled ones say so", async () => {
    await signIn(page, "casey", TEST_PASSWORD);
    const keys = countingKeyboard(page);
    await keys.press("/");
    await keys.type(account.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await keys.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("bills");
    await paletteShows(page, /^Bills/);
    await keys.press("Enter");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h2", name: "Bills" });
    await expect.poll(() => rows().count()).toBe(12);

    expect((await cellsOf(rows().nth(0))).slice(0, 7)).toEqual([
      `2026-03-01Bill ${held.id}`,
      "2026-02-01 to 2026-02-28",
      "2,410",
      usd(held.total_cents),
      usd(held.total_cents),
      "2026-03-22",
      "Held: high usage",
    ]);
    const reissued = await cellsOf(rows().nth(1));
    expect(reissued[0]).toMatch(new RegExp(`^2026-02-05Bill ${rebill.id} · replaces bill \\d+$`));
    expect(reissued.slice(1, 3)).toEqual(["2026-01-01 to 2026-01-31", "612"]);
    expect(reissued[4]).toBe(usd(rebill.amount_due_cents));
    expect(reissued[6]).toBe("Issued");
    const cancelled = await cellsOf(rows().nth(2));
    expect(cancelled[6]).toBe(`CancelledMisread meter; replaced by bill ${rebill.id}`);
    expect(await axeViolations(page)).toEqual([]);

    const box = (await section().boundingBox())!;
    const file = path.join(repo, ".tmp/screenshots", "account-bills.png");
    mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, clip: { ...box, height: Math.min(box.height, 420) }, animations: "disabled" });
    copyFileSync(file, path.join(repo, "docs/guide/img", "account-bills.png"));
  });

  it("opens a bill's PDF in a new tab from the keyboard: the account number and amount due on it", async () => {
    const keys = countingKeyboard(page);
    const name = "Open PDF of the bill of 2026-02-05 (opens in a new tab)";
    await keys.press("Tab", 2);
    expect(await focused(page)).toMatchObject({ tag: "a", name });
    const link = section().getByRole("link", { name });
    const href = await link.getAttribute("href");
    expect(href).toBe(`/api/v1/bills/${rebill.id}/pdf`);
    expect(await link.getAttribute("target")).toBe("_blank");
    const opened = context.waitForEvent("page");
    await keys.press("Enter");
    const tab = await opened;
    await expect.poll(() => tab.url()).toBe(`${server.baseUrl}${href}`);
    await tab.close();
    expect(keys.count).toBe(3);

    const pdf = await context.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    const body = await pdf.body();
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(body);
    expect(text).toContain(account.number);
    expect(text).toContain("Beatrix Quillfeather");
    expect(text).toContain("41 Orchard Ln, Davis CA 95616");
    expect(text).toContain("Your January bill was corrected: the meter was misread.");
    expect(text).toContain(scanLine(account.number, rebill.amount_due_cents));
  });

  it("shows older bills on request, and ran without script or console errors", async () => {
    await section().getByRole("button", { name: "Show older bills" }).click();
    await expect.poll(() => rows().count()).toBe(15);
    expect(await cellsOf(rows().nth(14))).toContain("2025-01-01 to 2025-01-31");
    expect(pageErrors).toEqual([]);
  });
});
