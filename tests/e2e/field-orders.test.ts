import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollections } from "../../src/modules/collections/index.js";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { postCharge } from "../../src/modules/ledger/index.js";
import { listOrders } from "../../src/modules/orders/index.js";
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

// The field's worklist: a customer's $150.00 went unpaid through the notices and the collections run ordered the
// disconnection. A field technician opens Field orders, completes the order from the keyboard (Enter, the meter read,
// notes, Ctrl+Enter) and finds it among the completed ones; the account then shows the service disconnected.

// The server and a busy browser can take more than the default second to answer.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const account = { id: 0, number: "" };
let orderId = 0;
const pageErrors: string[] = [];

const rows = () => page.getByTestId("field-order");
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
    username: "fernando",
    display_name: "Fernando Oyelaran",
    password: TEST_PASSWORD,
    roles: ["field"],
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
      first_name: "Ignatius",
      last_name: "Morrow",
      date_of_birth: "1977-08-21",
      identity: { type: "ssn", number: "623-45-8181" },
      mailing_address: { line1: "2630 Land Park Dr", city: "Sacramento", state: "CA", zip: "95818" },
    }),
    premise: aPremise({ address_line1: "2630 Land Park Dr" }),
    service_agreement: { tariff_code: "E-1", start_date: "2025-12-01" },
  });
  Object.assign(account, { id: made.account.id as number, number: made.account.account_number as string });
  // A $150.00 bill due 2026-01-20, unpaid: the reminder on 01-23, the past-due notice on 01-27 (disconnection from
  // 02-11), the final notice on 02-09 and the disconnect order on 02-11. The field comes on 03-02.
  const clock = server.ctx.clock as unknown as { set(instant: string): void };
  clock.set("2026-01-02T18:00:00Z");
  await postCharge(server.ctx, {
    account_id: account.id,
    category: "energy",
    amount_cents: 15_000n,
    due_date: "2026-01-20",
    service_period: { from: "2025-12-01", to: "2025-12-31" },
    reference: "bill:e2e:field-orders",
  });
  for (const day of ["2026-01-23", "2026-01-27", "2026-02-09", "2026-02-11"]) {
    clock.set(`${day}T18:00:00Z`);
    await runCollections(server.ctx);
  }
  clock.set("2026-03-02T17:00:00Z");
  const [order] = (await listOrders(server.ctx, { account_id: account.id })).filter(
    (o) => o.kind === "disconnect_nonpay" && o.status === "open",
  );
  if (!order) throw new Error("the collections run opened no disconnect order");
  orderId = order.id;
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (400|401|403|404|409|422)/.test(msg.text())) pageErrors.push(msg.text());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("a field technician completes a disconnect order", () => {
  const dialog = () => page.getByRole("dialog", { name: `Complete order ${orderId}` });

  it("finds the open order on Field orders: premise, account, kind, due, opened", async () => {
    await signIn(page, "fernando", TEST_PASSWORD);
    const nav = page.getByRole("navigation", { name: "Workstation" });
    expect(await nav.getByRole("link", { name: "Collections" }).count()).toBe(0);
    await nav.getByRole("link", { name: "Field orders" }).click();
    await page.waitForURL(/\/orders$/);
    await poll(() => rows().count()).toBe(1);
    await poll(async () => (await focused(page)).name).toMatch(new RegExp(`^Order ${orderId}: disconnect`));
    const row = await text(rows().first());
    expect(row).toMatch(
      new RegExp(
        `^${orderId}2630 Land Park Dr, Sacramento${account.number}Disconnect for non-payment\\d{4}-\\d{2}-\\d{2}\\d{4}-\\d{2}-\\d{2}Open$`,
      ),
    );
    await page.mouse.move(640, 880);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page.locator("[data-orders]"), "field-orders");
  });

  it("completes it: Enter, the read, Tab Tab, notes, Ctrl+Enter", async () => {
    const keys = countingKeyboard(page);
    await keys.press("Enter");
    await dialog().waitFor();
    await poll(async () => (await focused(page)).name).toBe("Meter read");
    await keys.type("3O418");
    await keys.press("Control+Enter");
    await dialog().getByText("The register's reading, e.g. 48213", { exact: true }).last().waitFor();
    await keys.press("Control+A");
    await keys.type("30418");
    await keys.press("Tab", 2);
    await poll(async () => (await focused(page)).name).toBe("Notes");
    await keys.type("Locked off at the meter; door hanger left.");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await guideShot(dialog(), "field-order-complete");
    await keys.press("Control+Enter");
    await dialog().waitFor({ state: "hidden" });
    await poll(() => text(page.getByTestId("orders-notice"))).toBe(
      `Order ${orderId} completed on 2026-03-02: disconnect for non-payment at 2630 Land Park Dr, Sacramento, meter read 30418.`,
    );
    console.log(`complete an order: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
    await page.getByText("No open orders.").waitFor();
    await poll(async () => (await focused(page)).name).toMatch(/^Order \d+ completed/);
  });

  it("shows it among the completed orders, with the read and notes", async () => {
    await page.getByRole("group", { name: "Show the orders that are" }).getByText("Completed").click();
    await page.waitForURL(/\/orders\?status=completed$/);
    await poll(() => rows().count()).toBe(1);
    expect(await text(rows().first())).toContain(
      "Completed 2026-03-02 by fernandoRead 30418. Locked off at the meter; door hanger left.",
    );
  });
});

describe("the account shows the service disconnected", () => {
  const section = () => page.getByRole("region", { name: "Collections" });

  it("at once, with the order worked; then as the step once the run has recorded it", async () => {
    await context.clearCookies();
    await page.goto("/");
    await signIn(page, "casey", TEST_PASSWORD);
    await page.goto(`/accounts/${account.id}?section=collections`);
    await section().getByTestId("collections-disconnected").waitFor();
    expect(await text(section().getByTestId("collections-disconnected"))).toBe(
      `DisconnectedOrder ${orderId} was worked on 2026-03-02: service is off. The next collections run records the step.`,
    );
    await section()
      .getByRole("button", { name: /^Restore service/ })
      .waitFor();
    expect(await text(section())).toContain(`Order ${orderId}: disconnect for non-payment, completed on 2026-03-02`);
    await runCollections(server.ctx);
    await page.reload();
    await section().getByText("Disconnected", { exact: true }).first().waitFor();
    expect(await section().getByTestId("collections-disconnected").count()).toBe(0);
    expect(await text(section())).toMatch(/Disconnected\$150\.00 past due and collectible; disconnected on 2026-03-02/);
  });

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
