import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { buildApp } from "../../src/app.js";
import { fixedClock } from "../../src/platform/clock.js";
import { type Ctx, systemActor } from "../../src/platform/context.js";
import type { Database } from "../../src/platform/db.js";
import type { Http } from "../../src/platform/http.js";
import { openTestDatabase, testConfig } from "./testkit.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Debian's Chromium, headless. No test downloads a browser. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`browser tests need Chromium at ${executablePath} (apt-get install -y chromium)`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** Builds the workstation into web/dist when it is not there (npm test builds it first). */
export async function ensureWebBuilt() {
  if (existsSync(path.join(repo, "web/dist/index.html"))) return;
  const { build } = await import("vite");
  await build({ configFile: path.join(repo, "web/vite.config.ts"), logLevel: "warn" });
}

export interface LiveServer {
  app: Http;
  database: Database;
  /** A system context for making users and data directly. */
  ctx: Ctx;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real server with the built workstation, on a fresh test database, listening on a random loopback port. */
export async function startServer(): Promise<LiveServer> {
  await ensureWebBuilt();
  const database = await openTestDatabase();
  const clock = fixedClock("2026-03-02T17:00:00Z");
  const config = testConfig();
  const app = await buildApp({ database, clock, config, logger: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  const ctx: Ctx = { database, db: database.db, clock, config, actor: systemActor("test"), requestId: "e2e" };
  return {
    app,
    database,
    ctx,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** Saves a full-page screenshot under .tmp/screenshots/ for a person to look at. */
export async function screenshot(page: Page, name: string) {
  const dir = path.join(repo, ".tmp/screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** One accessibility rule broken on a page, as axe reports it, with where. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (WCAG 2.1 A and AA rules and axe's best practices) on the page as it is now and returns the
 * serious and critical violations. axe is evaluated through the browser's debugging protocol, so the
 * workstation's Content-Security-Policy stays on.
 */
export async function axeViolations(page: Page, scope?: string): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  // Colours are measured once transitions end (a dialog fading in is not yet at full contrast).
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
  // An open dialog is checked by itself: the page behind it sits under a dimming overlay and cannot be reached.
  const include =
    scope ?? ((await page.locator("[role=dialog][aria-modal=true]").count()) > 0 ? "[role=dialog]" : null);
  return page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run(ctx: object, opts: object): Promise<AxeRun> } }).axe;
    interface AxeRun {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    }
    const result = await axe.run(include ? { include: [include] } : document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? "",
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      }));
  }, include);
}

/**
 * The keyboard, counting what the person presses beyond the data they type: press() counts one per key or chord
 * (Control+K is one), type() is data and is not counted.
 */
export function countingKeyboard(page: Page) {
  const pressed: string[] = [];
  return {
    async press(key: string, times = 1) {
      for (let i = 0; i < times; i++) {
        await page.keyboard.press(key);
        pressed.push(key);
      }
    },
    async type(text: string) {
      await page.keyboard.type(text);
    },
    get count() {
      return pressed.length;
    },
    pressed,
  };
}

/** Signs in from the sign-in page with the keyboard alone (the username field has focus on arrival). */
export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/");
  await page.getByRole("textbox", { name: "Username" }).waitFor();
  await page.keyboard.type(username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
  await page.getByRole("banner").waitFor();
}

/** The element that has focus, described for assertions: its role or tag, accessible label or text. */
export async function focused(page: Page): Promise<{ tag: string; role: string | null; name: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    // Text as a screen reader reads it: without parts hidden from it (a required field's asterisk).
    const spoken = (node: Element | null | undefined) => {
      if (!node) return null;
      const copy = node.cloneNode(true) as Element;
      for (const hidden of copy.querySelectorAll("[aria-hidden=true]")) hidden.remove();
      return copy.textContent;
    };
    const labelled = el?.getAttribute("aria-labelledby");
    const byLabel =
      spoken((el as HTMLInputElement | null)?.labels?.[0]) ??
      (labelled ? spoken(document.getElementById(labelled)) : null);
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      role: el?.getAttribute("role") ?? null,
      name: (el?.getAttribute("aria-label") ?? byLabel ?? el?.textContent ?? "").trim(),
    };
  });
}

/**
 * Waits until the command palette highlights the command named (Enter runs the highlighted one, and a busy browser
 * can lag the typing that filters the list).
 */
export async function paletteShows(page: Page, name: RegExp) {
  await page.getByRole("dialog", { name: "Command palette" }).getByRole("option", { name, selected: true }).waitFor();
}

/**
 * Runs a command from the palette: Ctrl+K, the words, Enter once the command named is highlighted; then waits for the
 * palette to leave the page (the command runs as its closing animation ends, and a key pressed before then is the
 * palette's). `keys` counts the keystrokes when given.
 */
export async function runFromPalette(
  page: Page,
  words: string,
  name: RegExp,
  keys: { press(key: string): Promise<void>; type(text: string): Promise<void> } = page.keyboard,
) {
  await keys.press("Control+K");
  await page.getByRole("dialog", { name: "Command palette" }).waitFor();
  await keys.type(words);
  await paletteShows(page, name);
  await keys.press("Enter");
  await page.getByRole("dialog", { name: "Command palette" }).waitFor({ state: "detached" });
}

/** A screenshot of part of a page for a guide: kept under .tmp/screenshots and copied to docs/guide/img. */
export async function guideShot(target: Locator, name: string) {
  const file = path.join(repo, ".tmp/screenshots", `${name}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
  copyFileSync(file, path.join(repo, "docs/guide/img", `${name}.png`));
}
