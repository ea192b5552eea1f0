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
    expect(await focused(page)).toMatchObject({ tag: "button", name: "Sign out" });
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

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
