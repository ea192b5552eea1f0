import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollections } from "../../src/modules/collections/index.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge } from "../../src/modules/ledger/index.js";
import {
  axeViolations,
  countingKeyboard,
  focused,
  guideShot,
  type LiveServer,
  launchChromium,
  runFromPalette,
  signIn,
  startServer,
} from "../support/browser.js";
import { aPerson, aPremise, newCustomer } from "../support/customer-fixtures.js";
import { TEST_PASSWORD, type TestApp } from "../support/testkit.js";

// A collector works the day's worklist: the accounts in collections, most at stake first, each with its step, what
// is past due, the next step and its date. Keyboard only, the collector moves down the list, shows one step, and opens
// an account at its collections section. There the customer disputes a bill: `i`, Tab to the item, Space, Tab, the
// reason, Ctrl+Enter; the section says the item is held from collection. A lead resolves the dispute; a collector
// records an agency's pledge; a lead keys a heat forecast.

// The server and a busy browser can take more than the default second to answer.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const noticed = { id: 0, number: "" };
const reminded = { id: 0, number: "" };
const pageErrors: string[] = [];

const section = () => page.getByRole("region", { name: "Collections" });
const notice = () => page.getByTestId("collections-notice");
const rows = () => page.getByTestId("worklist-entry");
const text = async (target: Locator) => ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();

const palette = (words: string, name: RegExp) => runFromPalette(page, words, name);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  for (const [username, display_name, role] of [
    ["colette", "Colette Nakamura", "collector"],
    ["lorena", "Lorena Quist", "lead"],
  ] as const) {
    await createUser(server.ctx, { username, display_name, password: TEST_PASSWORD, roles: [role] });
  }
  const bearer = { authorization: `Bearer ${(await createToken(server.ctx, "lorena", "seed")).token}` };
  const t = { app: server.app, as: async () => bearer } as unknown as TestApp;
  const customer = async (first: string, last: string, ssn: string, street: string) => {
    const made = await newCustomer(t, {
      party: aPerson({
        first_name: first,
        last_name: last,
        date_of_birth: "1981-02-17",
        identity: { type: "ssn", number: ssn },
        mailing_address: { line1: street, city: "Sacramento", state: "CA", zip: "95818" },
      }),
      premise: aPremise({ address_line1: street }),
      service_agreement: { tariff_code: "E-1", start_date: "2026-01-02" },
    });
    return { id: made.account.id as number, number: made.account.account_number as string };
  };
  Object.assign(noticed, await customer("Teodora", "Vance", "623-45-7171", "77 Alhambra Blvd"));
  Object.assign(reminded, await customer("Wendell", "Abara", "623-45-7272", "1408 Capitol Ave"));
  const charge = (accountId: number, cents: bigint, due: string, from: string, to: string) =>
    postCharge(server.ctx, {
      account_id: accountId,
      category: "energy",
      amount_cents: cents,
      due_date: due,
      service_period: { from, to },
      reference: `bill:e2e:collector:${accountId}:${due}`,
    });
  // On 2026-03-02: January's $300.00, due 02-10, is 20 days late (the past-due notice); February's $180.00 is not
  // due yet. The other customer's $150.00, due 02-26, is 4 days late (a reminder).
  await charge(noticed.id, 30_000n, "2026-02-10", "2026-01-02", "2026-01-31");
  await charge(noticed.id, 18_000n, "2026-03-20", "2026-02-01", "2026-02-28");
  await charge(reminded.id, 15_000n, "2026-02-26", "2026-01-02", "2026-01-31");
  await runCollections(server.ctx);
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (400|401|404|409|422)/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("a collector works the worklist, keyboard only", () => {
  it("sees the accounts most at stake first, with the step, past due, the next step and its date", async () => {
    await signIn(page, "colette", TEST_PASSWORD);
    expect(
      await page.getByRole("navigation", { name: "Workstation" }).getByRole("link", { name: "Collections" }).count(),
    ).toBe(1);
    await palette("collections worklist", /^Collections worklist/);
    await page.waitForURL(/\/collections$/);
    await poll(() => rows().count()).toBe(2);
    // The cursor is on the first account as the list arrives.
    await poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Account ${noticed.number}`));
    expect(await text(rows().nth(0))).toBe(
      `${noticed.number}Vance, TeodoraPast-due noticesince 2026-03-02$300.002026-02-1020 days lateFinal (48-hour) noticeon 2026-03-15—`,
    );
    expect(await text(rows().nth(1))).toContain(`${reminded.number}Abara, WendellRemindersince 2026-03-02$150.00`);
    expect(await text(rows().nth(1))).toContain("Past-due noticeon 2026-03-05");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.locator("[data-worklist]"), "collections-worklist");
    await page.keyboard.press("j");
    await poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Account ${reminded.number}`));
    await page.keyboard.press("k");
    await poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Account ${noticed.number}`));
  });

  it("shows one step only", async () => {
    await palette("show only reminder", /^Show only: Reminder/);
    await page.waitForURL(/\/collections\?step=reminder$/);
    await poll(() => rows().count()).toBe(1);
    expect(await text(rows().first())).toContain("Abara, Wendell");
    await palette("show every step", /^Show every step/);
    await poll(() => rows().count()).toBe(2);
  });

  it("opens the account at its collections section with Enter", async () => {
    // Back on every step, the cursor stays on the account it was on; q puts focus there, k moves up.
    await page.keyboard.press("q");
    await poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Account ${reminded.number}`));
    await page.keyboard.press("k");
    await poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Account ${noticed.number}`));
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/accounts/${noticed.id}\\?section=collections$`));
    await poll(() => focused(page)).toMatchObject({ tag: "h2", name: "Collections" });
    expect(await text(section().getByTestId("collections-next"))).toBe(
      "Next: final (48-hour) notice on 2026-03-15; disconnection no sooner than 2026-03-17",
    );
  });
});

describe("a collector opens a dispute on a bill item, keyboard only", () => {
  const dialog = () => page.getByRole("dialog", { name: "Open a dispute" });

  it("ticks the disputed item, says why, and the section shows it held from collection", async () => {
    const keys = countingKeyboard(page);
    await keys.press("i");
    await dialog().waitFor();
    await poll(async () => (await focused(page)).name).toBe("Disputed");
    await dialog().getByTestId("dispute-items").getByRole("checkbox").first().waitFor();
    const labels = await dialog().getByTestId("dispute-items").locator("label").allTextContents();
    expect(labels).toEqual([
      "Energy, 2026-01-02 to 2026-01-31, due 2026-02-10 (past due): $300.00 open",
      "Energy, 2026-02-01 to 2026-02-28, due 2026-03-20: $180.00 open",
    ]);
    // Nothing ticked: refused at the list of items, nothing sent.
    await keys.press("Control+Enter");
    await dialog().getByText("Tick the items the customer disputes, or choose the whole account").waitFor();
    await keys.press("Space");
    await poll(async () => (await focused(page)).name).toMatch(/due 2026-02-10/);
    await dialog().getByText("$300.00 held from collection while the dispute is open").waitFor();
    await keys.press("Tab", 2);
    await poll(async () => (await focused(page)).name).toBe("Reason");
    await keys.type("Says January was billed on an estimated read");
    await keys.press("Tab");
    await keys.type("Meter photo taken 2026-01-31 reads 18204.");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(dialog(), "collections-dispute");
    await keys.press("Control+Enter");
    await notice().waitFor();
    expect(await text(notice())).toMatch(
      /^Dispute \d+ opened on 1 item: \$300\.00 is held from collection while it is investigated\.$/,
    );
    await poll(async () => (await focused(page)).name).toBe(await text(notice()));
    console.log(`open a dispute: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
    await dialog().waitFor({ state: "hidden" });
    const entry = section().getByTestId(/^dispute-\d+$/);
    await entry.getByText("Held from collection while investigated").waitFor();
    expect(await text(entry)).toContain(
      "On 1 item, $300.00, opened 2026-03-02 by colette: Says January was billed on an estimated read",
    );
    // What is collected leaves the disputed item out.
    await section()
      .getByText(/\$0\.00 past due and collectible.*\$300\.00 in dispute, not collected/)
      .waitFor();
    // A collector may open disputes, not resolve them.
    expect(await entry.getByRole("button", { name: /^Resolve/ }).count()).toBe(0);
    expect(await axeViolations(page, "section")).toEqual([]);
  });

  it("records an energy-assistance pledge from the palette", async () => {
    await poll(async () => await page.locator("[role=dialog][aria-modal=true]").count()).toBe(0);
    await palette("pledge", /^Record an energy-assistance pledge/);
    const pledge = page.getByRole("dialog", { name: "Record an energy-assistance pledge" });
    await pledge.waitFor();
    await poll(async () => (await focused(page)).name).toBe("Agency");
    await page.keyboard.type("Sacramento Employment and Training Agency");
    await page.keyboard.press("Tab");
    await page.keyboard.type("150.5");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    // Before the day it was pledged: refused by the server, said at the field it names.
    await page.keyboard.type("2026-02-15");
    await page.keyboard.press("Control+Enter");
    await pledge.getByText("before pledged_on").waitFor();
    await poll(async () => (await focused(page)).name).toBe("Payment expected by");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("2026-04-15");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await page.keyboard.press("Control+Enter");
    await poll(() => text(notice())).toMatch(
      /^Pledge \d+ of \$150\.50 from Sacramento Employment and Training Agency recorded, pending until 2026-04-15\.$/,
    );
    await pledge.waitFor({ state: "hidden" });
    // The section lists it, pending until the day the payment is expected.
    expect(await text(section().getByTestId(/^pledge-\d+$/))).toMatch(
      /^Pledge \d+: pending\$150\.50 from Sacramento Employment and Training Agency, pledged 2026-03-02, expected by 2026-04-15; recorded by colette/,
    );
    // The agency's payment comes in: the pledge is marked received and holds collection no longer.
    const received = section().getByRole("button", { name: /^Pledge \d+ received$/ });
    await received.focus();
    await page.keyboard.press("Enter");
    await poll(() => text(notice())).toMatch(
      /^Pledge \d+ from Sacramento Employment and Training Agency received: it no longer holds collection\.$/,
    );
    await section()
      .getByText(/^Pledge \d+: received$/)
      .waitFor();
    expect(
      await section()
        .getByRole("button", { name: /^Pledge \d+ received$/ })
        .count(),
    ).toBe(0);
  });
});

describe("a lead resolves the dispute and keys a heat forecast", () => {
  const dialog = () => page.getByRole("dialog", { name: /^Resolve dispute \d+$/ });

  it("resolves it denied, with what the investigation found", async () => {
    await context.clearCookies();
    await page.goto("/");
    await signIn(page, "lorena", TEST_PASSWORD);
    await page.keyboard.press("/");
    await page.keyboard.type(noticed.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await section()
      .getByRole("button", { name: /^Resolve dispute \d+$/ })
      .waitFor();
    await poll(() => focused(page)).toMatchObject({ tag: "h1" });
    await palette("resolve a dispute", /^Resolve a dispute/);
    await dialog().waitFor();
    await poll(async () => (await focused(page)).name).toBe("Outcome");
    // Ctrl+Enter with nothing found written: refused at the field.
    await page.keyboard.press("Control+Enter");
    await dialog().getByText("What the investigation found", { exact: true }).first().waitFor();
    await poll(async () => (await focused(page)).name).toBe("What the investigation found");
    await page.keyboard.type("The January read was an actual read of 18204; the bill stands.");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await page.keyboard.press("Control+Enter");
    await poll(() => text(notice())).toMatch(
      /^Dispute \d+ denied: collection of what it held resumes with the next run\.$/,
    );
    const entry = section().getByTestId(/^dispute-\d+$/);
    await entry.getByText(/^Dispute \d+: denied$/).waitFor();
    expect(await text(entry)).toContain(
      "Denied 2026-03-02 by lorena: The January read was an actual read of 18204; the bill stands.",
    );
    expect(
      await section()
        .getByRole("button", { name: /^Resolve dispute/ })
        .count(),
    ).toBe(0);
    await section()
      .getByText(/^\$300\.00 past due and collectible/)
      .waitFor();
    await guideShot(entry, "collections-dispute-resolved");
  });

  it("keys a forecast high for a territory and sees it on file", async () => {
    await dialog().waitFor({ state: "hidden" });
    await palette("heat forecasts", /^Heat forecasts/);
    await page.waitForURL(/\/collections\/heat$/);
    // The page has arrived once the forecasts on file are read and focus is in the first field.
    await page.getByLabel("Loading the forecasts").waitFor({ state: "detached" });
    await poll(async () => (await focused(page)).name).toBe("Territory");
    const field = (name: string) => page.getByRole("textbox", { name });
    await page.keyboard.type("s");
    await page.keyboard.press("Tab");
    await poll(async () => (await focused(page)).name).toBe("Date");
    await page.keyboard.type("2026-03-04");
    await page.keyboard.press("Tab");
    await poll(async () => (await focused(page)).name).toBe("Forecast high (F)");
    await page.keyboard.type("104");
    expect([await field("Territory").inputValue(), await field("Date").inputValue()]).toEqual(["s", "2026-03-04"]);
    expect(await field("Forecast high (F)").inputValue()).toBe("104");
    await page.keyboard.press("Enter");
    await poll(() => text(page.getByTestId("heat-notice"))).toBe("104 F keyed for territory S on 2026-03-04.");
    const row = page.getByTestId("heat-forecast");
    await poll(() => row.count()).toBe(1);
    expect(await text(row)).toMatch(/^2026-03-04SAt or above 100 F104 F.* by lorena$/);
    await poll(async () => (await focused(page)).name).toBe("Date");
    await page.getByRole("banner").screenshot({ path: path.join(repo, ".tmp/screenshots/collector-lead-header.png") });
    expect(await axeViolations(page)).toEqual([]);
  });

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
