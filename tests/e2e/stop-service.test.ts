import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertReads } from "../../src/modules/billing/read-fixtures.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { seedDemoTariffs } from "../../src/seed/tariffs.js";
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

// A customer calls to say they are moving out today. The CSR opens the account, stops service from the palette,
// keys the customer's final reading, and Ctrl+Enter makes the final bill at once and closes the account. A stop date
// after today is refused at its field, and nothing changes until it is put right.

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const mover = { id: 0, number: "", meter: "" };
const pageErrors: string[] = [];

const text = async (target: Locator) => ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();
const dialog = () => page.getByRole("dialog", { name: "Stop service" });

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await seedDemoTariffs(server.ctx);
  await createUser(server.ctx, {
    username: "carmen",
    display_name: "Carmen Ibarra",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  const bearer = { authorization: `Bearer ${(await createToken(server.ctx, "carmen", "seed")).token}` };
  const t = { app: server.app, as: async () => bearer } as unknown as TestApp;
  const made = await newCustomer(t, {
    party: aPerson({
      first_name: "Rosalind",
      last_name: "Achterberg",
      identity: { type: "ssn", number: "623-45-9393" },
    }),
    premise: aPremise({ address_line1: "915 Q Street", baseline_territory: "T" }),
    service_agreement: { tariff_code: "E-1", start_date: "2026-01-02" },
  });
  Object.assign(mover, { id: made.account.id as number, number: made.account.account_number as string });
  const sa = made.service_agreement.id as number;
  const rows = (query: ReturnType<typeof sql>) => server.database.rows(server.database.db, query);
  await rows(
    sql`UPDATE meter_installations SET installed_on = '2026-01-02'
        WHERE service_point_id = (SELECT service_point_id FROM service_agreements WHERE id = ${sa})`,
  );
  await insertReads(server.database, sa, [{ on: "2026-01-02" }, { on: "2026-01-31", kwh: "348" }]);
  const [meter] = (await rows(
    sql`SELECT m.meter_number FROM meters AS m JOIN meter_installations AS mi ON mi.meter_id = m.id
        JOIN service_agreements AS sa ON sa.service_point_id = mi.service_point_id WHERE sa.id = ${sa}`,
  )) as { meter_number: string }[];
  mover.meter = meter!.meter_number;

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

describe("a CSR stops service for a customer moving out, keyboard only", () => {
  const notice = () => page.getByTestId("service-notice");
  const service = () => page.getByRole("region", { name: "Premises and service" });

  it("schedules a stop for a later day, and cancels it when the customer stays", async () => {
    await signIn(page, "carmen", TEST_PASSWORD);
    await page.goto(`/accounts/${mover.id}`);
    await poll(() => focused(page)).toMatchObject({ tag: "h1" });
    const keys = countingKeyboard(page);
    await runFromPalette(page, "stop service", /^Stop service/, keys);
    await dialog().waitFor();
    await poll(async () => (await focused(page)).name).toBe("Stop date");
    await keys.press("Control+A");
    await keys.type("2026-03-10");
    // Ahead of today no reading is taken: the dialog says what the morning after will do.
    await dialog()
      .getByText(/^The service at 915 Q Street stays on until 2026-03-10\./)
      .waitFor();
    expect(
      await dialog()
        .getByRole("textbox", { name: /^Final reading/ })
        .count(),
    ).toBe(0);
    await keys.press("Control+Enter");
    await poll(() => text(notice())).toBe(
      `Service at account ${mover.number} will stop on 2026-03-10. The morning after, the final bill is made ` +
        "through that day (from the read on file for it, else an estimate) and the account closes.",
    );
    await dialog().waitFor({ state: "hidden" });
    await service().getByTestId("scheduled-stop").getByText("Service stops on 2026-03-10").waitFor();
    expect(await axeViolations(page, "section")).toEqual([]);

    await runFromPalette(page, "cancel the scheduled stop", /^Cancel the scheduled stop/, keys);
    await poll(() => text(notice())).toBe(
      `The stop of 2026-03-10 is cancelled: service at account ${mover.number} continues.`,
    );
    await poll(() => service().getByTestId("scheduled-stop").count()).toBe(0);
  });

  it("refuses a stop date too far ahead at its field, then stops today, bills the final bill and closes the account", async () => {
    const keys = countingKeyboard(page);
    await runFromPalette(page, "stop service", /^Stop service/, keys);
    await dialog().waitFor();
    await poll(async () => (await focused(page)).name).toBe("Stop date");
    expect(await dialog().getByRole("textbox", { name: "Stop date" }).inputValue()).toBe("2026-03-02");

    // Four months ahead: refused by the server at the stop date, nothing scheduled.
    await keys.press("Control+A");
    await keys.type("2026-07-01");
    await keys.press("Control+Enter");
    await dialog().getByText("no more than 90 days after today").waitFor();
    await poll(async () => (await focused(page)).name).toBe("Stop date");
    await keys.press("Control+A");
    await keys.type("2026-03-02");
    await keys.press("Tab");
    await poll(async () => (await focused(page)).name).toBe(`Final reading, meter ${mover.meter}`);
    await keys.type("10700");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(dialog(), "stop-service");
    await keys.press("Control+Enter");

    await poll(() => text(notice())).toMatch(
      new RegExp(
        `^Service stopped on 2026-03-02 and account ${mover.number} closed; final bill \\d+ of \\$[\\d,]+\\.\\d\\d ` +
          "is due \\d{4}-\\d\\d-\\d\\d \\(\\$[\\d,]+\\.\\d\\d due in all\\)\\.$",
      ),
    );
    await poll(async () => (await focused(page)).name).toBe(await text(notice()));
    await dialog().waitFor({ state: "hidden" });
    console.log(`stop service: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);

    // The account is closed, the agreement stopped on the day, the final bill on the account, no stop offered again.
    await page.locator("header").getByText("closed", { exact: true }).waitFor();
    expect(await text(service().getByRole("table", { name: "Service agreements" }))).toContain("2026-03-02");
    expect(await service().getByRole("button", { name: "Stop service" }).count()).toBe(0);
    const bills = page.getByRole("region", { name: "Bills" });
    await bills
      .getByText(/^\d{4}-\d\d-\d\d to 2026-03-02$/)
      .first()
      .waitFor();
    expect(pageErrors).toEqual([]);
  });
});
