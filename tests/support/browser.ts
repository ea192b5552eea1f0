import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
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
