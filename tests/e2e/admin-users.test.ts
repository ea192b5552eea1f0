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
let adminToken: string;
const pageErrors: string[] = [];
const NEW_PASSWORD = "correct horse battery staple";

/** Calls the API as the admin, outside the browser (someone else at another desk). */
async function api(method: "GET" | "POST" | "PATCH", url: string, payload?: object, token = adminToken) {
  const res = await server.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

/** What the API says of jdoe's lockout now. */
async function jdoeLocked(): Promise<boolean> {
  const users = (await api("GET", "/api/v1/users")).body.users as { username: string; locked: boolean }[];
  return users.find((u) => u.username === "jdoe")!.locked;
}

/** A failed sign-in as jdoe, from elsewhere. */
const signInWrong = (i: number) =>
  server.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { username: "jdoe", password: `not-the-password-${i}` },
  });

const row = (username: string) =>
  page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: username }) });
const dialog = (name: string) => page.getByRole("dialog", { name });

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "ada",
    display_name: "Ada Admin",
    password: TEST_PASSWORD,
    roles: ["admin"],
  });
  adminToken = (await createToken(server.ctx, "ada", "test")).token;
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    // 409 is the stale edit this file provokes on purpose.
    if (msg.type() === "error" && !/status of (401|404|409)/.test(msg.text())) pageErrors.push(msg.text());
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("user administration", () => {
  it("opens from the command palette with the keyboard, and axe finds nothing serious", async () => {
    await signIn(page, "ada", TEST_PASSWORD);
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await keys.type("user admin");
    await keys.press("Enter");
    await page.getByRole("heading", { name: "User administration", level: 1 }).waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "h1", name: "User administration" });
    await row("ada").waitFor();
    expect(keys.count).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "admin-users");
  });

  it("creates a user from the keyboard alone, and the new user can sign in", async () => {
    const keys = countingKeyboard(page);
    await keys.press("n");
    await dialog("New user").waitFor();
    expect(await focused(page)).toMatchObject({ name: "Username" });
    await keys.type("jdoe");
    await keys.press("Tab");
    await keys.type("Jo Doe");
    await keys.press("Tab");
    await keys.type("jo@example.org");
    await keys.press("Tab");
    await keys.type("csr");
    await keys.press("Enter");
    await keys.press("Tab");
    await keys.type(TEST_PASSWORD);
    await screenshot(page, "admin-new-user");
    expect(await axeViolations(page)).toEqual([]);
    await keys.press("Enter");
    await dialog("New user").waitFor({ state: "hidden" });
    await row("jdoe").getByText("Jo Doe").waitFor();
    expect(await row("jdoe").getByText("csr", { exact: true }).count()).toBe(1);
    console.log(`create a user: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
    expect(keys.count).toBe(7);

    const other = await browser.newContext({ baseURL: server.baseUrl });
    const theirPage = await other.newPage();
    await signIn(theirPage, "jdoe", TEST_PASSWORD);
    await theirPage.getByRole("banner").getByText("Jo Doe").waitFor();
    expect(await theirPage.getByRole("link", { name: "Users" }).count()).toBe(0);
    await other.close();
  });

  it("refuses a stale edit, says someone else changed the user and shows their change", async () => {
    await row("jdoe").getByRole("button", { name: "Edit jdoe" }).click();
    const edit = dialog("User jdoe");
    await edit.waitFor();
    const users = (await api("GET", "/api/v1/users")).body.users as { id: number; username: string; version: number }[];
    const jdoe = users.find((u) => u.username === "jdoe")!;
    const elsewhere = await api("PATCH", `/api/v1/users/${jdoe.id}`, {
      version: jdoe.version,
      display_name: "Jo Q. Doe",
    });
    expect(elsewhere.status).toBe(200);

    const roles = edit.getByRole("combobox", { name: "Roles" });
    await roles.click();
    await roles.fill("lead");
    await page.keyboard.press("Enter");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await edit.getByRole("alert").getByText("Someone else changed this user").waitFor();
    await expect.poll(() => edit.getByRole("textbox", { name: "Display name" }).inputValue()).toBe("Jo Q. Doe");
    await screenshot(page, "admin-stale-edit");

    await roles.click();
    await roles.fill("lead");
    await page.keyboard.press("Enter");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await edit.getByRole("alert").waitFor({ state: "hidden" });
    await row("jdoe").getByText("lead", { exact: true }).waitFor();
    await row("jdoe").getByText("Jo Q. Doe").waitFor();
  });

  it("issues an API token shown once, and the token works", async () => {
    const edit = dialog("User jdoe");
    const name = edit.getByRole("textbox", { name: "API token name" });
    await name.fill("meter import");
    await name.press("Enter");
    const token = (await edit.getByTestId("issued-token").textContent())!.trim();
    expect(token).toMatch(/^kw_/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "admin-token");
    const session = await api("GET", "/api/v1/auth/session", undefined, token);
    expect(session.status).toBe(200);
    expect((session.body.user as { username: string }).username).toBe("jdoe");
  });

  it("sets a new password, with which the user signs in", async () => {
    const edit = dialog("User jdoe");
    const field = edit.getByRole("textbox", { name: "New password" });
    await field.fill("short");
    await field.press("Enter");
    await edit.getByText("At least 12 characters").first().waitFor();
    await field.fill(NEW_PASSWORD);
    await field.press("Enter");
    await page.getByText("Password set").waitFor();
    const res = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "jdoe", password: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    await page.keyboard.press("Escape");
    await edit.waitFor({ state: "hidden" });
    // The dialog closed: focus is back on the row's Edit button.
    await expect.poll(() => focused(page)).toMatchObject({ tag: "button", name: "Edit jdoe" });
  });

  it("shows a locked user and unlocks them", async () => {
    for (let i = 0; i < 5; i++) {
      await server.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { username: "jdoe", password: `wrong-password-${i}` },
      });
    }
    expect(await jdoeLocked()).toBe(true);
    await page.reload();
    await row("jdoe").getByText("Locked").waitFor();
    await row("jdoe").getByRole("button", { name: "Edit jdoe" }).click();
    const edit = dialog("User jdoe");
    await edit.getByText("Locked after failed sign-ins").waitFor();
    await edit.getByRole("button", { name: "Unlock" }).click();
    await edit.getByText("Locked after failed sign-ins").waitFor({ state: "hidden" });
    await page.keyboard.press("Escape");
    await expect.poll(() => row("jdoe").getByText("Locked").count()).toBe(0);
    expect(await jdoeLocked()).toBe(false);
    const res = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "jdoe", password: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
  });

  it("badges a lockout in force in the table and unlocks it from the row with the keyboard", async () => {
    for (let i = 0; i < 5; i++) await signInWrong(i);
    expect(await jdoeLocked()).toBe(true);
    await page.reload();
    const badge = row("jdoe").getByText("Locked", { exact: true });
    await badge.waitFor();
    expect(await row("jdoe").textContent()).toMatch(/Locked\s*until/);
    // Nobody else is locked: the column says No.
    expect(await row("ada").getByText("Locked", { exact: true }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "admin-locked-user");
    // From the row's name, Tab reaches Unlock before Edit.
    await row("jdoe").getByRole("button", { name: "Unlock jdoe" }).waitFor();
    await page.getByRole("button", { name: "Edit ada" }).focus();
    const keys = countingKeyboard(page);
    for (let i = 0; i < 6 && (await focused(page)).name !== "Unlock jdoe"; i++) await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "button", name: "Unlock jdoe" });
    await keys.press("Enter");
    await page.getByText("jdoe can sign in again.").waitFor();
    await expect.poll(() => badge.count()).toBe(0);
    expect(await jdoeLocked()).toBe(false);
    const res = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "jdoe", password: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
  });

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
