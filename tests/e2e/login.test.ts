import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/modules/identity/index.js";
import { type LiveServer, launchChromium, screenshot, startServer } from "../support/browser.js";
import { TEST_PASSWORD } from "../support/testkit.js";

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
// Script errors and console errors (a Content-Security-Policy refusal shows up there); expected 401/404/429 answers aside.
const pageErrors: string[] = [];
// By role and accessible name, as assistive technology finds them (the password toggle also says "password").
const password = () => page.getByRole("textbox", { name: "Password", exact: true });

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "csr",
    display_name: "Casey Rivera",
    password: TEST_PASSWORD,
    roles: ["csr"],
  });
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of (401|404|429)/.test(msg.text())) pageErrors.push(msg.text());
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("the workstation in Chromium", () => {
  it("shows the sign-in page with the username field focused", async () => {
    await page.goto("/");
    await page.getByRole("heading", { name: "Kilowatt" }).waitFor();
    await page.getByRole("main").waitFor();
    const focused = await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name);
    expect(focused).toBe("username");
    await screenshot(page, "login");
  });

  it("says clearly when the password is wrong", async () => {
    await page.getByRole("textbox", { name: "Username" }).fill("csr");
    await password().fill("not-the-password");
    await password().press("Enter");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("The username or password is not right.");
  });

  it("signs in as csr with the keyboard and shows the signed-in shell", async () => {
    await password().fill(TEST_PASSWORD);
    await password().press("Enter");
    const header = page.getByRole("banner");
    await header.getByText("Casey Rivera").waitFor();
    expect(await header.textContent()).toContain("Kilowatt");
    expect(await header.getByLabel("Roles").textContent()).toBe("csr");
    await page.getByRole("search").getByRole("combobox", { name: "Search customers and accounts" }).waitFor();
    // The session cookie is httpOnly: page scripts never see it.
    expect(await page.evaluate(() => document.cookie)).not.toContain("kw_session");
    await screenshot(page, "shell");
  });

  it("searches from the home page and shows an answer, whatever the server says", async () => {
    const box = page.getByRole("search").getByRole("combobox", { name: "Search customers and accounts" });
    await box.fill("Rivera");
    // Results, "no accounts match", or a quiet message: never a blank page or an unhandled failure.
    await page.locator("search [role=listbox], search [role=status]:not(:empty)").first().waitFor();
    await screenshot(page, "search");
  });

  it("keeps the session across a reload", async () => {
    await page.reload();
    await page.getByRole("banner").getByText("Casey Rivera").waitFor();
  });

  it("signs out back to the sign-in page, and the session is gone on the server", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("textbox", { name: "Username" }).waitFor();
    const res = await page.request.get("/api/v1/auth/session");
    expect(res.status()).toBe(401);
    await page.reload();
    await page.getByRole("textbox", { name: "Username" }).waitFor();
  });

  it("tells how long to wait once repeated failures lock the user", async () => {
    await createUser(server.ctx, {
      username: "trainee",
      display_name: "T",
      password: TEST_PASSWORD,
      roles: ["trainee"],
    });
    await page.getByRole("textbox", { name: "Username" }).fill("trainee");
    const alert = page.getByRole("alert");
    for (let i = 0; i < 5; i++) {
      await password().fill(`wrong-password-${i}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("form button[type=submit]:not([data-loading])").waitFor();
    }
    await alert.getByText("Too many sign-in attempts").waitFor();
    expect(await alert.textContent()).toMatch(/Try again in 15 minutes\./);
    await screenshot(page, "locked");
  });

  it("loads the workstation on a deep link", async () => {
    await page.goto("/accounts/1234567890");
    await page.getByRole("textbox", { name: "Username" }).waitFor();
  });

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
