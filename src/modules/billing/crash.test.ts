import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type Database, openEmbedded, openPostgres } from "../../platform/db.js";

// The real `kilowatt bill-run` in a child process, SIGKILLed half-way through a cycle and started again: every
// account of the cycle is billed exactly once and the ledger verifies. On the engine the suite runs on: a PGlite
// data dir, or a fresh PostgreSQL database when DATABASE_URL is set.
const execute = promisify(execFile);
const main = path.resolve("src/cli/main.ts");
const nodeArgs = ["--import", "tsx", main];
const ACCOUNTS = 400;
const CHUNK = 10;

const work = mkdtempSync(path.join(os.tmpdir(), "kilowatt-billrun-"));
const cleanups: (() => Promise<void>)[] = [async () => rmSync(work, { recursive: true, force: true })];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Target {
  env: NodeJS.ProcessEnv;
  open(): Promise<Database>;
}

async function freshTarget(): Promise<Target> {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", KILOWATT_NOW: "2026-03-02T17:00:00Z" };
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dataDir = path.join(work, "data");
    delete base.DATABASE_URL;
    return { env: { ...base, KILOWATT_DATA_DIR: dataDir }, open: () => openEmbedded(dataDir) };
  }
  const name = `kw_billrun_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("pgTemplate")}`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    env: { ...base, DATABASE_URL: target.toString(), KILOWATT_DATA_KEY: randomBytes(32).toString("hex") },
    open: async () => openPostgres(target.toString(), 2),
  };
}

const kilowatt = (args: string[], env: NodeJS.ProcessEnv) =>
  execute(process.execPath, [...nodeArgs, ...args], { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });

async function query<T>(target: Target, q: ReturnType<typeof sql>): Promise<T[]> {
  const database = await target.open();
  try {
    return await database.rows<T>(database.db, q);
  } finally {
    await database.close();
  }
}

/** Starts the run and SIGKILLs it once its progress reads between 30% and 70%; resolves to the last progress. */
function runKilledHalfWay(env: NodeJS.ProcessEnv): Promise<{ done: number; signal: string | null }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, "bill-run", "--cycle", "7", "--date", "2026-03-01", "--chunk-size", String(CHUNK)],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    let killedAt = -1;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no progress between 30% and 70% in time:\n${err}`));
    }, 90_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (killedAt >= 0) return;
      for (const m of err.matchAll(/: (\d+)\/(\d+) accounts \((\d+)%\)/g)) {
        const pct = Number(m[3]);
        if (pct >= 30 && pct <= 70) {
          killedAt = Number(m[1]);
          child.kill("SIGKILL");
          break;
        }
      }
    });
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (killedAt < 0) reject(new Error(`the run ended before it was killed:\n${err}`));
      else resolve({ done: killedAt, signal });
    });
  });
}

describe("a bill run killed half-way", () => {
  it("bills every account of the cycle exactly once when run again, and the ledger verifies", async () => {
    const target = await freshTarget();
    await kilowatt(["seed", "--accounts", String(ACCOUNTS), "--seed", "5"], target.env);
    for (const code of ["E-1", "A-1"])
      await kilowatt(["tariff", "import", path.resolve(`src/seed/tariffs/${code}.json`)], target.env);
    await query(
      target,
      sql`WITH c AS (UPDATE accounts SET bill_cycle = '07' RETURNING id)
          INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
          SELECT DISTINCT ON (mi.meter_id, d.read_on) mi.meter_id, sa.service_point_id, d.read_on,
                 20000 + d.n * (150 + sa.account_id % 500), CASE WHEN d.n = 0 THEN NULL ELSE 150 + sa.account_id % 500 END,
                 'actual', 'field', 'test'
          FROM service_agreements AS sa
          JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
          CROSS JOIN (VALUES ('2026-01-30'::date, 0), ('2026-02-27'::date, 1)) AS d(read_on, n)
          WHERE sa.status = 'active' AND (SELECT count(*) FROM c) > 0
          ON CONFLICT DO NOTHING`,
    );

    const killed = await runKilledHalfWay(target.env);
    expect(killed.signal).toBe("SIGKILL");
    const [cut] = await query<{ status: string; bills: bigint }>(
      target,
      sql`SELECT r.status, (SELECT count(*) FROM bills b WHERE b.run_id = r.id)::int8 AS bills FROM bill_runs r`,
    );
    expect(cut!.status).toBe("running");
    expect(Number(cut!.bills)).toBeGreaterThan(0);

    const rerun = await kilowatt(
      ["bill-run", "--cycle", "7", "--date", "2026-03-01", "--chunk-size", String(CHUNK)],
      target.env,
    );
    const run = JSON.parse(rerun.stdout);
    expect(run).toMatchObject({ status: "completed", resumed: true, accounts_total: ACCOUNTS });
    expect(run.billed + run.held + run.skipped).toBe(ACCOUNTS);
    expect(rerun.stderr).toMatch(/resumed/);

    const [counted] = await query<{
      bills: bigint;
      accounts: bigint;
      entries: bigint;
      issued: bigint;
      billable: bigint;
    }>(
      target,
      sql`SELECT (SELECT count(*) FROM bills)::int8 AS bills,
                 (SELECT count(DISTINCT account_id) FROM bills)::int8 AS accounts,
                 (SELECT count(*) FROM journal_entries WHERE kind = 'bill')::int8 AS entries,
                 (SELECT count(*) FROM bills WHERE status = 'issued')::int8 AS issued,
                 (SELECT count(DISTINCT sa.account_id) FROM service_agreements sa
                   JOIN meter_reads r ON r.service_point_id = sa.service_point_id
                   WHERE sa.status = 'active')::int8 AS billable`,
    );
    expect(counted!.bills).toBe(counted!.accounts);
    expect(counted!.bills).toBe(counted!.billable);
    expect(Number(counted!.bills)).toBe(run.billed + run.held);
    expect(counted!.entries).toBe(counted!.issued);

    const again = await kilowatt(["bill-run", "--cycle", "7", "--date", "2026-03-01"], target.env).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((again as { code: number }).code).toBe(1);
    expect((again as { stderr: string }).stderr).toMatch(/already billed for 2026-03-01/);

    const verified = await kilowatt(["ledger", "verify"], target.env);
    expect(verified.stdout).toMatch(/ledger balanced/);
  }, 240_000);
});
