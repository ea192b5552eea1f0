import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/modules/identity/index.js";
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
let firstAccount = 0;

const heading = () => page.getByRole("main").getByRole("heading", { level: 1 });
const accountIdInUrl = () => Number(new URL(page.url()).pathname.split("/").pop());

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "csr",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    // A refused request (the missing-field test's 400) logs itself in the console; that is the point of the test.
    if (msg.type() === "error" && !/status of (400|401|404)/.test(msg.text())) pageErrors.push(msg.text());
  });
  await signIn(page, "csr", TEST_PASSWORD);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("a new customer, keyboard only", () => {
  it("opens customer, account, premise, service point, meter and agreement in one flow", async () => {
    const keys = countingKeyboard(page);
    // From the home page (the search box has focus, so the one-key shortcut would be typed): the palette.
    await keys.press("Control+k");
    await keys.type("New customer");
    await keys.press("Enter");
    await heading().getByText("New customer").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "select", name: "Customer is a" });
    expect(await axeViolations(page)).toEqual([]);

    // [tabs before the field, data typed into it]; empty data leaves the default (or the optional field blank).
    const steps: [number, string][] = [
      [1, "Ada"], // first name
      [1, "Okafor"], // last name
      [1, "1980-04-12"], // date of birth
      [1, "(916) 555-0142"], // phone
      [4, "07"], // email, class and notices left as they are; bill cycle
      [1, "1200 J St"],
      [1, "Sacramento"],
      [2, "95814"], // state CA already filled in; ZIP
      [1, "S"], // baseline territory, chosen by its letter
      [1, "Sacramento County"], // tax jurisdiction
      [2, "NC-E2E-1"], // service point description left blank; meter number
      [2, "E-1"], // meter kind register; tariff code (start date is today)
    ];
    for (const [tabs, data] of steps) {
      await keys.press("Tab", tabs);
      await keys.type(data);
    }
    await keys.press("Enter");
    await heading().getByText("Okafor, Ada").waitFor();
    expect(page.url()).toMatch(/\/accounts\/\d+$/);
    firstAccount = accountIdInUrl();
    const main = page.getByRole("main");
    await main.getByText("NC-E2E-1").first().waitFor();
    await main.getByText("1200 J St").first().waitFor();
    await main.getByText("E-1", { exact: true }).first().waitFor();
    console.log(`new customer with service: ${keys.count} keystrokes beyond the data (${keys.pressed.join(" ")})`);
    expect(keys.count).toBe(21);
    await screenshot(page, "new-customer-account");
  });

  it("warns of a possible duplicate (same name and birth date) with a link to the matching account", async () => {
    expect(firstAccount).toBeGreaterThan(0);
    // On the account page focus is on the heading: Shift+N is the global "New customer" shortcut.
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    const keys = countingKeyboard(page);
    await keys.press("Shift+N");
    await heading().getByText("New customer").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "select" });
    for (const [tabs, data] of [
      [1, "Ada"],
      [1, "Okafor"],
      [1, "1980-04-12"],
      [5, "12"], // phone, email, class, notices; bill cycle
    ] as const) {
      await keys.press("Tab", tabs);
      await keys.type(data);
    }
    await keys.press("Control+Enter");
    await heading().getByText("Possible duplicate customer").waitFor();
    const link = page.getByRole("link", { name: /Okafor, Ada, account/ });
    await link.first().waitFor();
    expect(await link.first().getAttribute("href")).toBe(`/accounts/${firstAccount}`);
    await expect.poll(() => focused(page)).toMatchObject({ tag: "button", name: "Continue to the new account" });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "new-customer-duplicate");
    await keys.press("Enter");
    await page.waitForTimeout(1500);
    await heading().getByText("Okafor, Ada").waitFor();
    expect(accountIdInUrl()).not.toBe(firstAccount);
  });

  it("shows a missing required field's error at the field and puts focus there", async () => {
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    await page.keyboard.press("Shift+N");
    await heading().getByText("New customer").waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.type("Bram");
    await page.keyboard.press("Tab");
    // Last name left empty; the bill cycle filled in.
    for (let i = 0; i < 6; i++) await page.keyboard.press("Tab");
    await page.keyboard.type("07");
    await page.keyboard.press("Enter");
    const lastName = page.getByRole("textbox", { name: "Last name" });
    await expect.poll(() => lastName.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Last name" });
    await page.getByText("a person needs a last_name").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "new-customer-error");
    // Fixing it and pressing Enter opens the account.
    await page.keyboard.type("Visser");
    await page.keyboard.press("Enter");
    await heading().getByText("Visser, Bram").waitFor();
  });

  it("opens a business customer: the kind chosen by its letter swaps the names for a business name", async () => {
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1" });
    await page.keyboard.press("Shift+N");
    await heading().getByText("New customer").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "select", name: "Customer is a" });
    await page.keyboard.type("b");
    await page.getByRole("textbox", { name: "Business name" }).waitFor();
    expect(await page.getByRole("textbox", { name: "Last name" }).count()).toBe(0);
    for (const [tabs, data] of [
      [1, "Alder Street Bakery"],
      [3, "c"], // phone, email; customer class chosen by its letter (commercial)
      [2, "03"], // notices; bill cycle
    ] as const) {
      for (let i = 0; i < tabs; i++) await page.keyboard.press("Tab");
      await page.keyboard.type(data);
    }
    await page.keyboard.press("Control+Enter");
    await heading().getByText("Alder Street Bakery").waitFor();
    await page.getByRole("main").getByText("commercial").first().waitFor();
  });

  it("raised no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
