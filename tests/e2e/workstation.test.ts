import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
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

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
/** Account ids of the customers made for searching (empty if the customer API refused: then those tests skip). */
const accounts: number[] = [];
let adminToken = "";

/** Calls the API as an admin, outside the browser; throws unless the answer is 2xx. */
async function call(method: "POST" | "PATCH", url: string, payload: object) {
  const res = await server.app.inject({ method, url, payload, headers: { authorization: `Bearer ${adminToken}` } });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, { id: number }> & { id: number };
}

/**
 * A customer served at one premise under two agreements (one in force, one starting next month, which the API
 * lists first), enrolled in CARE, with 60 contacts: more audit history than one page shows.
 */
async function busyAccount(): Promise<number> {
  const made = await call("POST", "/api/v1/customers", {
    party: { kind: "person", first_name: "Ottilie", last_name: "Brannigan" },
    account: { bill_cycle: "07" },
    premise: {
      address_line1: "480 Sequoia Way",
      city: "Visalia",
      zip: "93291",
      baseline_territory: "W",
      climate_zone: 13,
      tax_jurisdiction: "City of Visalia",
    },
    service_point: { description: "House panel" },
    meter: { meter_number: "WS-77001", kind: "register", registers: [{ unit: "kWh", dials: 5 }] },
    service_agreement: { tariff_code: "E-1", start_date: "2026-03-02" },
  });
  const accountId = made.account!.id;
  const point = await call("POST", `/api/v1/premises/${made.premise!.id}/service-points`, { description: "Garage EV" });
  await call("POST", "/api/v1/service-agreements", {
    account_id: accountId,
    service_point_id: point.id,
    tariff_code: "EV-2A",
    start_date: "2026-04-01",
  });
  await call("POST", `/api/v1/accounts/${accountId}/enrolments`, {
    program: "care",
    effective_from: "2026-01-01",
    recertify_by: "2028-01-01",
  });
  for (let i = 0; i < 60; i++) {
    await call("POST", `/api/v1/accounts/${accountId}/contacts`, {
      channel: "phone",
      reason_code: "other",
      outcome: "resolved",
      notes: `call ${i + 1}`,
    });
  }
  return accountId;
}

async function makeCustomer(first: string, last: string, token: string): Promise<number | null> {
  const res = await server.app.inject({
    method: "POST",
    url: "/api/v1/customers",
    headers: { authorization: `Bearer ${token}` },
    payload: {
      party: {
        kind: "person",
        first_name: first,
        last_name: last,
        mailing_address: { line1: "12 Alder Lane", city: "Fresno", state: "CA", zip: "93701" },
      },
      account: { bill_cycle: "07" },
    },
  });
  if (res.statusCode !== 201) return null;
  return (res.json() as { account: { id: number } }).account.id;
}

/** A screenshot of one section of the page (the whole page is long), beside the others in .tmp/screenshots. */
async function sectionShot(title: string, name: string) {
  const section = page.getByRole("region", { name: title });
  await section.screenshot({ path: `.tmp/screenshots/${name}.png`, animations: "disabled" });
}

const searchBox = () => page.getByRole("combobox", { name: "Search customers and accounts" });
const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "csr",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  await createUser(server.ctx, { username: "boss", display_name: "B", password: TEST_PASSWORD, roles: ["admin"] });
  const { token } = await createToken(server.ctx, "boss", "seed");
  adminToken = token;
  for (const [first, last] of [
    ["Philippa", "Quennell"],
    ["Philip", "Quenby"],
    ["Marcus", "Quenby"],
  ] as const) {
    const id = await makeCustomer(first, last, token);
    if (id !== null) accounts.push(id);
  }
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404)/.test(msg.text())) pageErrors.push(msg.text());
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("the workstation frame, keyboard first", () => {
  it("signs in to the home page with the search box focused, and axe finds nothing serious", async () => {
    await signIn(page, "csr", TEST_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ role: "combobox", name: "Search customers and accounts" });
    expect(await page.title()).toBe("Find a customer · Kilowatt");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "home");
  });

  it("finds an account by name and opens the best match with Enter: '/' and Enter beyond the name", async (t) => {
    if (accounts.length < 3) t.skip();
    await page.goto(`/accounts/${accounts[1]}`);
    await heading().getByText("Quenby, Philip").waitFor();
    // After navigation focus is on the page's heading, so "/" is a shortcut, not a character.
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    const keys = countingKeyboard(page);
    await keys.press("/");
    expect(await focused(page)).toMatchObject({ role: "combobox" });
    await keys.type("Quennell");
    await keys.press("Enter");
    await heading().getByText("Quennell, Philippa").waitFor();
    expect(page.url()).toContain(`/accounts/${accounts[0]}`);
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1", name: "Quennell, Philippa" });
    console.log(`find an account: ${keys.count} keystrokes beyond the name (${keys.pressed.join(" ")})`);
    expect(keys.count).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "account");
  });

  it("moves through results with the arrows; Escape closes, then clears", async (t) => {
    if (accounts.length < 3) t.skip();
    await page.keyboard.press("/");
    await page.keyboard.type("Quenby");
    const options = page.getByRole("listbox", { name: "Accounts found" }).getByRole("option");
    await expect.poll(() => options.count()).toBeGreaterThanOrEqual(2);
    const box = searchBox();
    const active = () => box.getAttribute("aria-activedescendant");
    const first = await active();
    expect(await options.first().getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("ArrowDown");
    expect(await active()).not.toBe(first);
    expect(await options.nth(1).getAttribute("aria-selected")).toBe("true");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "search-dropdown");
    await page.keyboard.press("Escape");
    expect(await box.getAttribute("aria-expanded")).toBe("false");
    expect(await box.inputValue()).toBe("Quenby");
    await page.keyboard.press("Escape");
    expect(await box.inputValue()).toBe("");
  });

  it("types '/' into a text field instead of treating it as a shortcut", async () => {
    await searchBox().fill("");
    await searchBox().focus();
    await page.keyboard.type("12/3");
    expect(await searchBox().inputValue()).toBe("12/3");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
  });

  it("opens the palette with Ctrl+K, even from a text field, and runs an action from the keyboard", async () => {
    await searchBox().focus();
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.waitFor();
    expect(await focused(page)).toMatchObject({ role: "combobox", name: "Command" });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "palette");
    await keys.type("go home");
    await keys.press("Enter");
    await heading().getByText("Find a customer").waitFor();
    await palette.waitFor({ state: "hidden" });
    // The home page's own focus target is its search box.
    await expect.poll(() => focused(page)).toMatchObject({ role: "combobox", name: "Search customers and accounts" });
    console.log(`palette action: ${keys.count} keystrokes beyond the typed words`);
    expect(keys.count).toBe(2);
  });

  it("puts focus back where it was when the palette closes without an action", async () => {
    await page.getByRole("button", { name: "Sign out" }).focus();
    await page.keyboard.press("Control+k");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor({ state: "hidden" });
    // Focus goes back as the closing animation ends, which a busy browser may finish after the dialog is hidden.
    await expect.poll(() => focused(page)).toMatchObject({ tag: "button", name: "Sign out" });
  });

  it("keeps the keys typed before the palette appears: a fast Ctrl+K, words and Enter run the first match", async () => {
    await page.getByRole("button", { name: "Sign out" }).focus();
    // Every key arrives in one go, before the browser has drawn the palette (as on a busy machine).
    await page.evaluate(() => {
      const send = (key: string, ctrlKey = false) =>
        document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key, ctrlKey, bubbles: true }));
      send("k", true);
      for (const key of "keyboard shortcuts") send(key);
      send("Enter");
    });
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await page.getByRole("dialog", { name: "Command palette" }).waitFor({ state: "hidden" });
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor({ state: "hidden" });
  });

  it("shows every shortcut on '?', and Escape puts focus back", async () => {
    await page.getByRole("button", { name: "Keyboard shortcuts" }).focus();
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    const text = await dialog.textContent();
    for (const words of [
      "Command palette",
      "Search customers and accounts",
      "Keyboard shortcuts",
      "Open the highlighted",
    ]) {
      expect(text).toContain(words);
    }
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "shortcuts");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => focused(page)).toMatchObject({ tag: "button", name: "Keyboard shortcuts" });
  });

  it("does not offer user administration to a CSR", async () => {
    expect(await page.getByRole("navigation").getByRole("link", { name: "Users" }).count()).toBe(0);
    await page.keyboard.press("Control+K");
    await page.keyboard.type("user administration");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.getByText("No command matches").waitFor();
    await page.keyboard.press("Escape");
    await page.goto("/admin/users");
    await page.getByText("Not available to you").waitFor();
    expect((await page.request.get("/api/v1/users")).status()).toBe(403);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("shows a quiet message for an account that does not exist", async () => {
    await page.goto("/accounts/987654321");
    await page.getByRole("alert").getByText("There is no account 987654321.").waitFor();
    await page.goto("/no/such/page");
    await heading().getByText("Page not found").waitFor();
  });

  it("offers a skip link before everything else, which moves focus to the page", async () => {
    await page.goto("/");
    await heading().getByText("Find a customer").waitFor();
    // The skip link comes before everything else in the header: one Shift+Tab back from the first header link.
    await page.getByRole("banner").getByRole("link", { name: "Kilowatt" }).focus();
    await page.keyboard.press("Shift+Tab");
    expect(await focused(page)).toMatchObject({ tag: "a", name: "Skip to main content" });
    await screenshot(page, "skip-link");
    await page.keyboard.press("Enter");
    // On the home page the page's focus target is its search box.
    expect(await focused(page)).toMatchObject({ role: "combobox", name: "Search customers and accounts" });
  });
});

describe("the account view's service, enrolments and audit history", () => {
  let accountId = 0;

  it("shows each service agreement as a row, the one in force first, and enrolments with their dates", async () => {
    accountId = await busyAccount();
    await page.goto(`/accounts/${accountId}`);
    await heading().getByText("Brannigan, Ottilie").waitFor();
    const main = page.getByRole("main");
    const agreements = main.getByRole("table", { name: "Service agreements" });
    await agreements.waitFor();
    const headers = await agreements.getByRole("columnheader").allTextContents();
    expect(headers).toEqual(["Tariff", "Status", "Start", "End", "Premise and service point", "Meter"]);
    const rows = agreements.getByRole("row");
    expect(await rows.count()).toBe(3);
    // The API lists the later start first; the one in force comes first on screen all the same.
    expect(await rows.nth(1).getByRole("rowheader").textContent()).toBe("E-1");
    const inForce = (await rows.nth(1).textContent()) ?? "";
    for (const text of ["Active", "2026-03-02", "480 Sequoia Way, Visalia, CA 93291", "House panel", "WS-77001"]) {
      expect(inForce).toContain(text);
    }
    const coming = (await rows.nth(2).textContent()) ?? "";
    expect(coming).toContain("EV-2A");
    expect(coming).toContain("Pending");
    expect(coming).toContain("2026-04-01");
    expect(coming).toContain("Garage EV");

    const enrolments = main.getByRole("table", { name: "Enrolments" });
    const care = enrolments.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "CARE" }) });
    expect(await care.textContent()).toMatch(/In force.*2026-01-01.*none.*2028-01-01/);
    expect(await axeViolations(page)).toEqual([]);
    await sectionShot("Premises and service", "account-service");
    await sectionShot("Enrolments", "account-enrolments");
  });

  it("shows the newest 50 audit entries, and older ones with a 'Show older' button reached from the keyboard", async () => {
    const main = page.getByRole("main");
    const audit = main.getByRole("table", { name: "Audit history" });
    await expect.poll(() => audit.getByRole("row").count()).toBe(51);
    expect(await audit.getByRole("row").nth(1).textContent()).toContain("call 60");
    await heading().focus();
    const keys = countingKeyboard(page);
    for (let i = 0; i < 13 && (await focused(page)).name !== "Show older"; i++) await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "button", name: "Show older" });
    console.log(`reach 'Show older' from the page heading: ${keys.count} Tabs (${keys.pressed.join(" ")})`);
    // The page's own stops come first (older activity, take a payment, the balance tabs, the collections section's
    // arrangement, the credit section's three actions, the service section's stop), then the audit button.
    expect(keys.count).toBeLessThanOrEqual(12);
    await main.getByRole("button", { name: "Show older" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: ".tmp/screenshots/account-audit-show-older.png", animations: "disabled" });
    await keys.press("Enter");
    // 60 contacts and the customer's 3 first rows (party, account, agreement), 2 more for the second agreement
    // and the enrolment: 65 in all, appended below the first page.
    await expect.poll(() => audit.getByRole("row").count()).toBe(66);
    expect(await audit.getByRole("row").nth(1).textContent()).toContain("call 60");
    expect(await audit.getByRole("row").last().textContent()).toMatch(/Party create/);
    expect(await main.getByRole("button", { name: "Show older" }).count()).toBe(0);
    // The button is gone at the oldest entry: focus is on the line that says everything is shown, not lost.
    await expect.poll(() => focused(page)).toMatchObject({ name: "65 entries: all of the account's history." });
    expect(await axeViolations(page)).toEqual([]);
    // The oldest entries and the line under them, as the screen shows them (the whole section is long).
    await main.getByRole("status").filter({ hasText: "all of the account's history" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: ".tmp/screenshots/account-audit-older.png", animations: "disabled" });
  });
});

describe("the whole session", () => {
  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
