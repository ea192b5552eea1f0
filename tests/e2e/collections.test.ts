import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollections } from "../../src/modules/collections/index.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge } from "../../src/modules/ledger/index.js";
import { completeOrder, listOrders } from "../../src/modules/orders/index.js";
import { takePayment } from "../../src/modules/payments/index.js";
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
import { aPerson, aPremise, newCustomer } from "../support/customer-fixtures.js";
import { TEST_PASSWORD, type TestApp } from "../support/testkit.js";

// A collector opens a delinquent account from the search box: the collections section says where it stands (a
// past-due notice went out; the letter opens as a PDF), what comes next and when, and policy's decisions with their
// rules. Then, keyboard only, the collector makes a payment arrangement: `m`, the down payment, Tab, the months,
// Ctrl+Enter; the section says what was made and shows its schedule.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const account = { id: 0, number: "" };
const disconnected = { id: 0, number: "" };
const bankrupt = { id: 0, number: "" };
const pageErrors: string[] = [];

const section = () => page.getByRole("region", { name: "Collections" });
const notice = () => page.getByTestId("collections-notice");
const text = async (target: Locator) => ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();

async function guideShot(target: Locator, name: string) {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "colette",
    display_name: "Colette Nakamura",
    password: TEST_PASSWORD,
    roles: ["collector"],
  });
  await createUser(server.ctx, {
    username: "casey",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  const bearer = { authorization: `Bearer ${(await createToken(server.ctx, "casey", "seed")).token}` };
  const t = { app: server.app, as: async () => bearer } as unknown as TestApp;
  const made = await newCustomer(t, {
    party: aPerson({
      first_name: "Renata",
      last_name: "Okafor",
      date_of_birth: "1984-09-12",
      identity: { type: "ssn", number: "623-45-1212" },
      mailing_address: { line1: "2210 Fremont Way", city: "Sacramento", state: "CA", zip: "95818" },
    }),
    premise: aPremise({ address_line1: "2210 Fremont Way" }),
    service_agreement: { tariff_code: "E-1", start_date: "2026-01-02" },
  });
  Object.assign(account, { id: made.account.id as number, number: made.account.account_number as string });
  // A customer disconnected for non-payment: a $150.00 bill due 2026-01-10, the notices, the order worked on 02-02.
  const clock = server.ctx.clock as unknown as { set(instant: string): void };
  const cut = await newCustomer(t, {
    party: aPerson({
      first_name: "Dmitri",
      last_name: "Halvorsen",
      date_of_birth: "1979-05-30",
      identity: { type: "ssn", number: "623-45-3434" },
      mailing_address: { line1: "815 Broadway", city: "Sacramento", state: "CA", zip: "95818" },
    }),
    premise: aPremise({ address_line1: "815 Broadway" }),
    service_agreement: { tariff_code: "E-1", start_date: "2025-12-01" },
  });
  Object.assign(disconnected, { id: cut.account.id as number, number: cut.account.account_number as string });
  clock.set("2026-01-02T18:00:00Z");
  await postCharge(server.ctx, {
    account_id: disconnected.id,
    category: "energy",
    amount_cents: 15_000n,
    due_date: "2026-01-10",
    service_period: { from: "2025-12-01", to: "2025-12-31" },
    reference: "bill:e2e:disconnected",
  });
  for (const day of ["2026-01-13", "2026-01-17", "2026-01-30", "2026-02-01"]) {
    clock.set(`${day}T18:00:00Z`);
    await runCollections(server.ctx);
  }
  const [order] = (await listOrders(server.ctx, { account_id: disconnected.id })).filter(
    (o) => o.kind === "disconnect_nonpay",
  );
  clock.set("2026-02-02T18:00:00Z");
  await completeOrder(server.ctx, order!.id, { version: order!.version, read: "30418", notes: "meter locked off" });
  await runCollections(server.ctx);
  clock.set("2026-03-02T17:00:00Z");
  // A customer about to file: January's bill due 2026-02-10 and February's due 2026-03-20, both unpaid.
  await createUser(server.ctx, {
    username: "lorena",
    display_name: "Lorena Quist",
    password: TEST_PASSWORD,
    roles: ["lead"],
  });
  const filer = await newCustomer(t, {
    party: aPerson({
      first_name: "Augustin",
      last_name: "Ferrand",
      date_of_birth: "1969-11-03",
      identity: { type: "ssn", number: "623-45-5656" },
      mailing_address: { line1: "40 Riverside Blvd", city: "Sacramento", state: "CA", zip: "95818" },
    }),
    premise: aPremise({ address_line1: "40 Riverside Blvd" }),
    service_agreement: { tariff_code: "E-1", start_date: "2026-01-02" },
  });
  Object.assign(bankrupt, { id: filer.account.id as number, number: filer.account.account_number as string });
  for (const [cents, due, from, to] of [
    [20_000n, "2026-02-10", "2026-01-02", "2026-01-31"],
    [18_000n, "2026-03-20", "2026-02-01", "2026-02-28"],
  ] as const) {
    await postCharge(server.ctx, {
      account_id: bankrupt.id,
      category: "energy",
      amount_cents: cents,
      due_date: due,
      service_period: { from, to },
      reference: `bill:e2e:bankrupt:${due}`,
    });
  }
  // A $300.00 bill due 2026-02-10, unpaid: on 2026-03-02 it is 20 days late, so the run sends the past-due notice.
  await postCharge(server.ctx, {
    account_id: account.id,
    category: "energy",
    amount_cents: 30_000n,
    due_date: "2026-02-10",
    service_period: { from: "2026-01-02", to: "2026-01-31" },
    reference: "bill:e2e:collections",
  });
  await runCollections(server.ctx);
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (400|401|404|422)/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("a collector works a delinquent account, keyboard only", () => {
  it("sees where the account stands, what comes next and why, and opens the notice's letter", async () => {
    await signIn(page, "colette", TEST_PASSWORD);
    await page.keyboard.press("/");
    await page.keyboard.type(account.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await section().getByTestId("collections-next").waitFor();
    expect(await text(section().getByTestId("collections-next"))).toBe(
      "Next: final (48-hour) notice on 2026-03-15; disconnection no sooner than 2026-03-17",
    );
    const decisions = await text(section().getByTestId("collections-decisions"));
    expect(decisions).toContain("The account is at the past-due notice (since 2026-03-02)");
    expect(decisions).toContain("collections.waiting");
    const letter = section().getByRole("link", { name: /letter of the past-due notice of 2026-03-02/ });
    const href = await letter.getAttribute("href");
    const pdf = await page.request.get(href!);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    expect(await axeViolations(page, "section")).toEqual([]);
    await guideShot(section(), "collections-section");
  });

  it("makes a payment arrangement: m, the down payment, Tab, the months, Ctrl+Enter", async () => {
    await page.getByRole("main").getByRole("heading", { level: 1 }).focus();
    const started = Date.now();
    const keys = countingKeyboard(page);
    await keys.press("m");
    const dialog = page.getByRole("dialog", { name: "Payment arrangement" });
    await dialog.waitFor();
    await expect.poll(async () => (await focused(page)).name).toBe("Down payment today");
    await keys.type("60");
    await keys.press("Tab");
    await keys.type("4");
    await dialog.getByRole("table", { name: "Schedule" }).getByText("2026-07-02").waitFor();
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(dialog, "collections-arrangement");
    await keys.press("Control+Enter");
    await notice().waitFor();
    const said = await text(notice());
    expect(said).toMatch(
      /^Payment arrangement \d+ made: \$300\.00 past due, \$60\.00 down today, then 4 monthly installments of \$60\.00 from 2026-04-02/,
    );
    await expect.poll(async () => (await focused(page)).name).toBe(said);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `arrangement: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")}), ${seconds.toFixed(1)} s`,
    );
    expect(keys.pressed).toEqual(["m", "Tab", "Control+Enter"]);
    const made = section().getByText(/^Arrangement \d+: active$/);
    await made.waitFor();
    expect(await text(section())).toContain("2026-03-02: $60.00 down · 2026-04-02: $60.00");
  });
});

describe("a CSR restores service for a disconnected customer", () => {
  const restore = () => page.getByRole("dialog", { name: "Restore service" });
  const pay = (cents: number, check: string) =>
    takePayment(server.ctx, {
      account_id: disconnected.id,
      amount_cents: cents,
      tender: { type: "check", check_number: check },
      channel: "counter",
    });
  let depositCents = 0;

  it("sees what policy requires to restore, each with its sentence and rule", async () => {
    await context.clearCookies();
    await page.goto("/");
    await signIn(page, "casey", TEST_PASSWORD);
    await page.keyboard.press("/");
    await page.keyboard.type(disconnected.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await section().getByText("Disconnected", { exact: true }).first().waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    await page.keyboard.press("o");
    await restore().getByTestId("restoration-requirements").waitFor();
    const items = await restore().getByTestId("restoration-requirements").getByRole("listitem").allTextContents();
    expect(items[0]).toBe(
      "Needed: Pay the past-due $150.00, or make a payment arrangement for it.Rule restoration.past_due",
    );
    expect(items[1]).toBe("Needed: A reconnection fee of $75.00: billed when you restore.Rule restoration.fee");
    expect(items[2]).toMatch(/^Needed: .*deposit.*Billed when you restore\.Rule deposit\.reestablishment\./);
    depositCents = Number(/\$([\d,]+\.\d\d)/.exec(items[2]!)![1]!.replace(/[,.]/g, ""));
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(restore(), "collections-restore-requirements");
    // Refused while the past due is unpaid: said in the dialog.
    await page.keyboard.press("Control+Enter");
    await restore()
      .getByRole("alert")
      .getByText("Pay the past-due $150.00, or make a payment arrangement for it.")
      .waitFor();
    await page.keyboard.press("Escape");
    await restore().waitFor({ state: "hidden" });
  });

  it("restores once the past due, the fee and the deposit are paid: the reconnect order is opened", async () => {
    await pay(15_000, "8101");
    await page.keyboard.press("o");
    await restore().getByTestId("restoration-requirements").getByText("Nothing is past due.").waitFor();
    await page.keyboard.press("Control+Enter");
    await notice().waitFor();
    expect(await text(notice())).toMatch(
      /^Not restored yet\. Pay the reconnection fee: \$75\.00 of \$75\.00 is unpaid\. Pay the deposit to restore service:/,
    );
    await pay(7_500 + depositCents, "8102");
    await restore().waitFor({ state: "hidden" });
    await page.keyboard.press("o");
    await restore()
      .getByTestId("restoration-requirements")
      .getByText("The reconnection fee of $75.00 is paid.")
      .waitFor();
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => text(notice())).toMatch(/^Reconnect order \d+ opened: every requirement is met\.$/);
    await section()
      .getByText(/^Order \d+: reconnect, open/)
      .waitFor();
  });
});

describe("a lead records a bankruptcy and files the proof of claim", () => {
  const dialog = () => page.getByRole("dialog", { name: "Record a bankruptcy" });

  it("refuses a petition date after today, naming the rule, then records the case", async () => {
    await context.clearCookies();
    await page.goto("/");
    await signIn(page, "lorena", TEST_PASSWORD);
    await page.keyboard.press("/");
    await page.keyboard.type(bankrupt.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("record a bankruptcy");
    await paletteShows(page, /^Record a bankruptcy/);
    await keys.press("Enter");
    await dialog().waitFor();
    await expect.poll(async () => (await focused(page)).name).toBe("Chapter");
    await keys.press("Tab");
    await keys.type("U.S. Bankruptcy Court, Eastern District of California");
    await keys.press("Tab");
    await keys.type("26-20417");
    await keys.press("Tab");
    await keys.type("2026-03-09");
    await keys.press("Control+Enter");
    const refused = dialog().getByText(/the petition date 2026-03-09 is after today \(2026-03-02\)/);
    await refused.waitFor();
    expect(await text(refused)).toContain("(rule collections.bankruptcy.petition_in_future)");
    await expect.poll(async () => (await focused(page)).name).toBe("Petition date");
    await keys.press("Control+A");
    await keys.type("2026-02-16");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(dialog(), "collections-bankruptcy");
    await keys.press("Control+Enter");
    await notice().waitFor();
    // January in full ($200.00) and 15 of February's 28 days of $180.00 ($96.43).
    expect(await text(notice())).toBe(
      "Bankruptcy case 26-20417 recorded: $296.43 of debt before the petition of 2026-02-16 is stayed and not collected. The proof of claim is ready below.",
    );
    console.log(`record a bankruptcy: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
  });

  it("opens the proof of claim as a PDF", async () => {
    const link = section().getByRole("link", {
      name: "Open the proof of claim for case 26-20417 (opens in a new tab)",
    });
    const pdf = await page.request.get((await link.getAttribute("href"))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    await guideShot(section().getByTestId(/^bankruptcy-/), "collections-bankruptcy-case");
  });

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
