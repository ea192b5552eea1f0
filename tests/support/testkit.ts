import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";
import { buildApp } from "../../src/app.js";
import { createToken, createUser, ROLE_NAMES } from "../../src/modules/identity/index.js";
import type { Clock } from "../../src/platform/clock.js";
import { fixedClock } from "../../src/platform/clock.js";
import type { Config } from "../../src/platform/config.js";
import { type Ctx, systemActor } from "../../src/platform/context.js";
import { type Database, openPgliteMemory, openPostgres } from "../../src/platform/db.js";
import type { Http } from "../../src/platform/http.js";

export const TEST_PASSWORD = "kilowatt-test-password";
export const TEST_KEY = Buffer.alloc(32, 7);

/** A fresh database for one test file: a copy of the migrated template. */
export async function openTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dump = readFileSync(inject("pgliteTemplate"));
    return openPgliteMemory(new Blob([dump]));
  }
  const name = `kw_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("pgTemplate")}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = openPostgres(target.toString(), 5);
  const close = database.close;
  database.close = async () => {
    await close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  return database;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    databaseUrl: process.env.DATABASE_URL,
    dataDir: ".tmp/unused",
    port: 0,
    host: "127.0.0.1",
    timezone: "America/Los_Angeles",
    dataKey: TEST_KEY,
    now: undefined,
    logLevel: "silent",
    workers: true,
    ...overrides,
  };
}

export interface TestApp {
  app: Http;
  database: Database;
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  /** A system context for calling services directly. */
  ctx: Ctx;
  /** Headers of a signed-in session for a user with this role (one user per role, made on first use). */
  as(role: string): Promise<Record<string, string>>;
  /** Bearer headers for a user with this role. */
  bearer(role: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** The whole server on a fresh database, for app.inject. */
export async function testApp(opts: { clock?: Clock; now?: string } = {}): Promise<TestApp> {
  const database = await openTestDatabase();
  const clock = fixedClock(opts.now ?? "2026-03-02T17:00:00Z");
  const config = testConfig();
  const app = await buildApp({ database, clock: opts.clock ?? clock, config, logger: false });
  await app.ready();
  const ctx: Ctx = { database, db: database.db, clock, config, actor: systemActor("test"), requestId: "test" };
  const made = new Set<string>();
  const sessions = new Map<string, Record<string, string>>();
  const tokens = new Map<string, Record<string, string>>();
  const ensureUser = async (role: string) => {
    if (made.has(role)) return;
    await createUser(ctx, {
      username: `t-${role}`,
      display_name: `Test ${role}`,
      password: TEST_PASSWORD,
      roles: ROLE_NAMES.includes(role) ? [role] : [],
    });
    made.add(role);
  };
  return {
    app,
    database,
    clock,
    config,
    ctx,
    async as(role) {
      const cached = sessions.get(role);
      if (cached) return cached;
      await ensureUser(role);
      const res = await app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { username: `t-${role}`, password: TEST_PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`login as ${role} failed: ${res.statusCode} ${res.body}`);
      const cookie = String(res.headers["set-cookie"]).split(";")[0]!;
      const headers = { cookie, "x-csrf-token": res.json().csrf_token as string };
      sessions.set(role, headers);
      return headers;
    },
    async bearer(role) {
      const cached = tokens.get(role);
      if (cached) return cached;
      await ensureUser(role);
      const { token } = await createToken(ctx, `t-${role}`, "test");
      const headers = { authorization: `Bearer ${token}` };
      tokens.set(role, headers);
      return headers;
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
