import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { accountNumberFromBase } from "../../../core/account-number.js";
import { type Database, openEmbedded, openPostgres } from "../../../platform/db.js";
import { seededAccountNumber } from "../../../seed/numbers.js";
import { type LockboxRow, lockboxBai2, lockboxCsv } from "./write.js";

// The real `kilowatt lockbox import` in a child process, killed with SIGKILL half-way through a file and run again:
// every payment posts exactly once. On the engine the suite runs on: a PGlite data dir, or a fresh PostgreSQL
// database when DATABASE_URL is set.
const execute = promisify(execFile);
const main = path.resolve("src/cli/main.ts");
const nodeArgs = ["--import", "tsx", main];
const PAYMENTS = 3000;
const CHUNK = 100;
const ACCOUNTS = 200;

const work = mkdtempSync(path.join(os.tmpdir(), "kilowatt-lockbox-"));
const cleanups: (() => Promise<void>)[] = [async () => rmSync(work, { recursive: true, force: true })];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Target {
  env: NodeJS.ProcessEnv;
  open(): Promise<Database>;
}

/** A fresh database for the CLI: a new data dir, or a copy of the migrated template on the PostgreSQL server. */
async function freshTarget(): Promise<Target> {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", KILOWATT_NOW: "2026-03-02T17:00:00Z" };
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dataDir = path.join(work, "data");
    delete base.DATABASE_URL;
    return { env: { ...base, KILOWATT_DATA_DIR: dataDir }, open: () => openEmbedded(dataDir) };
  }
  const name = `kw_lockbox_${randomBytes(5).toString("hex")}`;
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
  execute(process.execPath, [...nodeArgs, ...args], { env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });

/** Reads the database between CLI runs (PGlite: the data dir is free only while no CLI holds it). */
async function query<T>(target: Target, q: ReturnType<typeof sql>): Promise<T[]> {
  const database = await target.open();
  try {
    return await database.rows<T>(database.db, q);
  } finally {
    await database.close();
  }
}

/** Starts the import and SIGKILLs it once its progress reads between 30% and 70%; resolves to the last progress. */
function importKilledHalfWay(file: string, env: NodeJS.ProcessEnv): Promise<{ done: number; signal: string | null }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, "lockbox", "import", file, "--chunk-size", String(CHUNK)],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    let killedAt = -1;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no progress between 30% and 70% in time:\n${err}`));
    }, 60_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (killedAt >= 0) return;
      for (const m of err.matchAll(/: (\d+)\/(\d+) payments \((\d+)%\)/g)) {
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
      if (killedAt < 0) reject(new Error(`the import ended before it was killed:\n${err}`));
      else resolve({ done: killedAt, signal });
    });
  });
}

/** PAYMENTS payments to the seeded accounts, about 1% of them unmatched (no number, a bad check digit, unknown). */
function lockboxRows(first: number): LockboxRow[] {
  return Array.from({ length: PAYMENTS }, (_v, i) => {
    const number = seededAccountNumber(first + ((i * 37) % ACCOUNTS));
    const odd = i % 100 === 42 ? i % 3 : -1;
    const accountNumber =
      odd === 0
        ? null
        : odd === 1
          ? `${number.slice(0, 9)}${(Number(number[9]) + 5) % 10}`
          : odd === 2
            ? accountNumberFromBase(990_000_000 + i)
            : number;
    return {
      accountNumber,
      amountCents: BigInt(500 + ((i * 7919) % 40_000)),
      checkNumber: String(10_000 + i),
      remitter: `CUSTOMER ${i}`,
    };
  });
}

interface Totals {
  balance: bigint;
  suspense: bigint;
  payments: bigint;
}
const totalsSql = sql`(SELECT coalesce(sum(balance_cents), 0) FROM account_balances)::int8 AS balance,
  (SELECT coalesce(sum(p.amount_cents), 0) FROM journal_postings p JOIN gl_accounts g ON g.code = p.gl_account
    WHERE g.purpose = 'payment_suspense')::int8 AS suspense,
  (SELECT count(*) FROM payments)::int8 AS payments`;
const totals = async (target: Target): Promise<Totals> => (await query<Totals>(target, sql`SELECT ${totalsSql}`))[0]!;

describe("a lockbox import killed half-way", () => {
  it("posts every payment exactly once when run again", async () => {
    const target = await freshTarget();
    const seeded = await kilowatt(["seed", "--accounts", String(ACCOUNTS), "--seed", "4"], target.env);
    const first = Number(JSON.parse(seeded.stdout).first_account_id);
    const rows = lockboxRows(first);
    const fileTotal = rows.reduce((s, r) => s + r.amountCents, 0n);
    const file = path.join(work, "lockbox-2026-03-02.csv");
    writeFileSync(file, lockboxCsv("2026-03-02", rows));
    const before = await totals(target);

    const killed = await importKilledHalfWay(file, target.env);
    expect(killed.signal).toBe("SIGKILL");
    const [cut] = await query<{ status: string; items: bigint; id: bigint }>(
      target,
      sql`SELECT f.id, f.status, (SELECT count(*) FROM lockbox_items i WHERE i.file_id = f.id)::int8 AS items
            FROM lockbox_files f`,
    );
    expect(cut!.status).toBe("importing");
    expect(Number(cut!.items)).toBeGreaterThanOrEqual(killed.done);
    expect(Number(cut!.items)).toBeLessThan(PAYMENTS);

    const rerun = await kilowatt(["lockbox", "import", file, "--chunk-size", String(CHUNK)], target.env);
    const result = JSON.parse(rerun.stdout);
    expect(result).toMatchObject({
      outcome: "resumed",
      status: "imported",
      item_count: PAYMENTS,
      total_cents: Number(fileTotal),
      already_count: Number(cut!.items),
    });
    expect(result.posted_count + result.suspense_count).toBe(PAYMENTS);
    expect(result.suspense_count).toBe(30);
    expect(rerun.stderr).toMatch(/resumed/);

    // Every matched line's payment exists exactly once; every line is recorded once; the balances moved by exactly
    // the file's totals: the posted off the accounts, the rest into suspense.
    const fileId = Number(cut!.id);
    const [counted] = await query<Totals & { refs: bigint; distinct_refs: bigint; items: bigint; posted: bigint }>(
      target,
      sql`SELECT (SELECT count(*) FROM payments WHERE source_ref LIKE ${`lockbox:${fileId}:%`})::int8 AS refs,
                 (SELECT count(DISTINCT source_ref) FROM payments WHERE source_ref LIKE ${`lockbox:${fileId}:%`})::int8
                   AS distinct_refs,
                 (SELECT count(*) FROM lockbox_items WHERE file_id = ${fileId})::int8 AS items,
                 (SELECT count(*) FROM lockbox_items i JOIN payments p ON p.id = i.payment_id
                   WHERE i.file_id = ${fileId} AND p.source_ref = 'lockbox:' || i.file_id || ':' || i.line_number)::int8
                   AS posted,
                 ${totalsSql}`,
    );
    const { refs, distinct_refs, items, posted, ...after } = counted!;
    expect({ refs, distinct_refs, items, posted }).toEqual({
      refs: BigInt(result.posted_count),
      distinct_refs: BigInt(result.posted_count),
      items: BigInt(PAYMENTS),
      posted: BigInt(result.posted_count),
    });
    expect(after.payments - before.payments).toBe(BigInt(result.posted_count));
    expect(before.balance - after.balance).toBe(BigInt(result.posted_cents));
    expect(before.suspense - after.suspense).toBe(BigInt(result.suspense_cents));
    expect(BigInt(result.posted_cents) + BigInt(result.suspense_cents)).toBe(fileTotal);

    const verified = await kilowatt(["ledger", "verify"], target.env);
    expect(verified.stdout).toMatch(/^ledger balanced/);

    // The same file once more posts nothing; a malformed one is refused naming its lines, exit code 1.
    const again = JSON.parse((await kilowatt(["lockbox", "import", file], target.env)).stdout);
    expect(again).toMatchObject({ outcome: "already_imported", posted_now: 0, file_id: fileId });
    const bad = path.join(work, "bad.bai2");
    const badLines = lockboxBai2("2026-03-02", rows.slice(0, 5)).trimEnd().split("\n").slice(0, -1);
    badLines[3] = badLines[3]!.replace(/^16,116,\d+,/, "16,116,12.50,");
    writeFileSync(bad, badLines.join("\n"));
    const refused = await kilowatt(["lockbox", "import", bad], target.env).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/^line 4 \(amount\): .*$/m);
    expect((refused as { stderr: string }).stderr).toMatch(/without its 99 file trailer/);
    expect((refused as { stderr: string }).stderr).toMatch(/nothing was imported/);
  }, 150_000);
});

/** Starts `kilowatt serve` on the data dir and waits until it listens. */
function startServer(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, "serve"], { env, stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${err}`)), 90_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (/serving http:\/\/localhost:\d+/.test(err)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${err}`));
    });
  });
}

describe.skipIf(Boolean(process.env.DATABASE_URL))("a lockbox import while the embedded server runs", () => {
  it("goes through the server that holds the data dir", async () => {
    const dataDir = path.join(work, "served");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: "0",
      KILOWATT_NOW: "2026-03-02T17:00:00Z",
      KILOWATT_DATA_DIR: dataDir,
    };
    delete env.DATABASE_URL;
    const seeded = await kilowatt(["seed", "--accounts", "20"], env);
    const first = Number(JSON.parse(seeded.stdout).first_account_id);
    const server = await startServer(env);
    cleanups.push(async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    });
    const file = path.join(work, "served.bai2");
    writeFileSync(
      file,
      lockboxBai2("2026-03-02", [
        { accountNumber: seededAccountNumber(first), amountCents: 12_550n, checkNumber: "1042" },
        { accountNumber: null, amountCents: 4_200n, checkNumber: "77" },
      ]),
    );
    const run = await kilowatt(["lockbox", "import", path.relative(process.cwd(), file)], env);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: "imported",
      format: "bai2",
      posted_count: 1,
      posted_cents: 12_550,
      suspense_count: 1,
      suspense_cents: 4_200,
      imported_by: "cli",
    });
    expect(run.stderr).toMatch(/2\/2 payments \(100%\)/);
  }, 150_000);
});
