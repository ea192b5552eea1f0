import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
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
import { aPerson, aPremise, newCustomer } from "../support/customer-fixtures.js";
import { TEST_PASSWORD, type TestApp } from "../support/testkit.js";

// A CSR opens a new customer's account (no payment history): the credit section says why a deposit is required and
// how much, the CSR requires it (the balance shows it due), then records a letter of credit from the customer's
// previous utility that waives it (the balance is back to $0.00). On a second new customer a letter that falls
// short says what it lacks, and a credit check through the sandbox bureau (labelled as such) decides instead.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** New customers: one who brings a good letter of credit, one whose letter falls short. */
const newcomer = { id: 0, number: "" };
const shortLetter = { id: 0, number: "" };
const pageErrors: string[] = [];
const keystrokes: Record<string, number> = {};

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const section = () => page.getByRole("region", { name: "Credit and deposits" });
const notice = () => page.getByTestId("credit-notice");
const decisions = () => section().getByTestId("credit-decision");
const summary = async () => (await page.getByTestId("balance-summary").textContent())?.replace(/\s+/g, " ");
const text = async (target: Locator) => ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();
const cellsOf = async (row: Locator) =>
  (await row.locator("th, td").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
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

/** Opens the account from the search box with the keyboard: `/`, its number, Enter. */
async function openAccount(keys: ReturnType<typeof countingKeyboard>, number: string) {
  await keys.press("/");
  await keys.type(number);
  await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
  await keys.press("Enter");
  await page.waitForURL(/\/accounts\/\d+$/);
  await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
}

/** Runs a palette command by typing its words. */
async function palette(keys: ReturnType<typeof countingKeyboard>, words: string) {
  await keys.press("Control+K");
  await page.getByRole("dialog", { name: "Command palette" }).waitFor();
  await keys.type(words);
  await keys.press("Enter");
}

/** The notice line says this and has focus. */
async function said(expected: string | RegExp) {
  await notice().waitFor();
  await expect.poll(() => text(notice())).toMatch(expected);
  await expect.poll(async () => (await focused(page)).name).toBe(await text(notice()));
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "casey",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  // The customers are opened as the new-customer form opens them, by a CSR.
  const bearer = { authorization: `Bearer ${(await createToken(server.ctx, "casey", "seed")).token}` };
  const t = { app: server.app, as: async () => bearer } as unknown as TestApp;
  const made = async (first: string, last: string, ssn: string, street: string) => {
    const res = await newCustomer(t, {
      party: aPerson({
        first_name: first,
        last_name: last,
        email: `${first.toLowerCase()}@example.com`,
        identity: { type: "ssn", number: ssn },
        mailing_address: { line1: street, city: "Sacramento", state: "CA", zip: "95814" },
      }),
      premise: aPremise({ address_line1: street }),
    });
    return { id: res.account.id as number, number: res.account.account_number as string };
  };
  Object.assign(newcomer, await made("Odalys", "Ferreira", "123-45-6789", "418 Capitol Mall"));
  // An identity number ending in 9999 is one the sandbox bureau always scores 780.
  Object.assign(shortLetter, await made("Tomasz", "Brennan", "523-45-9999", "77 Alhambra Blvd"));
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    // A refusal (422) is an answer the dialog shows, not an error of the page.
    if (msg.type() === "error" && !/status of (401|404|422)|net::ERR_/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  if (Object.keys(keystrokes).length) console.log(`keystrokes beyond the typed data: ${JSON.stringify(keystrokes)}`);
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("credit and deposits on the account page, keyboard first", () => {
  it("a new customer's account says why a deposit is required, and how much", async () => {
    await signIn(page, "casey", TEST_PASSWORD);
    await heading().getByText("Find a customer").waitFor();
    const keys = countingKeyboard(page);
    await openAccount(keys, newcomer.number);
    await heading().getByText("Ferreira, Odalys").waitFor();
    await expect.poll(summary).toBe("Balance$0.00Amount due$0.00Past due$0.00");

    await palette(keys, "credit and deposits");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h2", name: "Credit and deposits" });
    await decisions().first().waitFor();
    expect(await text(section().getByTestId("credit-score"))).toBe("100 of 100");
    expect(await text(section())).toContain("No history");
    expect(await text(section())).toContain("no payment history yet");
    expect(await text(decisions().nth(0))).toContain("No credit rating: fewer than 6 months of payment history (0).");
    const deposit = await text(decisions().nth(1));
    expect(deposit).toContain(
      "A deposit of $240.00 (2 x the estimated average monthly bill of $120.00, from the residential average, the " +
        "premise having too little history) is required to start service: the customer has fewer than 6 months of " +
        "payment history with us. A letter of credit from another utility or a satisfactory credit check waives it.",
    );
    expect(deposit).toContain("Deposit required");
    expect(deposit).toContain("Rule deposit.establishment.no_history");
    expect(await text(section())).toContain("No deposits on this account.");
    expect(await text(section())).toContain("No letter of credit on file.");
    expect(await text(section())).toContain("No external credit check on file.");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "credit-deposit-required");
  });

  it("requires the deposit: reason preselected, Enter bills it, the balance shows it due", async () => {
    const keys = countingKeyboard(page);
    await keys.press("d");
    const dialog = page.getByRole("dialog", { name: "Require a deposit" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Billed" });
    expect(await dialog.getByRole("combobox", { name: "Reason" }).inputValue()).toBe("establishment");
    expect(await text(dialog.getByTestId("deposit-sentence"))).toContain("A deposit of $240.00");
    const choices = await dialog.getByRole("combobox", { name: "Billed" }).locator("option").allTextContents();
    expect(choices).toEqual([
      "All at once ($240.00)",
      "2 monthly installments of $120.00",
      "3 monthly installments of $80.00",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "credit-require-deposit");
    await keys.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await said("Deposit 1 of $240.00 required to start service, billed at once: it is now on the account's balance.");
    record("require the deposit policy decided (from the account page)", keys);
    expect(keys.count).toBe(2);

    await expect.poll(summary).toBe("Balance$240.00Amount due$240.00Past due$0.00");
    const row = section().getByTestId("deposit");
    await row.waitFor();
    expect(await cellsOf(row)).toEqual([
      "Deposit 1to start service · 2026-03-02 · casey",
      "Billed",
      "$240.00",
      "$0.00",
      "$240.00",
      "Billed at onceRule deposit.establishment.no_history",
    ]);
    expect(await text(section().getByTestId("deposit-totals"))).toContain("Deposits held: $0.00Deposits due: $240.00");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("records a letter of credit from the previous utility with the keyboard: the deposit is waived", async () => {
    const keys = countingKeyboard(page);
    await keys.press("l");
    const dialog = page.getByRole("dialog", { name: "Record a letter of credit" });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Utility that wrote it" });
    await keys.type("Sierra Valley Electric Cooperative");
    await keys.press("Tab");
    await keys.type("36");
    await keys.press("Tab");
    await keys.type("0");
    await keys.press("Tab");
    await keys.type("0");
    await keys.press("Tab");
    await keys.type("2026-02-20");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(dialog, "credit-letter-of-credit");
    await keys.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await said(
      "The letter from Sierra Valley Electric Cooperative waives a deposit to start or restore service: deposit 1 " +
        "($240.00) waived.",
    );
    record("record a letter of credit that waives the deposit", keys);
    expect(keys.count).toBe(6);

    await expect.poll(summary).toBe("Balance$0.00Amount due$0.00Past due$0.00");
    const row = section().getByTestId("deposit");
    await expect.poll(async () => (await cellsOf(row))[1]).toBe("Waived");
    expect((await cellsOf(row)).slice(2)).toEqual([
      "$240.00",
      "$0.00",
      "$0.00",
      "Waived: letter of credit 1 from Sierra Valley Electric Cooperative on 2026-03-02Rule deposit.establishment.no_history",
    ]);
    expect(await text(section().getByTestId("deposit-totals"))).toContain("Deposits held: $0.00Deposits due: $0.00");
    const now = await text(decisions().nth(1));
    expect(now).toContain(
      "No deposit to start service: a letter of credit from Sierra Valley Electric Cooperative (2026-02-20) shows 36 " +
        "months of service with no late payments and no disconnections.",
    );
    expect(now).toContain("Rule deposit.establishment.letter_of_credit");
    const letter = await text(section().getByTestId("letter"));
    expect(letter).toContain(
      "Sierra Valley Electric Cooperative, letter of 2026-02-20: 36 months of service, no late payments, no disconnections.",
    );
    expect(letter).toContain("Waives the deposit to start service");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "credit-deposit-waived");
  });

  it("asked again for a deposit to start service, policy refuses at the reason, in its own words", async () => {
    await page.keyboard.press("d");
    const dialog = page.getByRole("dialog", { name: "Require a deposit" });
    await dialog.waitFor();
    // Policy no longer requires one: nothing is preselected, the cursor is on the reason.
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Reason" });
    await page.keyboard.press("t"); // To start service
    expect(await dialog.getByRole("combobox", { name: "Reason" }).inputValue()).toBe("establishment");
    await page.keyboard.press("Control+Enter");
    const refusal = dialog.getByText(/^No deposit to start service: a letter of credit from Sierra Valley/);
    await refusal.waitFor();
    expect(await focused(page)).toMatchObject({ tag: "select", name: "Reason" });
    expect(await dialog.getByRole("combobox", { name: "Reason" }).getAttribute("aria-invalid")).toBe("true");
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(summary).toBe("Balance$0.00Amount due$0.00Past due$0.00");
    expect(await section().getByTestId("deposit").count()).toBe(1);
  });

  it("a letter that falls short says what it lacks; a sandbox credit check decides instead", async () => {
    const keys = countingKeyboard(page);
    await openAccount(keys, shortLetter.number);
    await heading().getByText("Brennan, Tomasz").waitFor();
    await decisions().first().waitFor();
    expect(await text(decisions().nth(1))).toContain("is required to start service");

    // From the palette this time: typing its words finds the action before the section.
    await palette(keys, "letter of credit");
    const dialog = page.getByRole("dialog", { name: "Record a letter of credit" });
    await dialog.waitFor();
    // Nothing typed yet: the first field it needs is named and has the cursor.
    await keys.press("Enter");
    await dialog.getByText("The utility that wrote the letter").waitFor();
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Utility that wrote it" });
    await keys.type("Delta Public Power");
    await keys.press("Tab");
    await keys.type("8");
    await keys.press("Tab");
    await keys.type("1");
    await keys.press("Tab");
    await keys.type("0");
    await keys.press("Tab");
    await keys.type("2026-01-15");
    await keys.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await said(
      "The letter from Delta Public Power is kept, but it does not waive a deposit: 8 months of service (policy asks " +
        "12), 1 late payment (at most 0).",
    );
    record("record a letter of credit that falls short", keys);
    expect(await text(section().getByTestId("letter"))).toContain(
      "Delta Public Power, letter of 2026-01-15: 8 months of service, 1 late payment, no disconnections.",
    );
    expect(await section().getByText("Waives the deposit to start service").count()).toBe(0);
    expect(await text(decisions().nth(1))).toContain("is required to start service");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "credit-letter-short");

    await palette(keys, "run a credit check");
    await said(/^Credit check by the sandbox bureau \(asks no one\): score 780 \(good\), reference SBX-20260302-/);
    const check = await text(section().getByTestId("credit-check"));
    expect(check).toContain(
      "Sandbox bureau (asks no one: for testing and training), 2026-03-02: score 780 (good): long credit history; no delinquencies reported.",
    );
    await expect
      .poll(() => text(decisions().nth(1)))
      .toContain(
        "No deposit to start service: the customer has no payment history with us, and the credit check of " +
          "2026-03-02 scored 780 (good from 620).",
      );
    expect(await text(decisions().nth(1))).toContain("Rule deposit.establishment.credit_check_good");
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(section(), "credit-check-sandbox");
    expect(pageErrors).toEqual([]);
  });
});
