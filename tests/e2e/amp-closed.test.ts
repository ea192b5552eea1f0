import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollections } from "../../src/modules/collections/index.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge } from "../../src/modules/ledger/index.js";
import { takePayment } from "../../src/modules/payments/index.js";
import type { fixedClock } from "../../src/platform/clock.js";
import { putSetting } from "../../src/platform/settings.js";
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

// Under the IOU profile, a CARE customer with old arrears may enrol in the arrearage management plan (AMP). The
// collector opens the account's collections section, reads policy's sentence, enrols from the palette with Ctrl+Enter,
// sees the plan, and ends it at the customer's request. A closed account's balance, written off and placed with the
// agency, shows where it stands, with the placement file it went out in and what has been recovered since.

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const care = { id: 0, number: "" };
const closed = { id: 0, number: "" };
const pageErrors: string[] = [];

const section = () => page.getByRole("region", { name: "Collections" });
const notice = () => page.getByTestId("collections-notice");
const text = async (target: Locator) => ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();

async function openCollections(account: { id: number }) {
  await page.goto(`/accounts/${account.id}?section=collections`);
  await poll(() => focused(page)).toMatchObject({ tag: "h2", name: "Collections" });
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  const clock = server.ctx.clock as ReturnType<typeof fixedClock>;
  const at = (day: string) => clock.set(`${day}T18:00:00Z`);
  for (const [username, display_name, role] of [
    ["colette", "Colette Nakamura", "collector"],
    ["lorena", "Lorena Quist", "lead"],
  ] as const) {
    await createUser(server.ctx, { username, display_name, password: TEST_PASSWORD, roles: [role] });
  }
  const bearer = { authorization: `Bearer ${(await createToken(server.ctx, "lorena", "seed")).token}` };
  const t = { app: server.app, as: async () => bearer } as unknown as TestApp;
  const rows = (query: ReturnType<typeof sql>) => server.database.rows(server.database.db, query);
  const customer = async (first: string, last: string, ssn: string, street: string, start: string) => {
    const made = await newCustomer(t, {
      party: aPerson({
        first_name: first,
        last_name: last,
        date_of_birth: "1979-08-30",
        identity: { type: "ssn", number: ssn },
        mailing_address: { line1: street, city: "Sacramento", state: "CA", zip: "95820" },
      }),
      premise: aPremise({ address_line1: street }),
      service_agreement: { tariff_code: "E-1", start_date: start },
    });
    await rows(sql`UPDATE accounts SET opened_on = ${start}::date WHERE id = ${made.account.id}::int8`);
    return { id: made.account.id as number, number: made.account.account_number as string };
  };
  const charge = (accountId: number, cents: bigint, due: string, from: string, to: string) =>
    postCharge(server.ctx, {
      account_id: accountId,
      category: "energy",
      amount_cents: cents,
      due_date: due,
      service_period: { from, to },
      reference: `bill:e2e:amp:${accountId}:${due}`,
    });
  await putSetting(server.ctx, "policy.profile", { effective_from: "2025-01-01", value: "iou" });

  // A closed account: its final bill of $300.00 was due 2025-11-20 and never paid. The daily run sends the
  // closed-account notices, writes it off 90 days after the due date and places it with the agency; a $50.00 payment
  // comes in afterwards.
  at("2025-10-25");
  Object.assign(closed, await customer("Ignatius", "Pell", "623-45-8181", "3120 Freeport Blvd", "2025-09-01"));
  await charge(closed.id, 30_000n, "2025-11-20", "2025-09-01", "2025-10-31");
  await rows(sql`UPDATE accounts SET status = 'closed', closed_on = '2025-10-31' WHERE id = ${closed.id}::int8`);
  for (const day of ["2025-11-25", "2025-12-20", "2026-02-18"]) {
    at(day);
    await runCollections(server.ctx);
  }
  at("2026-02-24");
  await takePayment(server.ctx, {
    account_id: closed.id,
    amount_cents: 5_000,
    tender: { type: "check", check_number: "4410" },
    channel: "mail",
  });
  at("2026-02-25");
  await runCollections(server.ctx);

  // A CARE customer of nine months with $600.00 of arrears more than 90 days past due.
  at("2026-03-02");
  Object.assign(care, await customer("Marisol", "Okafor", "623-45-8282", "2231 Broadway", "2025-06-01"));
  await rows(
    sql`INSERT INTO enrolments (account_id, program, effective_from, household_size)
        VALUES (${care.id}::int8, 'care', '2025-06-01', 4)`,
  );
  await charge(care.id, 36_000n, "2025-11-10", "2025-09-01", "2025-09-30");
  await charge(care.id, 24_000n, "2025-11-30", "2025-10-01", "2025-10-31");
  await runCollections(server.ctx);

  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (400|401|404|409|422)/.test(msg.text())) pageErrors.push(msg.text());
  });
  await signIn(page, "colette", TEST_PASSWORD);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("a collector enrols a CARE customer in AMP, keyboard only", () => {
  const dialog = () => page.getByRole("dialog", { name: "Enrol in AMP" });
  const amp = () => section().getByTestId("collections-amp");

  it("reads policy's sentence in the section and enrols from the palette with Ctrl+Enter", async () => {
    await openCollections(care);
    expect(await text(amp().getByTestId("amp-decision"))).toBe(
      "Eligible for AMP (CARE, $600.00 of arrears 90+ days old): $600.00 would be held from collection and a " +
        "twelfth ($50.00) forgiven for each bill paid on time.Rule collections.amp.eligibleEnrol in AMP",
    );
    const keys = countingKeyboard(page);
    await runFromPalette(page, "enrol in amp", /^Enrol in AMP/, keys);
    await dialog().waitFor();
    expect(await text(dialog().getByTestId("amp-held"))).toBe("$600.00 held from collection");
    await poll(async () => (await focused(page)).name).toBe("Enrol $600.00 in AMP");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(dialog(), "collections-amp-enrol");
    await keys.press("Control+Enter");
    await poll(() => text(notice())).toMatch(
      /^Enrolled in AMP \(plan \d+\): \$600\.00 held from collection; \$50\.00 forgiven for each bill paid on time\.$/,
    );
    await poll(async () => (await focused(page)).name).toBe(await text(notice()));
    await dialog().waitFor({ state: "hidden" });
    console.log(`enrol in AMP: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);

    const plan = amp().getByTestId(/^amp-plan-\d+$/);
    await plan.getByText(/^AMP plan \d+: active$/).waitFor();
    expect(await text(plan)).toContain("$0.00 forgiven of $600.00, enrolled 2026-03-02 by colette");
    expect(await text(plan)).toContain("$50.00 forgiven for each bill paid on time; 0 of 12 paid on time");
    // The enrolled arrears are held: nothing past due is collectible, and the section no longer offers enrolment.
    await section()
      .getByText(/^\$0\.00 past due and collectible/)
      .waitFor();
    expect(await amp().getByTestId("amp-decision").count()).toBe(0);
    expect(await axeViolations(page, "section")).toEqual([]);
  });

  it("ends the plan at the customer's request: what is not forgiven returns to collection", async () => {
    const keys = countingKeyboard(page);
    await runFromPalette(page, "end the amp", /^End the AMP plan/, keys);
    const leave = page.getByRole("dialog", { name: "End the AMP plan" });
    await leave.waitFor();
    expect(await text(leave.getByTestId("amp-leave-effect"))).toBe(
      "$0.00 of the $600.00 enrolled has been forgiven and stays forgiven. The other $600.00 returns to collection " +
        "today: it is past due, and notices follow as policy says.",
    );
    await poll(async () => (await focused(page)).name).toBe("End the plan");
    await keys.press("Control+Enter");
    await poll(() => text(notice())).toMatch(/^AMP plan \d+ ended: \$600\.00 returns to collection\.$/);
    await leave.waitFor({ state: "hidden" });
    await amp()
      .getByText(/^AMP plan \d+: removed$/)
      .waitFor();
    expect(await text(amp())).toContain("left at the customer's request");
    await section()
      .getByText(/^\$600\.00 past due and collectible/)
      .waitFor();
  });
});

describe("a closed account written off and placed with the agency", () => {
  it("shows the step, the write-off, the placement file and what was recovered", async () => {
    await openCollections(closed);
    const panel = section().getByTestId("collections-closed");
    expect(await text(panel)).toMatch(
      new RegExp(
        "^With the collection agencysince 2026-02-18; the final bill was due 2025-11-20\\." +
          "\\$300\\.00 written off to bad debt on 2026-02-18; \\$50\\.00 recovered since, \\$250\\.00 still written off\\." +
          "Referred to Sandbox Recovery Agency on 2026-02-18 \\(\\$300\\.00\\), in placement file \\d+\\. " +
          "A payment now is a recovery: it comes back from bad debt\\.$",
      ),
    );
    // The letters went out and the steps are in the list, in words.
    const steps = await section().getByRole("table", { name: "Notices and steps" }).getByRole("row").allTextContents();
    expect(steps.join("\n")).toMatch(/2026-02-25Recovered from bad debt/);
    expect(steps.join("\n")).toMatch(/2026-02-18Referred to the agency/);
    expect(steps.join("\n")).toMatch(/2026-02-18Written off to bad debt/);
    expect(steps.join("\n")).toMatch(/2025-12-20Closed-account final notice/);
    expect(steps.join("\n")).toMatch(/2025-11-25Closed-account notice/);
    // No AMP for a closed account.
    expect(await section().getByTestId("collections-amp").count()).toBe(0);
    // The placement file downloads as it was sent, with this account in it.
    const href = await panel.getByRole("link").getAttribute("href");
    const file = await page.request.get(href!);
    expect(file.status()).toBe(200);
    expect(await file.text()).toContain(closed.number);
    expect(await axeViolations(page, "section")).toEqual([]);
    await guideShot(section(), "collections-closed-account");
    expect(pageErrors).toEqual([]);
  });
});
