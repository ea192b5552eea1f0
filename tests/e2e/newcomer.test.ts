import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { seedUtility } from "../../src/seed/seed.js";
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
const MARKUP = `<b>loud</b> <img src=x onerror="window.__hit=1"> <script>window.__hit=2</script>`;

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
let accountId: number;
let partyId: number;
let seededAccountId: number | null = null;
const pageErrors: string[] = [];
/** Keys pressed beyond the typed data, per task. */
const keystrokes: Record<string, { count: number; keys: string[] }> = {};

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const record = (task: string, keys: { count: number; pressed: string[] }) => {
  keystrokes[task] = { count: keys.count, keys: [...keys.pressed] };
  console.log(`${task}: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
};

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "csr",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  await createUser(server.ctx, { username: "boss", display_name: "B", password: TEST_PASSWORD, roles: ["admin"] });
  token = (await createToken(server.ctx, "boss", "seed")).token;
  // A small utility around the customer the newcomer looks for, so the search has others to rank.
  seededAccountId = (await seedUtility(server.ctx, { accounts: 300, seed: 11 })).first_account_id;
  const res = await server.app.inject({
    method: "POST",
    url: "/api/v1/customers",
    headers: { authorization: `Bearer ${token}` },
    payload: {
      party: {
        kind: "person",
        first_name: "Rosalind",
        last_name: "Fairweather",
        phones: [{ number: "(916) 555-0142", label: "mobile", primary: true }],
        mailing_address: { line1: "48 Larkspur Court", city: "Davis", state: "CA", zip: "95616" },
      },
      account: { bill_cycle: "07" },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const made = res.json() as { account: { id: number }; party: { id: number } };
  accountId = made.account.id;
  partyId = made.party.id;
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404|409)/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) {
    mkdirSync(path.join(repo, ".tmp"), { recursive: true });
    writeFileSync(path.join(repo, ".tmp/keystrokes.json"), `${JSON.stringify(keystrokes, null, 2)}\n`);
  }
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("the newcomer path, keyboard only after sign-in", () => {
  it("finds the account from a surname with two letters swapped", async () => {
    await signIn(page, "csr", TEST_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ role: "combobox" });
    const keys = countingKeyboard(page);
    await keys.type("Fariweather");
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await keys.press("Enter");
    await heading().getByText("Fairweather, Rosalind").waitFor();
    expect(page.url()).toContain(`/accounts/${accountId}`);
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    record("find an account", keys);
    expect(keys.count).toBeLessThanOrEqual(2);
  });

  it("shows the account on one screen, and axe finds nothing serious", async () => {
    const main = page.getByRole("main");
    for (const title of ["Customer", "Premises and service", "Enrolments", "Contacts", "Audit history"]) {
      await main.getByRole("heading", { level: 2, name: title }).waitFor();
    }
    await main.getByText("(916) 555-0142").first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "account-view");
  });

  it("logs a phone contact in a few keys plus the notes, and shows markup in the notes as text", async () => {
    const keys = countingKeyboard(page);
    await keys.press("c");
    const dialog = page.getByRole("dialog", { name: "Log contact" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Reason" });
    expect(await axeViolations(page)).toEqual([]);
    await keys.press("b"); // the first reason starting with b: billing question
    await keys.press("Tab");
    await keys.type(MARKUP);
    await screenshot(page, "log-contact");
    await keys.press("Control+Enter");
    await dialog.waitFor({ state: "hidden" });
    record("log a contact", keys);
    expect(keys.count).toBeLessThanOrEqual(5);
    const notes = page.getByTestId("contact-notes").first();
    await notes.waitFor();
    expect(await notes.textContent()).toBe(MARKUP);
    expect(await notes.locator("b, img, script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __hit?: number }).__hit)).toBeUndefined();
    await page.getByRole("main").getByText("Billing question").first().waitFor();
    const stored = await server.app.inject({
      method: "GET",
      url: `/api/v1/accounts/${accountId}/contacts`,
      headers: { authorization: `Bearer ${token}` },
    });
    const contacts = stored.json() as { contacts?: { channel: string; notes: string }[] } | { channel: string }[];
    const list = Array.isArray(contacts) ? contacts : (contacts.contacts ?? []);
    expect(list[0]).toMatchObject({ channel: "phone", reason_code: "billing_question", outcome: "resolved" });
  });

  it("edits the phone number and sees the change in the audit history", async () => {
    await expect.poll(() => focused(page)).not.toMatchObject({ role: "dialog" });
    const keys = countingKeyboard(page);
    await keys.press("e");
    const dialog = page.getByRole("dialog", { name: "Edit customer details" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Phone (mobile)" });
    expect(await axeViolations(page)).toEqual([]);
    await keys.press("Control+A");
    await keys.type("(530) 555-0199");
    await keys.press("Control+Enter");
    await dialog.waitFor({ state: "hidden" });
    record("edit the phone number", keys);
    const main = page.getByRole("main");
    await main.getByText("(530) 555-0199 (mobile, primary)").waitFor();
    const audit = main.getByRole("table", { name: "Audit history" });
    await expect
      .poll(async () => (await audit.getByRole("row").nth(1).textContent()) ?? "")
      .toMatch(/\(530\) 555-0199/);
    expect(await audit.getByRole("row").nth(1).textContent()).toMatch(/party/i);
    await screenshot(page, "account-after-edit");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("says someone else changed it on a stale edit, shows the current values, and re-applies", async () => {
    await page.keyboard.press("e");
    const dialog = page.getByRole("dialog", { name: "Edit customer details" });
    await dialog.waitFor();
    // Someone else changes the email while the form is open.
    const version = (
      (
        await server.app.inject({
          method: "GET",
          url: `/api/v1/parties/${partyId}`,
          headers: { authorization: `Bearer ${token}` },
        })
      ).json() as { version: number }
    ).version;
    const other = await server.app.inject({
      method: "PATCH",
      url: `/api/v1/parties/${partyId}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { version, email: "rosalind@example.org" },
    });
    expect(other.statusCode, other.body).toBe(200);
    await page.keyboard.press("Control+A");
    await page.keyboard.type("(530) 555-0111");
    await page.keyboard.press("Control+Enter");
    const alert = dialog.getByRole("alert");
    await alert.getByText("Someone else changed it").waitFor();
    expect(await alert.textContent()).toContain("rosalind@example.org");
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Control+Enter");
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("main").getByText("(530) 555-0111 (mobile, primary)").waitFor();
  });

  it("shows a seeded account's service, meter and enrolments, and axe finds nothing serious there", async () => {
    expect(seededAccountId).not.toBeNull();
    await page.goto(`/accounts/${seededAccountId}`);
    const main = page.getByRole("main");
    await main.getByRole("heading", { level: 2, name: "Premises and service" }).waitFor();
    await main.getByRole("heading", { level: 2, name: "Audit history" }).waitFor();
    await expect.poll(() => main.getByText("No service agreements.").count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "account-seeded");
  });

  it("offers the account's actions in the palette and the shortcut list", async () => {
    await page.keyboard.press("Control+K");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.waitFor();
    await page.keyboard.type("log contact");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Log contact" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await page.keyboard.press("?");
    const shortcuts = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await shortcuts.waitFor();
    const text = (await shortcuts.textContent()) ?? "";
    expect(text).toContain("Log contact");
    expect(text).toContain("Edit customer details");
    await page.keyboard.press("Escape");
  });

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
