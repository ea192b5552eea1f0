import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertBill } from "../../src/modules/billing/bill-fixtures.js";
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
import { aPerson, aPremise, newCustomer } from "../support/customer-fixtures.js";
import { TEST_PASSWORD, type TestApp } from "../support/testkit.js";

// A customer on the phone asks to pay the same every month. Keyboard only, the CSR opens the account from the search
// box, runs "Enrol in level pay" from the palette, reads the amount and policy's sentence to the customer, and
// confirms with Ctrl+Enter; the level pay section then shows the plan: the level amount, the deferred balance, the
// next review and the true-up.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const account = { id: 0, number: "" };
const pageErrors: string[] = [];

const section = () => page.getByRole("region", { name: "Level pay" });
const dialog = () => page.getByRole("dialog", { name: "Enrol in level pay" });
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
    username: "luisa",
    display_name: "Luisa Ferreira",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  const bearer = { authorization: `Bearer ${(await createToken(server.ctx, "luisa", "seed")).token}` };
  const t = { app: server.app, as: async () => bearer } as unknown as TestApp;
  const made = await newCustomer(t, {
    party: aPerson({
      first_name: "Imelda",
      last_name: "Ostrowski",
      date_of_birth: "1971-02-08",
      identity: { type: "ssn", number: "623-48-2020" },
      mailing_address: { line1: "77 Poplar Ave", city: "Sacramento", state: "CA", zip: "95818" },
    }),
    premise: aPremise({ address_line1: "77 Poplar Ave" }),
    service_agreement: { tariff_code: "E-1", start_date: "2025-02-01" },
  });
  Object.assign(account, { id: made.account.id as number, number: made.account.account_number as string });
  // Twelve monthly bills, March 2025 to February 2026: $90.00 in the spring rising to $210.00 in the summer.
  const cents = [9_000, 9_500, 11_000, 15_000, 19_500, 21_000, 18_000, 12_500, 10_000, 11_500, 12_000, 10_500];
  for (const [i, amount] of cents.entries()) {
    const month = String(((i + 2) % 12) + 1).padStart(2, "0");
    const year = i < 10 ? 2025 : 2026;
    const last = new Date(Date.UTC(year, Number(month), 0)).getUTCDate();
    await insertBill(server.database, {
      account_id: account.id,
      service_agreement_id: made.service_agreement.id as number,
      period_from: `${year}-${month}-01`,
      period_to: `${year}-${month}-${last}`,
      kwh: "500",
      lines: [
        {
          description: "Energy",
          quantity: "500",
          unit: "kWh",
          price: "0.3",
          amount_cents: amount,
          kind: "energy",
          rule: "E-1 energy",
        },
      ],
    });
  }
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

describe("a CSR enrols a customer in level pay, keyboard only", () => {
  it("sees what policy gives, enrols from the palette with Ctrl+Enter, and sees the level amount", async () => {
    await signIn(page, "luisa", TEST_PASSWORD);
    const keys = countingKeyboard(page);
    await keys.press("/");
    await keys.type(account.number);
    await page.getByRole("listbox", { name: "Accounts found" }).getByRole("option").first().waitFor();
    await keys.press("Enter");
    await page.waitForURL(/\/accounts\/\d+$/);
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    // $1,595.00 over 12 bills is $132.92 a bill: $133.00 a month.
    const sentence =
      "Level pay of $133.00 a month: the average of the 12 bills of the last 12 months ($1,595.00 in all, $132.92 a " +
      "bill), rounded up to the dollar.";
    await expect.poll(() => text(section().getByTestId("level-pay-decision"))).toContain(sentence);

    await keys.press("Control+K");
    await page.getByRole("dialog", { name: "Command palette" }).waitFor();
    await keys.type("level pay");
    await paletteShows(page, /^Enrol in level pay/);
    await keys.press("Enter");
    await dialog().waitFor();
    expect(await text(dialog().getByTestId("level-pay-amount"))).toBe("$133.00 a month");
    const said = await text(dialog().getByTestId("level-pay-sentence"));
    expect(said).toContain(sentence);
    expect(said).toContain("Rule level_pay.eligible");
    await expect.poll(async () => (await focused(page)).name).toBe("Enrol at $133.00 a month");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(dialog(), "level-pay-enrol");
    await keys.press("Control+Enter");
    await dialog().waitFor({ state: "hidden" });

    const notice = section().getByTestId("level-pay-notice");
    await notice.waitFor();
    expect(await text(notice)).toBe(
      "Enrolled in level pay at $133.00 a month; next review 2026-07-01, true-up 2027-03-01.",
    );
    await expect.poll(async () => (await focused(page)).name).toBe(await text(notice));
    const plan = section().getByTestId("level-pay-plan");
    await plan.waitFor();
    const shown = await text(plan);
    expect(shown).toContain("$133.00 a month since 2026-03-02; deferred balance $0.00");
    expect(shown).toContain("Next review with the first bill from 2026-07-01; true-up with the bill of 2027-03-01.");
    const history = section().getByRole("table", { name: "Level pay history" });
    expect(await text(history.getByRole("row").nth(1))).toContain("Enrolled");
    // Ctrl+K, the words, Enter; then Ctrl+Enter: the account was found with / and Enter.
    expect(keys.pressed).toEqual(["/", "Enter", "Control+K", "Enter", "Control+Enter"]);
    expect(await axeViolations(page, "section")).toEqual([]);
    await guideShot(section(), "level-pay-section");
    expect(pageErrors).toEqual([]);
  });
});
