import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import type { fixedClock } from "../../src/platform/clock.js";
import {
  axeViolations,
  countingKeyboard,
  focused,
  type LiveServer,
  launchChromium,
  screenshot,
  signIn,
  startServer,
} from "../support/browser.js";
import { TEST_PASSWORD } from "../support/testkit.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const files = path.join(repo, ".tmp/e2e-tariffs");
/**
 * Today, for the server and the browser: a year after the demo tariffs' latest version starts (2026-06-01), so a
 * comparison of the last 12 calendar months is priced on versions in force all year.
 */
const TODAY = "2027-06-15T16:00:00Z";

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
const pageErrors: string[] = [];
const keystrokes: Record<string, number> = {};

const heading = (p: Page = page) => p.getByRole("main").getByRole("heading", { level: 1 });
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

/** Writes a file for the file chooser. */
function fileFor(name: string, text: string) {
  mkdirSync(files, { recursive: true });
  const file = path.join(files, name);
  writeFileSync(file, text);
  return file;
}

/** The demo tariffs (E-1, E-TOU-C, EV2-A, A-1, B-1), into the book as the demo seed loads them. */
async function loadDemoTariffs() {
  const dir = path.join(repo, "src/seed/tariffs");
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    await api("POST", "/api/v1/tariffs", JSON.parse(readFileSync(path.join(dir, name), "utf8")) as object);
  }
}

/** Each body row's cells' text, a space between cells. */
const rowTexts = (table: Locator) =>
  table
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) =>
        [...(r as HTMLTableRowElement).cells].map((c) => (c.textContent ?? "").replace(/\s+/g, " ").trim()).join(" "),
      ),
    );

/** "$1,234.56" -> 123456 */
const centsOf = (text: string) => {
  const m = /(-?)\$([\d,]+)\.(\d{2})/.exec(text);
  if (!m) throw new Error(`no amount in ${text}`);
  return (m[1] ? -1 : 1) * Number(`${m[2]!.replace(/,/g, "")}${m[3]}`);
};

/** The file the next file chooser picks (the chooser handler is set up once per page, before any opens). */
let nextFile = "";

async function newPage(ctx: BrowserContext) {
  const p = await ctx.newPage();
  p.on("filechooser", (chooser) => void chooser.setFiles(nextFile));
  p.on("pageerror", (err) => pageErrors.push(err.message));
  p.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (400|401|404|409)|net::ERR_/.test(msg.text())) {
      pageErrors.push(msg.text());
    }
  });
  await p.clock.setFixedTime(new Date(TODAY));
  return p;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  (server.ctx.clock as ReturnType<typeof fixedClock>).set(TODAY);
  // The demo's users, named after their roles as `npm start` seeds them.
  await createUser(server.ctx, {
    username: "csr",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  await createUser(server.ctx, {
    username: "analyst",
    display_name: "Bea Lindqvist",
    password: TEST_PASSWORD,
    roles: ["billing_analyst"],
  });
  token = (await createToken(server.ctx, "analyst", "seed")).token;
  await loadDemoTariffs();
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1360, height: 1000 } });
  context.setDefaultTimeout(10_000);
  page = await newPage(context);
}, 120_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) console.log(`keystrokes beyond the typed data: ${JSON.stringify(keystrokes)}`);
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("the tariff book, keyboard first", () => {
  it("a CSR opens the tariff book from the palette and E-1 from the filtered list", async () => {
    await signIn(page, "csr", TEST_PASSWORD);
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("tariff book");
    await keys.press("Enter");
    await page.waitForURL(/\/tariffs$/);
    await heading().getByText("Tariff book").waitFor();
    const book = page.locator("[data-tariff-book]");
    await expect
      .poll(async () => (await rowTexts(book)).map((r) => r.split(" ")[0]))
      .toEqual(["A-1", "B-1", "E-1", "E-TOU-C", "EV2-A"]);
    // The filter has the focus on arrival; a CSR does not manage tariffs, so there is nothing to import.
    await expect.poll(async () => (await focused(page)).name).toBe("Filter");
    expect(await page.getByRole("form", { name: "Import URDB record" }).count()).toBe(0);
    const rows = await rowTexts(book);
    expect(rows.find((r) => r.startsWith("E-1 "))).toMatch(/Residential.*Baseline.*from \d{4}-\d{2}-\d{2}.*Kilowatt/);
    expect(rows.find((r) => r.startsWith("E-TOU-C "))).toMatch(/Time of use/);
    expect(rows.find((r) => r.startsWith("B-1 "))).toMatch(/Commercial.*Demand/);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "tariff-book");

    await keys.type("residential");
    await expect
      .poll(async () => (await rowTexts(book)).map((r) => r.split(" ")[0]))
      .toEqual(["E-1", "E-TOU-C", "EV2-A"]);
    await keys.press("ArrowDown");
    await expect.poll(async () => (await focused(page)).name).toBe("E-1");
    await keys.press("Enter");
    await page.waitForURL(/\/tariffs\/E-1$/);
    await heading()
      .getByText(/^E-1: /)
      .waitFor();
    record("open E-1 from the palette", keys);
    expect(keys.count).toBeLessThanOrEqual(4);

    const versions = page.getByRole("table", { name: "Versions, oldest first" });
    expect((await rowTexts(versions)).some((r) => /Current/.test(r))).toBe(true);
    const baseline = page.getByTestId("baseline-table");
    expect((await rowTexts(baseline)).map((r) => r.split(" ")[0])).toEqual(
      expect.arrayContaining(["P", "Q", "R", "S", "T", "V", "W", "X", "Y", "Z"]),
    );
    expect((await rowTexts(page.getByTestId("energy-table"))).join("\n")).toMatch(/Tier 1.*of baseline.*\$0\.\d+/);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("region", { name: /^Prices from/ }), "tariff-prices");

    // The raw document is one Enter away, folded by default.
    const json = page.getByTestId("tariff-json");
    expect(await json.isVisible()).toBe(false);
    await page.getByRole("button", { name: /Raw JSON/ }).click();
    await json.waitFor();
    expect(JSON.parse((await json.textContent()) ?? "")).toMatchObject({ code: "E-1", format: "kilowatt-tariff/1" });
    await page.getByRole("button", { name: /Raw JSON/ }).click();
  });

  it("shows a time-of-use tariff's schedule as a 24-hour strip per season and day type", async () => {
    await page.goto("/tariffs/E-TOU-C");
    await heading()
      .getByText(/^E-TOU-C: /)
      .waitFor();
    const strips = page.getByRole("region", { name: "Time-of-use schedule" });
    await strips.waitFor();
    const weekdays = strips.getByRole("img", { name: /^Weekdays: / });
    expect(await weekdays.count()).toBeGreaterThanOrEqual(1);
    expect(await weekdays.first().getAttribute("aria-label")).toMatch(/\d+:00–\d+:00/);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(strips, "tariff-time-of-use");
  });

  it("quotes a 30-day bill of 600 kWh on E-1 in territory T; a period backwards is refused at its field", async () => {
    await page.goto("/tariffs/E-1");
    await heading()
      .getByText(/^E-1: /)
      .waitFor();
    const keys = countingKeyboard(page);
    await keys.press("q");
    await expect.poll(async () => (await focused(page)).name).toBe("First service day");
    await keys.type("2026-07-01");
    await keys.press("Tab");
    await keys.type("2026-06-30");
    await keys.press("Tab");
    await keys.type("600");
    await keys.press("Tab");
    await expect.poll(async () => (await focused(page)).name).toBe("Territory");
    await keys.type("T");
    await keys.press("Control+Enter");
    // The last service day before the first: said at that field, and focus goes there.
    const to = page.getByRole("textbox", { name: "Last service day" });
    await expect.poll(async () => (await focused(page)).name).toBe("Last service day");
    await expect.poll(() => to.getAttribute("aria-invalid")).toBe("true");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("region", { name: "Quote a bill on E-1" }), "quote-refused");

    await keys.type("2026-07-30");
    await keys.press("Control+Enter");
    const result = page.getByTestId("quote-result");
    await result.waitFor();
    const summary = (await page.getByTestId("quote-summary").textContent()) ?? "";
    expect(summary).toMatch(/^E-1, .+: 2026-07-01 to 2026-07-30, 30 days, 600 kWh\. Total \$[\d,]+\.\d{2}\.$/);
    const lines = await rowTexts(page.getByTestId("quote-lines"));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join("\n")).toMatch(/kWh/);
    const total = centsOf((await page.getByTestId("quote-total").textContent()) ?? "");
    // The screen shows what the API quotes.
    const quote = await api("POST", "/api/v1/rates/quote", {
      tariff_code: "E-1",
      from: "2026-07-01",
      to: "2026-07-30",
      kwh: "600",
      territory: "T",
    });
    expect(total).toBe(quote.total_cents);
    expect(lines.length).toBe((quote.lines as unknown[]).length);
    expect(await to.getAttribute("aria-invalid")).not.toBe("true");
    record("quote a bill on the tariff page", keys);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("region", { name: "Quote a bill on E-1" }), "quote-a-bill");
  });

  it("quotes a bill from interval data on the calculator page; a bad CSV line is named at the file field", async () => {
    // Three days of hourly readings: 0.4 kWh at night, 1.5 kWh from 4 to 9 p.m. (UTC-7 in July).
    const first = Date.parse("2026-07-01T07:00:00Z");
    const readings = Array.from({ length: 72 }, (_, h) => {
      const local = h % 24;
      return `${new Date(first + h * 3_600_000).toISOString()},${local >= 16 && local < 21 ? "1.5" : "0.4"}`;
    });
    const good = fileFor("meter-2026-07.csv", ["start,kwh", ...readings].join("\n"));
    const bad = fileFor(
      "meter-bad.csv",
      ["start,kwh", readings[0], "2026-07-01T08:00:00Z,lots", ...readings.slice(2)].join("\n"),
    );
    // From the search page (on a tariff page the palette's first "quote a bill" is that tariff's own form).
    await page.goto("/");
    await page.getByRole("main").getByRole("combobox").first().waitFor();
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("quote a bill");
    await keys.press("Enter");
    await page.waitForURL(/\/tariffs\/quote$/);
    await expect.poll(async () => (await focused(page)).name).toBe("Tariff");
    await keys.type("E-TOU");
    await expect.poll(() => page.getByRole("combobox", { name: "Territory" }).count()).toBe(1);
    await keys.press("Tab");
    await keys.type("2026-07-01");
    await keys.press("Tab");
    await keys.type("2026-07-03");
    await keys.press("Tab", 2);
    await expect.poll(async () => (await focused(page)).name).toBe("Territory");
    await keys.type("T");
    await keys.press("Tab");
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Interval data/);
    nextFile = bad;
    await keys.press("Enter");
    await page.getByText("meter-bad.csv").waitFor();
    await keys.press("Control+Enter");
    const csvError = page.getByText(/^line 3: kwh "lots"/);
    await csvError.waitFor();
    await expect.poll(async () => (await focused(page)).name).toMatch(/^Interval data/);

    nextFile = good;
    await keys.press("Enter");
    await page.getByText("meter-2026-07.csv").waitFor();
    expect(await page.getByRole("textbox", { name: "Usage" }).isDisabled()).toBe(true);
    await keys.press("Control+Enter");
    await page.getByTestId("quote-result").waitFor();
    const summary = (await page.getByTestId("quote-summary").textContent()) ?? "";
    expect(summary).toMatch(/^E-TOU-C, .+: 2026-07-01 to 2026-07-03, 3 days, 45\.3 kWh\. Total \$[\d,]+\.\d{2}\.$/);
    const lines = (await rowTexts(page.getByTestId("quote-lines"))).join("\n");
    expect(lines).toMatch(/Peak/);
    const quote = await api("POST", "/api/v1/rates/quote", {
      tariff_code: "E-TOU-C",
      from: "2026-07-01",
      to: "2026-07-03",
      intervals_csv: ["start,kwh", ...readings].join("\n"),
      territory: "T",
    });
    expect(centsOf((await page.getByTestId("quote-total").textContent()) ?? "")).toBe(quote.total_cents);
    record("quote a bill from interval data (from the palette)", keys);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "quote-intervals");
  });

  it("compares 12 months of usage on every residential tariff, cheapest first, with those refused and why", async () => {
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("compare rates");
    await keys.press("Enter");
    await page.waitForURL(/\/tariffs\/compare$/);
    await heading().getByText("Compare rates").waitFor();
    // The months are the 12 calendar months before today's, the kWh column has the focus.
    const usage = page.getByTestId("compare-usage");
    const months = (await rowTexts(usage)).map((r) => r.split(" ").slice(0, 2).join(" "));
    expect(months[0]).toBe("Jun 2026");
    expect(months[11]).toBe("May 2027");
    await expect.poll(async () => (await focused(page)).name).toBe("kWh in Jun 2026");
    // The territory first (three fields back), then the year down the column; Enter on the last month compares.
    await keys.press("Shift+Tab", 3);
    await expect.poll(async () => (await focused(page)).name).toBe("Territory");
    await keys.type("T");
    await keys.press("Tab", 3);
    await expect.poll(async () => (await focused(page)).name).toBe("kWh in Jun 2026");
    const year = ["410", "380", "420", "560", "690", "720", "705", "610", "450", "430", "520", "480"];
    for (const kwh of year) {
      await keys.type(kwh);
      await keys.press("Enter");
    }
    const annual = page.getByTestId("compare-annual");
    await annual.waitFor();
    const ranked = await rowTexts(annual);
    expect(ranked.length).toBeGreaterThanOrEqual(2);
    const totals = ranked.map(centsOf);
    expect([...totals].sort((a, b) => a - b)).toEqual(totals);
    expect(ranked[0]).toMatch(/Cheapest/);
    // Side by side: a column per tariff, a row per month and the year.
    const side = page.getByTestId("compare-months");
    const header = (await side.locator("thead th").allTextContents()).slice(1);
    expect(ranked.map((r, i) => r.startsWith(`${header[i]}`))).toEqual(header.map(() => true));
    expect((await rowTexts(side)).length).toBe(12);
    const compared = await api("POST", "/api/v1/rates/compare", {
      sector: "residential",
      territory: "T",
      months: year.map((kwh, i) => {
        const index = 2026 * 12 + 5 + i;
        const [y, m] = [Math.floor(index / 12), (index % 12) + 1];
        const mm = String(m).padStart(2, "0");
        return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${new Date(Date.UTC(y, m, 0)).getUTCDate()}`, kwh };
      }),
    });
    const apiRows = compared.rows as { tariff_code: string; total_cents: number }[];
    expect(header).toEqual(apiRows.map((r) => r.tariff_code));
    expect(totals).toEqual(apiRows.map((r) => r.total_cents));
    expect(compared.refused).toEqual([]);
    record("compare rates over 12 months (from the palette)", keys);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByRole("main"), "compare-rates");

    // Without a territory the tariffs with a baseline cannot price the year: listed with the reason.
    await page.getByRole("combobox", { name: "Territory" }).selectOption("");
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    const refused = page.getByRole("list", { name: "Tariffs not compared" }).getByRole("listitem");
    await expect.poll(() => refused.count()).toBeGreaterThan(0);
    const listed = (await refused.allTextContents()).map((l) => l.split(":")[0]);
    expect(listed).toEqual(expect.arrayContaining(["E-1", "E-TOU-C"]));
    expect(header).toEqual(expect.arrayContaining(listed));
    expect((await rowTexts(annual)).some((r) => r.startsWith("E-1 "))).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.getByTestId("compare-refused"), "compare-refused");
  });

  it("a billing analyst imports a URDB record (an unsupported field is named) and adds a Kilowatt tariff file", async () => {
    const analyst = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1360, height: 1000 } });
    analyst.setDefaultTimeout(10_000);
    const p = await newPage(analyst);
    try {
      await signIn(p, "analyst", TEST_PASSWORD);
      await p.goto("/tariffs");
      await heading(p).getByText("Tariff book").waitFor();
      const keys = countingKeyboard(p);
      // A field Kilowatt does not model: refused by name, nothing imported.
      const fixture = JSON.parse(
        readFileSync(path.join(repo, "src/core/rates/urdb-fixtures/coned-sc-1-zone-i.json"), "utf8"),
      ) as { record: Record<string, unknown> };
      nextFile = fileFor("ratchet.json", JSON.stringify({ ...fixture.record, demandratchetpercentage: [0.8] }));
      // Focus is in the filter on arrival: the palette's command puts it on the file field.
      await keys.press("Control+K");
      await p.getByRole("dialog", { name: "Command palette" }).waitFor();
      await keys.type("urdb");
      await keys.press("Enter");
      await expect.poll(async () => (await focused(p)).name).toMatch(/^URDB file/);
      // Enter on the field opens the file chooser (the page's handler picks the file).
      const chooser = p.waitForEvent("filechooser");
      await keys.press("Enter");
      await chooser;
      await p.locator("[data-urdb-file]").getByText("ratchet.json").waitFor();
      await keys.press("Tab", 2);
      await keys.type("CONED-SC1");
      await keys.press("Enter");
      const refused = p.getByTestId("tariff-import-refused");
      await refused.waitFor();
      expect(await refused.textContent()).toMatch(/demandratchetpercentage/);
      expect(await axeViolations(p)).toEqual([]);
      await guideShot(p.getByRole("region", { name: "Import URDB record" }), "tariff-urdb-refused");

      nextFile = fileFor("coned-sc-1.json", JSON.stringify(fixture.record));
      await keys.press("Shift+Tab");
      await keys.press("Shift+Tab");
      await expect.poll(async () => (await focused(p)).name).toMatch(/^URDB file/);
      await keys.press("Enter");
      await p.locator("[data-urdb-file]").getByText("coned-sc-1.json").waitFor();
      await keys.press("Tab", 2);
      await expect.poll(async () => (await focused(p)).name).toMatch(/^Code/);
      await keys.press("Enter");
      const imported = p.getByTestId("urdb-imported");
      await imported.waitFor();
      expect(await imported.textContent()).toMatch(/CONED-SC1: .*SC-1/);
      const book = p.locator("[data-tariff-book]");
      await expect
        .poll(async () => (await rowTexts(book)).find((r) => r.startsWith("CONED-SC1 ")) ?? "")
        .toMatch(/Residential.*URDB/);
      record("import a URDB record", keys);
      expect(await axeViolations(p)).toEqual([]);
      await guideShot(p.getByRole("main"), "tariff-urdb-imported");

      // It opens like any other tariff, with its twelve month seasons shown together where they price alike.
      await imported.getByRole("link", { name: "CONED-SC1" }).click();
      await heading(p)
        .getByText(/^CONED-SC1: /)
        .waitFor();
      await p.getByTestId("energy-table").waitFor();
      await screenshot(p, "tariff-urdb-page");
      expect((await api("GET", "/api/v1/tariffs/CONED-SC1")).origin).toBe("urdb");
      expect(await axeViolations(p)).toEqual([]);

      // A Kilowatt tariff file: added once; the same code again is refused.
      const e1 = JSON.parse(readFileSync(path.join(repo, "src/seed/tariffs/E-1.json"), "utf8")) as Record<
        string,
        unknown
      >;
      await p.goto("/tariffs");
      await heading(p).getByText("Tariff book").waitFor();
      const addKeys = countingKeyboard(p);
      const addFile = async (name: string, doc: object) => {
        nextFile = fileFor(name, JSON.stringify(doc));
        await addKeys.press("Control+K");
        await p.getByRole("dialog", { name: "Command palette" }).waitFor();
        await addKeys.type("add tariff");
        await addKeys.press("Enter");
        await expect.poll(async () => (await focused(p)).name).toMatch(/^Tariff file/);
        await addKeys.press("Enter");
        await p.locator("[data-tariff-file]").getByText(name).waitFor();
        await addKeys.press("Tab", 2);
        await addKeys.press("Enter");
      };
      await addFile("e-1-copy.json", { ...e1, code: "E-1-COPY", name: "Residential Services (a copy)" });
      await expect
        .poll(async () => (await p.getByTestId("tariff-added").textContent()) ?? "")
        .toMatch(/^AddedE-1-COPY: /);
      await expect.poll(async () => (await rowTexts(book)).some((r) => r.startsWith("E-1-COPY "))).toBe(true);
      await addFile("e-1.json", e1);
      const notAdded = p.getByTestId("tariff-import-refused");
      await notAdded.waitFor();
      expect(await notAdded.textContent()).toMatch(/^Not added.*E-1/);
      record("add a Kilowatt tariff file (twice)", addKeys);
      expect(await axeViolations(p)).toEqual([]);
    } finally {
      await analyst.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
