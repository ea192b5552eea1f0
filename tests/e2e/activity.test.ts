import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
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
const MARKUP = '<b>Loud</b><img src=x onerror="window.__hit=1"> wants a payment plan';

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token = "";
const account = { id: 0, number: "" };
const pageErrors: string[] = [];

const timeline = () => page.getByRole("region", { name: "Activity" });
const events = () => timeline().getByRole("list", { name: "Activity, newest first" }).getByRole("listitem");

async function api(method: "GET" | "POST" | "PATCH", url: string, payload?: object, money = false) {
  const headers = { authorization: `Bearer ${token}`, ...(money ? { "idempotency-key": `e2e-${randomUUID()}` } : {}) };
  const res = await server.app.inject({ method, url, payload, headers });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown> & { id: number; version: number };
}

/** A customer with 52 old calls (more than a page), then a payment, a credit, an email change and a call. */
async function busyAccount() {
  const made = (await api("POST", "/api/v1/customers", {
    party: {
      kind: "person",
      first_name: "Imogen",
      last_name: "Thistlewood",
      mailing_address: { line1: "9 Quarry Rd", city: "Chico", state: "CA", zip: "95926" },
    },
    account: { bill_cycle: "07" },
    premise: {
      address_line1: "9 Quarry Rd",
      city: "Chico",
      zip: "95926",
      baseline_territory: "R",
      climate_zone: 11,
      tax_jurisdiction: "City of Chico",
    },
    service_point: { description: "House panel" },
    meter: { meter_number: "AT-31001", kind: "register", registers: [{ unit: "kWh", dials: 5 }] },
    service_agreement: { tariff_code: "E-1", start_date: "2026-03-02" },
  })) as unknown as { account: { id: number; account_number: string }; party: { id: number } };
  account.id = made.account.id;
  account.number = made.account.account_number;
  for (let i = 0; i < 52; i++) {
    await api("POST", `/api/v1/accounts/${account.id}/contacts`, {
      channel: "phone",
      reason_code: "other",
      outcome: "resolved",
      notes: `old call ${i + 1}`,
    });
  }
  const check = { type: "check", check_number: "1234" };
  await api("POST", "/api/v1/payments", { account_id: account.id, amount_cents: 8450, tender: check }, true);
  await api(
    "POST",
    `/api/v1/accounts/${account.id}/adjustments`,
    { kind: "credit", amount_cents: 1500, reason_code: "courtesy_credit", note: "Missed appointment" },
    true,
  );
  const party = await api("GET", `/api/v1/parties/${made.party.id}`);
  await api("PATCH", `/api/v1/parties/${made.party.id}`, { version: party.version, email: "imogen@example.com" });
  await api("POST", `/api/v1/accounts/${account.id}/contacts`, {
    channel: "email",
    reason_code: "high_bill",
    outcome: "follow_up",
    notes: "Asked why March was high\nSent the usage chart",
  });
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, { username: "csr", display_name: "Cam Ortiz", password: TEST_PASSWORD, roles: ["csr"] });
  token = (await createToken(server.ctx, "csr", "setup")).token;
  await busyAccount();
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

describe("the activity timeline, keyboard only", () => {
  it("opens the account, jumps to the timeline with t and shows what happened, newest first", async () => {
    await signIn(page, "csr", TEST_PASSWORD);
    const keys = countingKeyboard(page);
    await keys.press("/");
    await keys.type(account.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await keys.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    await events().first().waitFor();
    await keys.press("t");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h2", name: "Activity" });
    const texts = (await events().allTextContents()).slice(0, 4);
    expect(texts[0]).toContain("Email contact: high bill");
    expect(texts[0]).toContain("Follow up · Asked why March was high");
    expect(texts[0]).not.toContain("usage chart");
    expect(texts[1]).toContain("Customer details changed");
    expect(texts[1]).toContain("Thistlewood, Imogen: email");
    expect(texts[2]).toContain("Credit adjustment $15.00");
    expect(texts[3]).toContain("Payment $84.50 received");
    expect(texts[3]).toContain("Check #1234");
    expect(await events().first().locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await events().count()).toBe(50);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("shows older events from the keyboard until the account was opened", async () => {
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "button", name: "Older events" });
    await page.keyboard.press("Enter");
    await expect.poll(() => events().count()).toBe(59);
    await expect
      .poll(() => focused(page))
      .toMatchObject({ name: "59 events: everything since the account was opened." });
    expect(await events().last().textContent()).toContain("Customer record created");
  });

  it("puts a contact logged with c at the top, its markup shown as text", async () => {
    const keys = countingKeyboard(page);
    await keys.press("c");
    const dialog = page.getByRole("dialog", { name: "Log contact" });
    await dialog.waitFor();
    await keys.press("b"); // billing question
    await keys.press("Tab");
    await keys.type(MARKUP);
    await keys.press("Control+Enter");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(async () => events().first().textContent()).toContain("Phone contact: billing question");
    const first = events().first();
    expect(await first.textContent()).toContain(`Resolved · ${MARKUP}`);
    expect(await first.locator("b, img, script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __hit?: number }).__hit)).toBeUndefined();
    expect(await axeViolations(page)).toEqual([]);
    // A picture of the newest events for the guide.
    await keys.press("t");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h2", name: "Activity" });
    const box = (await timeline().boundingBox())!;
    const file = path.join(repo, ".tmp/screenshots", "activity-timeline.png");
    mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, clip: { ...box, height: Math.min(box.height, 560) }, animations: "disabled" });
    copyFileSync(file, path.join(repo, "docs/guide/img", "activity-timeline.png"));
  });

  it("lists the jump in the shortcut list, and ran without script or console errors", async () => {
    await page.keyboard.press("?");
    const shortcuts = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await shortcuts.waitFor();
    expect(await shortcuts.textContent()).toContain("Activity timeline");
    await page.keyboard.press("Escape");
    expect(pageErrors).toEqual([]);
  });
});
