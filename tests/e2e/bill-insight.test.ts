import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pdfText } from "../../src/modules/billing/bill-fixtures.js";
import { insertReads, runAfterReads, type TestRead } from "../../src/modules/billing/read-fixtures.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { seedDemoTariffs } from "../../src/seed/tariffs.js";
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
/** Bill ids by the last day billed. */
const billOf = new Map<string, number>();
const pageErrors: string[] = [];

/**
 * Read days with the kWh a day since the read before: monthly from December 2024, the last read (February 17,
 * 2026) estimated and high. Each read is billed by a real bill run the day after.
 */
const SCHEDULE: [string, number, TestRead["kind"]?][] = [
  ["2024-12-16", 0],
  ["2025-01-14", 16],
  ["2025-02-17", 15],
  ["2025-03-17", 14],
  ["2025-04-16", 12],
  ["2025-05-15", 13],
  ["2025-06-16", 18],
  ["2025-07-16", 21],
  ["2025-08-15", 22],
  ["2025-09-16", 19],
  ["2025-10-15", 14],
  ["2025-11-14", 14],
  ["2025-12-16", 16],
  ["2026-01-14", 17],
  ["2026-02-17", 27, "estimated"],
];
const reads: TestRead[] = SCHEDULE.map(([on, perDay, kind], i) => {
  const before = SCHEDULE[i - 1]?.[0];
  const days = before ? Temporal.PlainDate.from(before).until(Temporal.PlainDate.from(on)).days : 0;
  return { on, kwh: String(perDay * days), kind };
});

const bills = () => page.getByRole("region", { name: "Bills" });
const shot = async (name: string, target: Locator) => {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
};

/** A customer on E-1 since December 2024, billed monthly by bill runs over their meter reads. */
async function billedAccount(token: string) {
  const res = await server.app.inject({
    method: "POST",
    url: "/api/v1/customers",
    headers: { authorization: `Bearer ${token}` },
    payload: {
      party: {
        kind: "person",
        first_name: "Odalys",
        last_name: "Brennan",
        mailing_address: { line1: "77 Alder Ct", city: "Woodland", state: "CA", zip: "95695" },
      },
      account: { bill_cycle: "08" },
      premise: {
        address_line1: "77 Alder Ct",
        city: "Woodland",
        zip: "95695",
        baseline_territory: "T",
        climate_zone: 12,
        tax_jurisdiction: "City of Woodland",
      },
      service_point: { description: "House panel" },
      meter: { meter_number: "OB-55120", kind: "register", registers: [{ unit: "kWh", dials: 5 }] },
      service_agreement: { tariff_code: "E-1", start_date: "2024-12-01" },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const made = res.json() as { account: { id: number; account_number: string }; service_agreement: { id: number } };
  Object.assign(account, { id: made.account.id, number: made.account.account_number, sa: made.service_agreement.id });
  // The meter went in when service started.
  await server.database.rows(
    server.database.db,
    sql`UPDATE meter_installations SET installed_on = '2024-12-01'
        WHERE service_point_id = (SELECT service_point_id FROM service_agreements WHERE id = ${account.sa})`,
  );
  await insertReads(server.database, account.sa, reads);
  await runAfterReads(server.ctx, "08", reads);
  const made2 = await server.database.rows<{ id: number; to: string; status: string }>(
    server.database.db,
    sql`SELECT id::int4 AS id, period_to::text AS "to", status FROM bills WHERE account_id = ${account.id}`,
  );
  for (const b of made2) {
    expect(b.status).toBe("issued");
    billOf.set(b.to, b.id);
  }
  expect(billOf.size).toBe(14);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await seedDemoTariffs(server.ctx);
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
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("a CSR explains a high bill and compares rates, from the keyboard", () => {
  it("opens the newest bill's PDF from the account", async () => {
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

    const name = "Open PDF of the bill of 2026-02-18 (opens in a new tab)";
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "a", name });
    const href = await bills().getByRole("link", { name }).getAttribute("href");
    expect(href).toBe(`/api/v1/bills/${billOf.get("2026-02-17")}/pdf`);
    const opened = context.waitForEvent("page");
    await keys.press("Enter");
    const tab = await opened;
    await expect.poll(() => tab.url()).toBe(`${server.baseUrl}${href}`);
    await tab.close();

    const pdf = await context.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    const text = pdfText(await pdf.body());
    expect(text).toContain(account.number);
    expect(text).toContain("Odalys");
  });

  it("reads the high-bill explanation: days, usage, the estimate, rate changes and last year, in sentences", async () => {
    const keys = countingKeyboard(page);
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({
      tag: "button",
      name: "Why is this bill high? (bill of 2026-02-18)",
    });
    await keys.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Why is this bill high?" });
    await dialog.waitFor();
    const headline = dialog.getByTestId("explanation-headline");
    await headline.waitFor();
    expect(await headline.textContent()).toMatch(
      /^This bill is \$[\d,]+\.\d\d, \$[\d,]+\.\d\d more than the last one \(\$[\d,]+\.\d\d\), mostly because you used more electricity each day \(27 kWh a day against 17\)\.$/,
    );
    const reasons = await dialog.getByRole("list", { name: "Reasons" }).getByRole("listitem").allTextContents();
    expect(reasons).toEqual(
      expect.arrayContaining([
        "This bill covers 34 days; the last one covered 29.",
        "You used 918 kWh, 27 a day, up from 17 a day on the last bill (+59%).",
        "This bill was estimated: we could not read the meter. The next bill from an actual read will correct it.",
        "Prices changed on January 1, 2026 (E-1 version of 2026-01-01): the last bill had the new prices for its last 14 days, this bill for all 34 days.",
        "Since the same period last year E-1 prices changed 3 times, most recently on January 1, 2026.",
        expect.stringMatching(
          /^In the same period last year you used 15 kWh a day \(510 kWh over 34 days\) and the bill was \$[\d,.]+; this time 27 a day \(\+80%\)\.$/,
        ),
      ]),
    );
    const figures = dialog.getByRole("table", { name: "The bills compared" });
    expect(await figures.getByRole("columnheader").allTextContents()).toEqual([
      "Figure",
      `This billBill ${billOf.get("2026-02-17")}`,
      `Last billBill ${billOf.get("2026-01-14")}`,
      `Same period last yearBill ${billOf.get("2025-02-17")}`,
    ]);
    expect(await axeViolations(page)).toEqual([]);
    // Tall enough for the whole dialog in the picture.
    await page.setViewportSize({ width: 1280, height: 1300 });
    await shot("why-is-my-bill-high", dialog);
    await page.setViewportSize({ width: 1280, height: 900 });
    await keys.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => focused(page)).toMatchObject({ tag: "button", name: /^Why is this bill high\?/ });
  });

  it("runs the rate comparison on the account's last 12 months: tariffs cheapest first, the current one marked", async () => {
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("compare rates");
    await keys.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Compare rates" });
    await dialog.waitFor();
    const rows = dialog.getByTestId("rate-row");
    await expect.poll(() => rows.count()).toBe(3);
    const current = dialog.locator("[data-testid=rate-row][data-current]");
    expect(await current.count()).toBe(1);
    expect(await current.locator("th").textContent()).toMatch(/^E-1.*Current/);
    expect(await current.locator("td").nth(1).textContent()).toBe("Current tariff");
    expect(await dialog.getByTestId("rate-comparison-summary").textContent()).toMatch(
      /last 12 months of usage \([\d,]+ kWh from February 18, 2025 to February 17, 2026\)/,
    );
    // Cheapest first: the 12-month totals go up row by row.
    const totals = (await rows.locator("td:nth-of-type(1)").allTextContents()).map((t) =>
      Number(t.replace(/[$,]/g, "")),
    );
    expect([...totals].sort((a, b) => a - b)).toEqual(totals);
    expect(await axeViolations(page)).toEqual([]);
    await shot("compare-rates-account", dialog);
    await keys.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  });

  it("charts two years of usage, with the figures on request, and ran without script or console errors", async () => {
    const usage = page.getByRole("region", { name: "Usage" });
    const chart = usage.getByRole("img", { name: /^kWh billed by month, Mar 2024 to Feb 2026: highest 918 kWh/ });
    await chart.waitFor();
    expect(await chart.locator("rect").count()).toBe(14);
    await usage.getByRole("button", { name: "Show the figures" }).click();
    const table = usage.getByRole("table", { name: "kWh billed by month, newest first" });
    expect(await table.locator("tbody tr").count()).toBe(24);
    expect((await table.locator("tbody tr").first().locator("th, td").allTextContents()).slice(0, 5)).toEqual([
      "Feb 2026",
      "918",
      "34",
      "27",
      "Estimated",
    ]);
    await usage.getByRole("button", { name: "Hide the figures" }).click();
    await page.mouse.move(0, 0);
    expect(await axeViolations(page)).toEqual([]);
    await shot("account-usage", usage);
    expect(pageErrors).toEqual([]);
  });
});
