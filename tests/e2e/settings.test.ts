import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { asc, eq } from "drizzle-orm";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, createUser } from "../../src/modules/identity/index.js";
import { policyInForce } from "../../src/modules/policy/rules.js";
import { auditLog } from "../../src/platform/schema.js";
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

let server: LiveServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
const pageErrors: string[] = [];

/** A picture for the guide (in .tmp/screenshots, copied to docs/guide/img): an element, or the window as it is. */
async function guideShot(target: Locator | Page, name: string) {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
}

interface SettingView {
  key: string;
  current: unknown;
  default: unknown;
  schedule: {
    effective_from: string;
    effective_to: string | null;
    value: unknown;
    version: number;
    updated_by: string;
  }[];
}

/** The API's view of a setting, asked outside the browser. */
async function setting(key: string): Promise<SettingView> {
  const res = await server.app.inject({
    method: "GET",
    url: `/api/v1/settings/${key}`,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json() as SettingView;
}

/** The audit rows of settings, oldest first. */
const settingAudit = () =>
  server.database.db.select().from(auditLog).where(eq(auditLog.entityType, "setting")).orderBy(asc(auditLog.id));

const dialog = (key: string) => page.getByRole("dialog", { name: key });
const notice = () => page.getByTestId("settings-notice");
const text = async (l: Locator) => ((await l.textContent()) ?? "").replace(/\s+/g, " ").trim();

/** The notice line says this and has focus. */
async function said(expected: string) {
  await notice().waitFor();
  await expect.poll(() => text(notice())).toBe(expected);
  await expect.poll(async () => (await focused(page)).name).toBe(expected);
}

/** Opens a setting by typing its key in the filter and pressing Enter; the dialog's first field has focus. */
async function openSetting(keys: ReturnType<typeof countingKeyboard>, key: string) {
  await keys.press("f");
  await keys.press("Control+A");
  await keys.type(key);
  await keys.press("Enter");
  await dialog(key).waitFor();
  await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Effective from" });
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  await createUser(server.ctx, {
    username: "ada",
    display_name: "Ada Admin",
    password: TEST_PASSWORD,
    roles: ["admin"],
  });
  await createUser(server.ctx, { username: "cara", display_name: "Cara CSR", password: TEST_PASSWORD, roles: ["csr"] });
  token = (await createToken(server.ctx, "ada", "test")).token;
  context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    // 400, 409 and 422 are the refusals this file provokes on purpose.
    if (msg.type() === "error" && !/status of (400|401|409|422)/.test(msg.text())) pageErrors.push(msg.text());
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("settings and the policy profile", () => {
  it("opens from the command palette: every setting by group with today's value, and axe finds nothing serious", async () => {
    await signIn(page, "ada", TEST_PASSWORD);
    expect(await page.getByRole("banner").getByRole("link", { name: "Settings" }).count()).toBe(1);
    const keys = countingKeyboard(page);
    await keys.press("Control+K");
    await keys.type("settings");
    await keys.press("Enter");
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Filter" });
    expect(keys.count).toBe(2);
    const main = page.getByRole("main");
    for (const group of ["Billing", "Payments", "Policy", "Approvals", "Meter reads"]) {
      await main.getByRole("heading", { name: group, level: 2 }).waitFor();
    }
    const profileRow = main.getByRole("row").filter({ has: page.getByRole("button", { name: "policy.profile" }) });
    expect(await text(profileRow)).toContain("Municipal: California publicly owned (municipal) utility");
    expect(await text(profileRow)).toContain("none (the default)");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "settings-all");

    // Typing narrows the list; ↓ goes to the first setting and ↑ ↓ move among them.
    await keys.type("policy.");
    await expect.poll(() => main.getByTestId("setting-key").count()).toBe(3);
    await keys.press("ArrowDown");
    expect(await focused(page)).toMatchObject({ tag: "button", name: "policy.profile" });
    await keys.press("ArrowDown");
    expect(await focused(page)).toMatchObject({ tag: "button", name: "policy.rules.iou" });
    await keys.press("ArrowUp");
    await keys.press("ArrowUp");
    expect(await focused(page)).toMatchObject({ tag: "input", name: "Filter" });
    await guideShot(main, "settings-list");
  });

  it("switches the policy profile to the IOU profile from a date, from the keyboard", async () => {
    const keys = countingKeyboard(page);
    await openSetting(keys, "policy.profile");
    const d = dialog("policy.profile");
    expect(await d.getByText("No dated versions: the default applies on every date.").count()).toBe(1);
    await keys.type("2026-04-01");
    await keys.press("Tab");
    await keys.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "input", name: /^Municipal/ });
    await keys.press("ArrowDown");
    expect(await d.getByRole("radio", { name: /^IOU: California investor-owned utility/ }).isChecked()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(d, "settings-profile");
    await keys.press("Control+Enter");
    await d.waitFor({ state: "hidden" });
    await said(
      "Saved policy.profile from 2026-04-01 on: the IOU profile (California investor-owned utility (CPUC rules)), " +
        "was Municipal.",
    );
    console.log(`switch the profile: ${keys.count} keystrokes beyond the typed data (${keys.pressed.join(" ")})`);
    expect(keys.count).toBe(7);

    const view = await setting("policy.profile");
    expect(view.current).toBe("municipal");
    expect(view.schedule).toMatchObject([
      { effective_from: "2026-04-01", effective_to: null, value: "iou", version: 1, updated_by: "ada" },
    ]);
    expect((await policyInForce(server.ctx, "2026-03-31")).profile).toBe("municipal");
    expect((await policyInForce(server.ctx, "2026-04-01")).profile).toBe("iou");
    const row = page.getByRole("row").filter({ has: page.getByRole("button", { name: "policy.profile" }) });
    await expect.poll(() => text(row)).toContain("from 2026-04-01 on: IOU");
  });

  it("refuses a negative deposit multiple at its field and changes nothing; then sets the multiple to 2.5", async () => {
    const keys = countingKeyboard(page);
    await openSetting(keys, "policy.rules.municipal");
    const d = dialog("policy.rules.municipal");
    const multiple = d.getByRole("textbox", { name: "Multiple", exact: true });
    expect(await multiple.inputValue()).toBe("2");
    expect(await d.getByRole("group", { name: "Credit" }).getByRole("textbox").count()).toBe(10);
    const deposits = d.getByRole("group", { name: "Deposits" });
    expect(await deposits.getByRole("checkbox", { name: "Deposit to start service" }).isChecked()).toBe(true);
    expect(await deposits.getByRole("textbox", { name: "Residential average bill" }).inputValue()).toBe("120.00");
    // Each rule says what it means (docs/policy.md).
    expect(await multiple.getAttribute("aria-describedby")).toBeTruthy();
    await d.getByText("multiple of the estimated average monthly bill").waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await keys.type("2026-03-02");
    await multiple.fill("-1");
    await keys.press("Control+Enter");
    await expect.poll(() => multiple.getAttribute("aria-invalid")).toBe("true");
    await d.getByText("a positive number up to 3, such as 2 or 2.5").waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Multiple" });
    expect(await d.getByRole("alert").count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page, "settings-refused");
    expect((await setting("policy.rules.municipal")).schedule).toEqual([]);
    expect((await settingAudit()).filter((a) => a.entityId.startsWith("policy.rules."))).toEqual([]);

    await multiple.fill("2.5");
    await keys.press("Control+Enter");
    await d.waitFor({ state: "hidden" });
    await said("Saved policy.rules.municipal from 2026-03-02 on: Multiple 2 → 2.5.");
    await guideShot(page, "settings-saved");

    const view = await setting("policy.rules.municipal");
    const rules = view.default as { credit: object; deposit: object };
    expect(view.current).toEqual({ ...rules, deposit: { ...rules.deposit, multiple: "2.5" } });
    expect(view.schedule).toMatchObject([{ effective_from: "2026-03-02", effective_to: null, version: 1 }]);
    expect((await policyInForce(server.ctx, "2026-03-02", "municipal")).rules.deposit.multiple).toBe("2.5");
    // The IOU profile's rules are their own setting: untouched.
    expect((await setting("policy.rules.iou")).schedule).toEqual([]);
  });

  it("adds a temporary version, and refuses one that overlaps it (settings.overlap), naming the other", async () => {
    const keys = countingKeyboard(page);
    await openSetting(keys, "policy.rules.municipal");
    const d = dialog("policy.rules.municipal");
    // Prefilled from the value in force today: the multiple saved above.
    expect(await d.getByRole("textbox", { name: "Multiple", exact: true }).inputValue()).toBe("2.5");
    await keys.type("2026-07-01");
    await keys.press("Tab");
    await keys.type("2026-09-30");
    await d.getByRole("textbox", { name: "Installments at most" }).fill("6");
    await keys.press("Control+Enter");
    await d.waitFor({ state: "hidden" });
    await said("Saved policy.rules.municipal from 2026-07-01 to 2026-09-30: Installments at most 3 → 6.");

    await openSetting(keys, "policy.rules.municipal");
    await d.getByRole("table", { name: "Dated versions" }).getByRole("row").nth(2).waitFor();
    await keys.type("2026-09-15");
    await keys.press("Tab");
    await keys.type("2026-10-31");
    await d.getByRole("textbox", { name: "Installments at most" }).fill("4");
    await keys.press("Control+Enter");
    const to = d.getByRole("textbox", { name: "Effective to" });
    await d.getByText("overlaps the version from 2026-07-01 to 2026-09-30").waitFor();
    expect(await to.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Effective to" });
    expect(await axeViolations(page)).toEqual([]);
    await guideShot(page, "settings-overlap");

    const view = await setting("policy.rules.municipal");
    expect(view.schedule.map((r) => [r.effective_from, r.effective_to])).toEqual([
      ["2026-03-02", null],
      ["2026-07-01", "2026-09-30"],
    ]);
    const res = await server.app.inject({
      method: "PUT",
      url: "/api/v1/settings/policy.rules.municipal",
      headers: { authorization: `Bearer ${token}` },
      payload: { effective_from: "2026-09-15", effective_to: "2026-10-31", value: view.current },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ rule: "settings.overlap" });
    expect((await policyInForce(server.ctx, "2026-08-01", "municipal")).rules.deposit.max_installments).toBe(6);
    expect((await policyInForce(server.ctx, "2026-10-01", "municipal")).rules.deposit.max_installments).toBe(3);
    await page.keyboard.press("Escape");
    await d.waitFor({ state: "hidden" });
  });

  it("changes an existing version with the version read; a stale change is refused and shown", async () => {
    await page.getByRole("button", { name: "policy.rules.municipal" }).click();
    const d = dialog("policy.rules.municipal");
    await d.getByRole("button", { name: "Change the version from 2026-07-01 to 2026-09-30" }).click();
    await d.getByRole("heading", { name: "Change the version from 2026-07-01 to 2026-09-30" }).waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "Effective to" });
    expect(await d.getByRole("textbox", { name: "Effective from" }).inputValue()).toBe("2026-07-01");

    // Meanwhile someone else changes the same version.
    const before = (await setting("policy.rules.municipal")).schedule[1]!;
    const value = before.value as { deposit: Record<string, unknown> };
    const elsewhere = await server.app.inject({
      method: "PUT",
      url: "/api/v1/settings/policy.rules.municipal",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        effective_from: "2026-07-01",
        effective_to: "2026-09-30",
        value: { ...value, deposit: { ...value.deposit, interest_percent: "1.5" } },
        version: before.version,
      },
    });
    expect(elsewhere.statusCode).toBe(200);

    await d.getByRole("textbox", { name: "Effective to" }).fill("2026-08-31");
    await page.keyboard.press("Control+Enter");
    await d.getByRole("alert").getByText("Someone else changed this version").waitFor();
    expect((await setting("policy.rules.municipal")).schedule[1]).toMatchObject({
      effective_to: "2026-09-30",
      version: 2,
    });
    await page.keyboard.press("Control+Enter");
    await d.waitFor({ state: "hidden" });
    await said("Changed policy.rules.municipal from 2026-07-01 to 2026-08-31: Interest a year (%) 1.5 → 0.");
    expect((await setting("policy.rules.municipal")).schedule[1]).toMatchObject({
      effective_to: "2026-08-31",
      version: 3,
    });
  });

  it("edits any other setting as formatted JSON, refused at the value when its rules say no", async () => {
    const keys = countingKeyboard(page);
    await openSetting(keys, "billing.hold_rules");
    const d = dialog("billing.hold_rules");
    const json = d.getByRole("textbox", { name: "Value (JSON)" });
    expect(JSON.parse(await json.inputValue())).toEqual((await setting("billing.hold_rules")).current);
    expect(await json.inputValue()).toContain('\n  "high_usage_factor": 3,');
    await keys.type("2026-05-01");
    await json.fill("{ not json");
    await keys.press("Control+Enter");
    await d.getByText(/^Not valid JSON/).waitFor();
    await expect.poll(() => focused(page)).toMatchObject({ tag: "textarea", name: "Value (JSON)" });
    const value = {
      high_usage_factor: 0.5,
      consecutive_estimates: 3,
      over_cents: { residential: 150000, default: 5000000 },
    };
    await json.fill(JSON.stringify(value, null, 2));
    await keys.press("Control+Enter");
    await d.getByText(/^value\.high_usage_factor: /).waitFor();
    expect(await json.getAttribute("aria-invalid")).toBe("true");
    expect((await setting("billing.hold_rules")).schedule).toEqual([]);
    await json.fill(JSON.stringify({ ...value, high_usage_factor: 4 }, null, 2));
    await keys.press("Control+Enter");
    await d.waitFor({ state: "hidden" });
    await said("Saved billing.hold_rules from 2026-05-01 on: high_usage_factor 3 → 4.");
    expect((await setting("billing.hold_rules")).schedule).toMatchObject([
      { effective_from: "2026-05-01", value: { ...value, high_usage_factor: 4 } },
    ]);
  });

  it("audits every change, and nothing for the refused ones", async () => {
    const rows = await settingAudit();
    expect(rows.map((r) => [r.action, r.entityId, r.actorName])).toEqual([
      ["setting.create", "policy.profile@2026-04-01", "ada"],
      ["setting.create", "policy.rules.municipal@2026-03-02", "ada"],
      ["setting.create", "policy.rules.municipal@2026-07-01", "ada"],
      ["setting.update", "policy.rules.municipal@2026-07-01", "ada"],
      ["setting.update", "policy.rules.municipal@2026-07-01", "ada"],
      ["setting.create", "billing.hold_rules@2026-05-01", "ada"],
    ]);
    expect(rows[0]).toMatchObject({ before: null, after: { value: "iou", effective_to: null } });
    expect(rows[1]!.after).toMatchObject({ value: { deposit: { multiple: "2.5" } } });
    expect(rows[4]).toMatchObject({
      before: { effective_to: "2026-09-30", value: { deposit: { interest_percent: "1.5" } } },
      after: { effective_to: "2026-08-31", value: { deposit: { interest_percent: "0" } } },
    });
  });

  it("shows settings read-only to a CSR", async () => {
    const other = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
    const theirs = await other.newPage();
    theirs.on("pageerror", (err) => pageErrors.push(err.message));
    await signIn(theirs, "cara", TEST_PASSWORD);
    expect(await theirs.getByRole("banner").getByRole("link", { name: "Settings" }).count()).toBe(0);
    await theirs.keyboard.press("Control+K");
    await theirs.keyboard.type("settings");
    await theirs.keyboard.press("Enter");
    await theirs.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    await expect.poll(() => focused(theirs)).toMatchObject({ tag: "input", name: "Filter" });
    await theirs.keyboard.type("policy.profile");
    await theirs.keyboard.press("Enter");
    const d = theirs.getByRole("dialog", { name: "policy.profile" });
    await d.getByRole("table", { name: "Dated versions" }).waitFor();
    await d.getByText("Read only: changing settings needs the settings.manage permission").waitFor();
    expect(await d.getByRole("textbox").count()).toBe(0);
    expect(await d.getByRole("button", { name: /^Change/ }).count()).toBe(0);
    expect(await axeViolations(theirs)).toEqual([]);
    await other.close();
  });

  it("ran without script or console errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
