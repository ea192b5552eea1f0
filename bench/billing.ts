// Bill runs over the whole bench utility: every account on the tiered baseline tariff (E-1), two register reads per
// installed meter a month apart, and every cycle billed for one bill date through runBills, as `kilowatt bill-run`
// does. Measured: bills a second over the whole run and per cycle; where the run's time goes (each statement the
// PostgreSQL client sends, timed from send to result, and the process between them); the process's memory once the
// first 100,000 accounts are done and at the end; and the floor: how long the engine takes to COPY the rows the run
// wrote (bills, bill_segments, journal_entries, journal_postings, receivable_items, receivable_credits,
// receivable_matches) into empty tables of the same definition with their indexes, in the same run. Then a
// time-of-use run: 10,000 of the billed accounts moved to a cycle of their own on E-TOU-C with a month of hourly
// interval days, billed a month later (touRun).
//
// PostgreSQL (--engine pg, the default): the seeded bench database (--source, default kilowatt_bench, from
// `npm run bench -- seed`) is left alone; the run works on a copy made from it as a template (--database, default
// kilowatt_bench_billing, dropped and made again each run). Records bench/results/billing.json (billing-parallelN.json
// with --parallel N above 1).
// PGlite (--engine pglite): the seeded embedded bench dir (--data, default .tmp/bench-pglite; seeded with --accounts
// N, default 100,000, and kept when empty, as the HTTP benches do) is copied to --work (default
// .tmp/bench-billing-pglite) and billed there. Records bench/results/billing-pglite.json.
// Options: --bill-date D (default 2026-11-02; reads on D-33 and D-4; the time-of-use month is billed on D+29, which
// must not be after today), --chunk-size N (default runBills'), --parallel N (cycles billed at once, default 1),
// --cycles 01,02 (default all), --subset N (the memory mark, default 100,000 accounts), --floor / --no-floor, --tou N
// (default 10,000; 0 skips), --profile / --no-profile (statement timing, PostgreSQL), --keep (keep the working copy).
import { randomBytes } from "node:crypto";
import {
  cpSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { Temporal } from "temporal-polyfill";
import { runBills } from "../src/modules/billing/run.js";
import { systemClock } from "../src/platform/clock.js";
import { loadConfig } from "../src/platform/config.js";
import { type Ctx, systemActor } from "../src/platform/context.js";
import { type Database, openEmbedded, openPostgres } from "../src/platform/db.js";
import { migrate } from "../src/platform/migrate.js";
import { seedUtility } from "../src/seed/seed.js";
import { seedDemoTariffs } from "../src/seed/tariffs.js";
import type { BenchOutcome } from "./run.js";

/** The issue's targets on PostgreSQL: bills a second, and the run's time over the COPY floor's. */
const TARGET_BILLS_PER_SECOND = 3000;
const TARGET_FLOOR_RATIO = 3;

/** The tables a bill run writes rows into (account_balances is updated in place, and left out of the floor). */
const OUTPUT_TABLES = [
  "bills",
  "bill_segments",
  "journal_entries",
  "journal_postings",
  "receivable_items",
  "receivable_credits",
  "receivable_matches",
] as const;
type OutputTable = (typeof OUTPUT_TABLES)[number];
/** Tables with an id of their own: the run's rows are those above the highest id before it. */
const ID_TABLES = OUTPUT_TABLES.filter((t) => t !== "bill_segments");

const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const n = (v: unknown) => Number(v ?? 0);
const fmt = (v: number) => v.toLocaleString("en-US");
const say = (line: string) => console.error(line);
const addDays = (d: string, days: number) => Temporal.PlainDate.from(d).add({ days }).toString();

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  say(`  ${label}: ${round(seconds, 1)} s`);
  return { value, seconds };
}

// ---------------------------------------------------------------------------------------------------------------
// Memory: the process sampled four times a second; the maximum so far can be read off at any mark.

function memorySampler() {
  const max = { rss: 0, heap: 0, external: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    max.rss = Math.max(max.rss, m.rss);
    max.heap = Math.max(max.heap, m.heapUsed);
    max.external = Math.max(max.external, m.external + m.arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, 250);
  timer.unref();
  return {
    mark: () => {
      sample();
      return { ...max };
    },
    reset: () => {
      max.rss = 0;
      max.heap = 0;
      max.external = 0;
      sample();
    },
    stop: () => clearInterval(timer),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Where the time goes on PostgreSQL: each statement the pg client sends, timed from send to result, by its first words.

type QueryStats = Map<string, { count: number; ms: number }>;

const LABELS: [RegExp, string][] = [
  [/^begin/i, "BEGIN"],
  [/^commit/i, "COMMIT (deferred ledger triggers, WAL flush)"],
  [/SELECT cursor_account_id AS cursor/, "run: lock the run row"],
  [/SELECT id FROM accounts WHERE bill_cycle/, "run: the chunk's account ids"],
  [/UPDATE bill_runs SET cursor_account_id/, "run: move the cursor"],
  [/SELECT sa\.id AS sa_id/, "load: agreements (loadAgreements)"],
  [/FROM unnest\(\$1::int8\[\],\s*\$2::date\[\]\) AS w\(sp, low\)/, "load: reads (readsSince)"],
  [/FROM "?interval_days"?\s+WHERE meter_id = ANY/, "load: intervals (intervalSeriesFor)"],
  [/WITH ids AS \(SELECT unnest/, "load: account facts (loadAccountFacts)"],
  [/SELECT h\.service_agreement_id AS sa_id/, "load: history (loadHistory)"],
  [/from "tariffs"|FROM tariffs/i, "load: tariff (loadTariff)"],
  [/nextval\(pg_get_serial_sequence\('bills'/, "write: bill ids"],
  [/WITH locked AS/, "ledger: lock balances, read chart (lockAll)"],
  [/SELECT 'credit' AS side/, "ledger: open items and credits, ids (openStates)"],
  [/nextval\(pg_get_serial_sequence\('journal_entries', 'id'\)\) AS id FROM generate_series/, "ledger: clearing ids"],
  [/entries AS \(\s*INSERT INTO journal_entries/, "ledger: write entries, items, postings (writeAll)"],
  [/inserted AS \(\s*INSERT INTO bills/, "write: bills and segments"],
  [/INSERT INTO "?audit_log/i, "write: audit row"],
  [/from "settings"/i, "run: settings (mail lag, due days, holidays, holds)"],
  [/INSERT INTO bill_runs/, "run: start"],
  [/UPDATE bill_runs SET status = 'completed'/, "run: complete"],
];

function labelOf(text: string): string {
  for (const [re, label] of LABELS) if (re.test(text)) return label;
  return `other: ${text.replace(/\s+/g, " ").trim().slice(0, 60)}`;
}

/** Wraps pg's Client#query to time every statement; returns a stop that restores it and hands back the figures. */
function profileQueries(): { stats: QueryStats; reset(): void; stop(): void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const stats: QueryStats = new Map();
  const record = (text: string, t0: number) => {
    const label = labelOf(text);
    const s = stats.get(label) ?? { count: 0, ms: 0 };
    s.count++;
    s.ms += performance.now() - t0;
    stats.set(label, s);
  };
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config] = args;
    const text = typeof config === "string" ? config : (config as { text?: unknown } | null)?.text;
    // COPY streams (pg-copy-streams) and anything without a text go through untouched.
    if (typeof text !== "string" || (config as { submit?: unknown }).submit) return original.apply(this, args);
    const t0 = performance.now();
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const callback = args[last] as (...r: unknown[]) => void;
      args[last] = (...r: unknown[]) => {
        record(text, t0);
        callback(...r);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args) as Promise<unknown> | undefined;
    result?.then?.(
      () => record(text, t0),
      () => record(text, t0),
    );
    return result;
  };
  return {
    stats,
    reset: () => stats.clear(),
    stop: () => {
      proto.query = original;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The target: a working copy of the seeded bench database.

interface Target {
  engine: "postgres" | "pglite";
  engineLabel: string;
  database: Database;
  ctx: Ctx;
  copySeconds: number;
  /** Where the working copy is, for the result. */
  where: string;
  close(): Promise<void>;
}

function ctxOf(database: Database, env: NodeJS.ProcessEnv): Ctx {
  const config = loadConfig({ ...env, LOG_LEVEL: "warn" });
  return {
    database,
    db: database.db,
    clock: systemClock(config.timezone, config.now),
    config,
    actor: systemActor("bench"),
    requestId: "bench-billing",
  };
}

const plainName = (name: string, option: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${option}: a plain lower-case name`);
  return name;
};

async function openPostgresCopy(source: string, work: string, keep: boolean, poolSize: number): Promise<Target> {
  const server = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  server.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [source]);
    if (exists.rowCount === 0) throw new Error(`no database ${source}: run \`npm run bench -- seed\` first`);
    const version = Number((await admin.query("SHOW server_version_num")).rows[0].server_version_num);
    say(`copying ${source} to ${work}`);
    await admin.query(`DROP DATABASE IF EXISTS ${work} WITH (FORCE)`);
    // A template must have no other sessions: wait a while for a bench or a psql still on it.
    const copied = await timed(`CREATE DATABASE ${work} TEMPLATE ${source}`, async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          // FILE_COPY (PostgreSQL 15+) copies the files and checkpoints, instead of writing the whole database
          // through the WAL block by block.
          await admin.query(
            `CREATE DATABASE ${work} TEMPLATE ${source}${version >= 150000 ? " STRATEGY = FILE_COPY" : ""}`,
          );
          return;
        } catch (err) {
          if (!/being accessed by other users/.test(String(err)) || attempt >= 60) throw err;
          if (attempt === 0) say(`  ${source} is in use; waiting for it to be free`);
          await new Promise((r) => setTimeout(r, 5000));
        }
      }
    });
    const url = new URL(server);
    url.pathname = `/${work}`;
    const database = openPostgres(url.toString(), Math.max(4, poolSize));
    const ctx = ctxOf(database, {
      ...process.env,
      DATABASE_URL: url.toString(),
      KILOWATT_DATA_KEY: process.env.KILOWATT_DATA_KEY || randomBytes(32).toString("hex"),
    });
    const [v] = await database.rows<{ v: string }>(database.db, sql`SELECT current_setting('server_version') AS v`);
    return {
      engine: "postgres",
      engineLabel: `postgres ${v?.v ?? ""}`.trim(),
      database,
      ctx,
      copySeconds: copied.seconds,
      where: work,
      async close() {
        await database.close();
        if (!keep) await admin.query(`DROP DATABASE IF EXISTS ${work} WITH (FORCE)`);
        await admin.end();
      },
    };
  } catch (err) {
    await admin.end();
    throw err;
  }
}

/** The embedded bench dir (seeded with `accounts` when empty, and kept) copied to `work`, and opened there. */
async function openPgliteCopy(source: string, work: string, accounts: number, keep: boolean): Promise<Target> {
  const env = { ...process.env, DATABASE_URL: "", KILOWATT_DATA_DIR: source };
  if (!existsSync(path.join(source, "pgdata")) || readdirSync(path.join(source, "pgdata")).length === 0) {
    const database = await openEmbedded(source);
    try {
      await migrate(database);
      const ctx = ctxOf(database, env);
      say(`seeding ${fmt(accounts)} accounts into ${source} (kept for later runs)`);
      const seeded = await seedUtility(ctx, { accounts, seed: 1, progress: process.stderr });
      say(`seeded in ${seeded.seconds} s`);
      await database.db.execute(sql`VACUUM (ANALYZE)`);
    } finally {
      await database.close();
    }
  }
  say(`copying ${source} to ${work}`);
  rmSync(work, { recursive: true, force: true });
  const copied = await timed("copy the data dir", async () =>
    cpSync(source, work, { recursive: true, filter: (p) => path.basename(p) !== "kilowatt.lock" }),
  );
  const database = await openEmbedded(work);
  // The data dir's key file goes with it, so sealed numbers read the same.
  const ctx = ctxOf(database, { ...env, KILOWATT_DATA_DIR: work });
  const [v] = await database.rows<{ v: string }>(database.db, sql`SELECT current_setting('server_version') AS v`);
  return {
    engine: "pglite",
    engineLabel: `pglite ${pgliteVersion()} (PostgreSQL ${v?.v ?? "?"})`,
    database,
    ctx,
    copySeconds: copied.seconds,
    where: path.relative(process.cwd(), work),
    async close() {
      await database.close();
      if (!keep) rmSync(work, { recursive: true, force: true });
    },
  };
}

function pgliteVersion(): string {
  try {
    const manifest = new URL("../node_modules/@electric-sql/pglite/package.json", import.meta.url);
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Preparation: the tariff book, every agreement on E-1, two register reads per installed meter.

async function prepare(t: Target, firstRead: string, secondRead: string) {
  const { ctx, database } = t;
  const exec = (q: ReturnType<typeof sql>) => database.db.execute(q);
  say("preparing the working copy");
  const migrated = await timed("migrate", () => migrate(database));
  if (migrated.value.length) say(`    applied ${migrated.value.join(", ")}`);
  await timed("demo tariffs", () => seedDemoTariffs(ctx));
  const tariff = await timed("every service agreement on E-1", () =>
    exec(sql`UPDATE service_agreements SET tariff_code = 'E-1' WHERE tariff_code <> 'E-1'`),
  );
  // Usage from 120 to 1,019 kWh, spread over the service points; the first read opens the period (no kWh).
  const reads = await timed("two register reads per installed meter", () =>
    exec(sql`
      INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
      SELECT mi.meter_id, mi.service_point_id, d.read_on, 10000 + d.n * u.kwh,
             CASE WHEN d.n = 0 THEN NULL ELSE u.kwh END, 'actual', 'field', 'bench'
      FROM meter_installations AS mi
      CROSS JOIN LATERAL (SELECT 120 + (mi.service_point_id * 7919) % 900 AS kwh) AS u
      CROSS JOIN (VALUES (${firstRead}::date, 0), (${secondRead}::date, 1)) AS d(read_on, n)
      WHERE mi.removed_on IS NULL
        AND EXISTS (SELECT 1 FROM service_agreements AS sa
                    WHERE sa.service_point_id = mi.service_point_id AND sa.status = 'active')
      ON CONFLICT DO NOTHING`),
  );
  await timed("VACUUM (ANALYZE) the changed tables", async () => {
    await exec(sql`VACUUM (ANALYZE) service_agreements`);
    await exec(sql`VACUUM (ANALYZE) meter_reads`);
  });
  const [counts] = await database.rows<{ reads: bigint; agreements: bigint }>(
    database.db,
    sql`SELECT (SELECT count(*) FROM meter_reads) AS reads,
               (SELECT count(*) FROM service_agreements WHERE status = 'active') AS agreements`,
  );
  return {
    seconds: tariff.seconds + reads.seconds,
    reads: n(counts?.reads),
    activeAgreements: n(counts?.agreements),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run: every cycle, each as `kilowatt bill-run --cycle N --date D` runs one.

interface CycleResult {
  cycle: string;
  accounts: number;
  billed: number;
  held: number;
  skipped: number;
  seconds: number;
}

async function highIds(t: Target): Promise<Record<string, number>> {
  const parts = ID_TABLES.map((table) => `(SELECT coalesce(max(id), 0) FROM ${table}) AS ${table}`).join(", ");
  const [row] = await t.database.rows<Record<string, bigint>>(t.database.db, sql.raw(`SELECT ${parts}`));
  return Object.fromEntries(ID_TABLES.map((table) => [table, n(row?.[table])]));
}

/** The run's own rows of a table: those above the highest id before the run (the copy has no other writer). */
const runRows = (table: OutputTable, before: Record<string, number>) =>
  table === "bill_segments" ? `bill_id > ${before.bills}` : `id > ${before[table]}`;

/**
 * Bills the cycles, `parallel` at a time (1: one after another, as an operator running `kilowatt bill-run` per cycle
 * does; 2: two cycles at once, each its own run on its own connection). Marks the process's memory once `subset`
 * accounts are done.
 */
async function billAll(
  t: Target,
  cycles: { cycle: string; accounts: number }[],
  billDate: string,
  chunkSize: number | undefined,
  parallel: number,
  subset: number,
  memory: ReturnType<typeof memorySampler>,
) {
  const results: CycleResult[] = [];
  const doneBy = new Map<string, number>();
  type Mark = { accounts: number; rss: number; heap: number; external: number };
  const marks: { subset?: Mark } = {};
  const started = performance.now();
  const queue = [...cycles];
  const billOne = async ({ cycle, accounts }: { cycle: string; accounts: number }) => {
    const t0 = performance.now();
    let shown = 0;
    const run = await runBills(t.ctx, { cycle, bill_date: billDate, chunk_size: chunkSize }, (done, total) => {
      doneBy.set(cycle, done);
      const all = [...doneBy.values()].reduce((a, b) => a + b, 0);
      if (!marks.subset && all >= subset) marks.subset = { accounts: all, ...memory.mark() };
      if (done - shown >= total / 4 && done < total) {
        shown = done;
        say(`    cycle ${cycle}: ${fmt(done)}/${fmt(total)}`);
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    results.push({
      cycle,
      accounts: run.accounts_total,
      billed: run.billed,
      held: run.held,
      skipped: run.skipped,
      seconds,
    });
    const m = memory.mark();
    say(
      `  cycle ${cycle}: ${fmt(run.accounts_total)} accounts, ${fmt(run.billed)} issued, ${fmt(run.held)} held, ` +
        `${fmt(run.skipped)} not billed${Object.keys(run.skipped_why).length ? ` ${JSON.stringify(run.skipped_why)}` : ""} ` +
        `in ${round(seconds)} s (${fmt(Math.round((run.billed + run.held) / seconds))} bills/s; ` +
        `max rss ${mb(m.rss)} MB, heap ${mb(m.heap)} MB)`,
    );
    if (accounts !== run.accounts_total) say(`    (the cycle had ${accounts} accounts when counted)`);
  };
  await Promise.all(
    Array.from({ length: Math.max(1, parallel) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await billOne(next);
    }),
  );
  results.sort((a, b) => (a.cycle < b.cycle ? -1 : 1));
  return { results, seconds: (performance.now() - started) / 1000, subsetMark: marks.subset ?? null };
}

// ---------------------------------------------------------------------------------------------------------------
// The floor: the run's rows exported (not timed), then loaded by COPY into empty tables of the same definition
// with their indexes (timed), table by table.

async function copyFloor(t: Target, before: Record<string, number>, dir: string) {
  const perTable: Record<string, { rows: number; bytes: number; seconds: number }> = {};
  const floorName = (table: string) => `bench_floor_${table}`;
  const drop = async () => {
    for (const table of OUTPUT_TABLES) await t.database.db.execute(sql.raw(`DROP TABLE IF EXISTS ${floorName(table)}`));
  };
  await drop();
  for (const table of OUTPUT_TABLES) {
    await t.database.db.execute(sql.raw(`CREATE TABLE ${floorName(table)} (LIKE ${table} INCLUDING ALL)`));
  }
  const select = (table: OutputTable) => `SELECT * FROM ${table} WHERE ${runRows(table, before)}`;
  try {
    if (t.engine === "postgres") {
      const pool = t.database.pool!;
      mkdirSync(dir, { recursive: true });
      const client = await pool.connect();
      try {
        say("  exporting the run's rows (not timed)");
        for (const table of OUTPUT_TABLES) {
          const file = path.join(dir, `${table}.copy`);
          await pipeline(client.query(copyTo(`COPY (${select(table)}) TO STDOUT`)), createWriteStream(file));
        }
        await client.query("CHECKPOINT");
        for (const table of OUTPUT_TABLES) {
          const file = path.join(dir, `${table}.copy`);
          const t0 = performance.now();
          const stream = client.query(copyFrom(`COPY ${floorName(table)} FROM STDIN`));
          await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), stream);
          const seconds = (performance.now() - t0) / 1000;
          const rows = Number((stream as unknown as { rowCount?: number }).rowCount ?? 0);
          const { size } = statSync(file);
          perTable[table] = { rows, bytes: size, seconds };
          say(`  COPY ${fmt(rows)} rows (${mb(size)} MB) into ${floorName(table)}: ${round(seconds, 1)} s`);
          rmSync(file);
        }
      } finally {
        client.release();
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      const pglite = t.database.pglite!;
      for (const table of OUTPUT_TABLES) {
        const out = await pglite.query(`COPY (${select(table)}) TO '/dev/blob'`);
        const blob = out.blob;
        // An empty blob would leave COPY FROM waiting: a table the run wrote nothing to costs nothing.
        if (!blob || blob.size === 0) {
          perTable[table] = { rows: 0, bytes: 0, seconds: 0 };
          continue;
        }
        await pglite.exec("CHECKPOINT");
        const t0 = performance.now();
        const loaded = await pglite.query(`COPY ${floorName(table)} FROM '/dev/blob'`, [], { blob });
        const seconds = (performance.now() - t0) / 1000;
        perTable[table] = { rows: loaded.affectedRows ?? 0, bytes: blob.size, seconds };
        say(
          `  COPY ${fmt(loaded.affectedRows ?? 0)} rows (${mb(blob.size)} MB) into ${floorName(table)}: ${round(seconds, 1)} s`,
        );
      }
    }
  } finally {
    await drop();
  }
  const seconds = Object.values(perTable).reduce((s, p) => s + p.seconds, 0);
  return { seconds, perTable };
}

// ---------------------------------------------------------------------------------------------------------------
// Time of use from hourly intervals: after the register run, `count` residential accounts it billed, each with one
// agreement on an hourly interval meter, are moved to a cycle of their own (TOU_CYCLE, so a run bills them alone)
// and onto E-TOU-C; their meters get a month of hourly interval days (23 or 25 hours on the days the clocks change)
// and a register read closing the month with the intervals' total. The cycle is then billed by runBills, which
// prices a time-of-use agreement on an interval meter from its interval days.

const TOU_CYCLE = "22";

async function touRun(
  t: Target,
  count: number,
  registerBillsAbove: number,
  lastRead: string,
  touRead: string,
  billDate: string,
  chunkSize: number | undefined,
  profile: ReturnType<typeof profileQueries> | null,
) {
  const { ctx, database } = t;
  const from = addDays(lastRead, 1);
  say(
    `time of use: ${fmt(count)} accounts on E-TOU-C with hourly intervals, ${from} to ${touRead}, billed ${billDate}`,
  );
  const chosen = await database.rows<{ account_id: bigint; meter_id: bigint; service_point_id: bigint }>(
    database.db,
    sql`SELECT b.account_id, mi.meter_id, s.service_point_id
        FROM bills AS b
        JOIN accounts AS a ON a.id = b.account_id AND a.customer_class = 'residential'
        JOIN LATERAL (
          SELECT min(sa.service_point_id) FILTER (WHERE sa.status = 'active') AS service_point_id,
                 count(*) FILTER (WHERE sa.status = 'active') AS active,
                 count(*) FILTER (WHERE sa.status = 'active' AND sa.start_date <= ${from}::date) AS n,
                 count(*) FILTER (WHERE sa.status <> 'active' AND sa.end_date >= ${from}::date) AS ending
          FROM service_agreements AS sa WHERE sa.account_id = b.account_id) AS s ON s.active = 1 AND s.n = 1 AND s.ending = 0
        JOIN meter_installations AS mi ON mi.service_point_id = s.service_point_id AND mi.removed_on IS NULL
        JOIN meters AS m ON m.id = mi.meter_id AND m.kind = 'interval' AND m.interval_minutes = 60
        WHERE b.id > ${registerBillsAbove}::int8 AND b.status = 'issued'
        ORDER BY b.account_id
        LIMIT ${count}::int4`,
  );
  if (chosen.length < count) say(`  only ${fmt(chosen.length)} billed accounts have one agreement on an hourly meter`);
  const accountIds = chosen.map((r) => Number(r.account_id));
  const meterIds = chosen.map((r) => Number(r.meter_id));
  const zone = ctx.clock.timezone;
  const prepared = await timed(
    "accounts moved to their cycle, on E-TOU-C, with a month of hourly intervals",
    async () => {
      await database.db.execute(
        sql`UPDATE accounts SET bill_cycle = ${TOU_CYCLE} WHERE id = ANY(${sql.param(accountIds)}::int8[])`,
      );
      await database.db.execute(sql`UPDATE service_agreements SET tariff_code = 'E-TOU-C'
      WHERE account_id = ANY(${sql.param(accountIds)}::int8[]) AND status = 'active'`);
      // Watt-hours by hour: a base that varies by meter, hour and day, tripled in the evening peak.
      await database.db.execute(sql`
      INSERT INTO interval_days (meter_id, day, minutes, wh, source)
      SELECT m.id, d.day, 60,
             ARRAY(SELECT ((150 + (m.id * 31 + h * 17 + d.k * 7) % 500)
                           * CASE WHEN h BETWEEN 16 AND 20 THEN 3 ELSE 1 END)::int4
                   FROM generate_series(0, d.hours - 1) AS h),
             'seed'
      FROM unnest(${sql.param(meterIds)}::int8[]) AS m(id)
      CROSS JOIN LATERAL (
        SELECT g::date AS day, extract(doy FROM g)::int AS k,
               (extract(epoch FROM ((g + interval '1 day')::timestamp AT TIME ZONE ${zone})
                                  - (g::timestamp AT TIME ZONE ${zone})) / 3600)::int AS hours
        FROM generate_series(${from}::date, ${touRead}::date, interval '1 day') AS g) AS d
      ON CONFLICT (meter_id, day) DO NOTHING`);
      // The register read closing the month: the dial moved on by the intervals' total.
      await database.db.execute(sql`
      INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
      SELECT c.meter_id, c.sp, ${touRead}::date, r.reading + u.kwh, u.kwh, 'actual', 'field', 'bench'
      FROM unnest(${sql.param(meterIds)}::int8[], ${sql.param(chosen.map((r) => Number(r.service_point_id)))}::int8[])
           AS c(meter_id, sp)
      JOIN meter_reads AS r ON r.meter_id = c.meter_id AND r.read_on = ${lastRead}::date AND r.status = 'valid'
      CROSS JOIN LATERAL (SELECT (sum(w) / 1000.0)::numeric(12, 3) AS kwh FROM interval_days AS i, unnest(i.wh) AS w
                          WHERE i.meter_id = c.meter_id AND i.day BETWEEN ${from}::date AND ${touRead}::date) AS u
      ON CONFLICT DO NOTHING`);
      await database.db.execute(sql`ANALYZE interval_days`);
      await database.db.execute(sql`ANALYZE meter_reads`);
    },
  );
  const [intervals] = await database.rows<{ n: bigint }>(
    database.db,
    sql`SELECT coalesce(sum(cardinality(wh)), 0)::int8 AS n FROM interval_days
        WHERE meter_id = ANY(${sql.param(meterIds)}::int8[]) AND day BETWEEN ${from}::date AND ${touRead}::date`,
  );
  const [before] = await database.rows<{ id: bigint }>(database.db, sql`SELECT coalesce(max(id), 0) AS id FROM bills`);
  profile?.reset();
  const t0 = performance.now();
  const run = await runBills(ctx, { cycle: TOU_CYCLE, bill_date: billDate, chunk_size: chunkSize });
  const seconds = (performance.now() - t0) / 1000;
  const stats = profile ? new Map(profile.stats) : null;
  // Priced from intervals: the engine splits energy into peak and off-peak lines only when it had the intervals.
  const [check] = await database.rows<{ bills: bigint; tou: bigint }>(
    database.db,
    sql`SELECT count(*) AS bills, count(*) FILTER (WHERE detail::text LIKE '%.peak[%') AS tou
        FROM bills WHERE id > ${n(before?.id)}::int8`,
  );
  const bills = run.billed + run.held;
  say(
    `  ${fmt(run.billed)} issued, ${fmt(run.held)} held, ${fmt(run.skipped)} not billed from ${fmt(n(intervals?.n))} ` +
      `hourly intervals in ${round(seconds, 2)} s (${fmt(Math.round(bills / seconds))} bills/s)`,
  );
  const intervalMs = stats
    ? [...stats].filter(([k]) => k.startsWith("load: intervals")).reduce((a, [, v]) => a + v.ms, 0)
    : 0;
  return {
    accounts: accountIds.length,
    bills,
    held: run.held,
    skipped: run.skipped,
    onTou: n(check?.tou),
    intervals: n(intervals?.n),
    seconds,
    prepareSeconds: prepared.seconds,
    intervalReadSeconds: intervalMs / 1000,
  };
}

// ---------------------------------------------------------------------------------------------------------------

export default async function billingBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      engine: { type: "string", default: "pg" },
      source: { type: "string", default: "kilowatt_bench" },
      database: { type: "string", default: "kilowatt_bench_billing" },
      data: { type: "string", default: ".tmp/bench-pglite" },
      work: { type: "string", default: ".tmp/bench-billing-pglite" },
      accounts: { type: "string", default: "100000" },
      "bill-date": { type: "string", default: "2026-11-02" },
      parallel: { type: "string", default: "1" },
      "chunk-size": { type: "string" },
      cycles: { type: "string" },
      subset: { type: "string", default: "100000" },
      floor: { type: "boolean", default: true },
      tou: { type: "string", default: "10000" },
      profile: { type: "boolean", default: true },
      keep: { type: "boolean", default: false },
    },
  });
  const engine = values.engine === "pglite" ? "pglite" : values.engine === "pg" ? "postgres" : null;
  if (!engine) throw new Error(`--engine: pg or pglite, not ${values.engine}`);
  const billDate = values["bill-date"];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate)) throw new Error("--bill-date: YYYY-MM-DD");
  const chunkSize = values["chunk-size"] === undefined ? undefined : Number(values["chunk-size"]);
  const subset = Number(values.subset);
  const touCount = Number(values.tou);
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 4) throw new Error("--parallel: 1 to 4");
  const firstRead = addDays(billDate, -33);
  const secondRead = addDays(billDate, -4);
  // The time-of-use month follows the register month: read 29 days later, billed 29 days later.
  const touRead = addDays(secondRead, 29);
  const touBillDate = addDays(billDate, 29);

  const loadAtStart = os.loadavg()[0]!;
  const target =
    engine === "postgres"
      ? await openPostgresCopy(
          plainName(values.source, "--source"),
          plainName(values.database, "--database"),
          values.keep,
          parallel + 2,
        )
      : await openPgliteCopy(
          path.resolve(values.data),
          path.resolve(values.work),
          Number(values.accounts),
          values.keep,
        );
  const memory = memorySampler();
  const profile = engine === "postgres" && values.profile ? profileQueries() : null;
  try {
    const { database } = target;
    const prepared = await prepare(target, firstRead, secondRead);
    const cycles = (
      await database.rows<{ cycle: string; accounts: bigint }>(
        database.db,
        sql`SELECT bill_cycle AS cycle, count(*) AS accounts FROM accounts GROUP BY bill_cycle ORDER BY bill_cycle`,
      )
    )
      .map((r) => ({ cycle: r.cycle, accounts: n(r.accounts) }))
      .filter((c) => !values.cycles || values.cycles.split(",").includes(c.cycle));
    const accounts = cycles.reduce((s, c) => s + c.accounts, 0);
    const before = await highIds(target);
    if (engine === "postgres") await database.db.execute(sql`CHECKPOINT`);
    else await database.pglite!.exec("CHECKPOINT");

    const loadAtRun = os.loadavg()[0]!;
    say(
      `billing ${fmt(accounts)} accounts in ${cycles.length} cycles for ${billDate} (reads ${firstRead} and ${secondRead}) ` +
        `on ${target.engineLabel}, chunks of ${chunkSize ?? "1000 (default)"}, ${parallel} cycle(s) at a time; ` +
        `load average ${round(loadAtRun, 2)}`,
    );
    const rssBefore = process.memoryUsage().rss;
    memory.reset();
    profile?.reset();
    const run = await billAll(target, cycles, billDate, chunkSize, parallel, subset, memory);
    const atEnd = memory.mark();
    const queryStats = profile ? new Map(profile.stats) : null;
    const billed = run.results.reduce((s, r) => s + r.billed, 0);
    const held = run.results.reduce((s, r) => s + r.held, 0);
    const skipped = run.results.reduce((s, r) => s + r.skipped, 0);
    const bills = billed + held;
    const billsPerSecond = bills / run.seconds;
    say(
      `billed ${fmt(bills)} (${fmt(held)} held) in ${round(run.seconds)} s: ${fmt(Math.round(billsPerSecond))} bills/s`,
    );

    // What the run wrote, and a check that it is whole: one bill per account billed, one entry per issued bill, the
    // issued bills' charges equal to their items less their credits.
    const counts: Record<string, number> = {};
    for (const table of OUTPUT_TABLES) {
      const [row] = await database.rows<{ n: bigint }>(
        database.db,
        sql.raw(`SELECT count(*) AS n FROM ${table} WHERE ${runRows(table, before)}`),
      );
      counts[table] = n(row?.n);
    }
    const [sums] = await database.rows<{ total: bigint; items: bigint; credits: bigint; issued: bigint }>(
      database.db,
      sql.raw(`SELECT (SELECT coalesce(sum(total_cents), 0)::int8 FROM bills WHERE id > ${before.bills} AND status = 'issued') AS total,
                      (SELECT count(*) FROM bills WHERE id > ${before.bills} AND status = 'issued') AS issued,
                      (SELECT coalesce(sum(i.original_cents), 0)::int8 FROM receivable_items AS i
                        WHERE i.id > ${before.receivable_items} AND i.reference LIKE 'bill:%') AS items,
                      (SELECT coalesce(sum(c.original_cents), 0)::int8 FROM receivable_credits AS c
                        WHERE c.id > ${before.receivable_credits} AND c.reference LIKE 'bill:%') AS credits`),
    );
    if (counts.bills !== bills || n(sums?.issued) !== billed)
      throw new Error(`the run wrote ${counts.bills} bills for ${bills}`);
    if (sums!.total !== sums!.items - sums!.credits)
      throw new Error(
        `issued bills total ${sums!.total} cents; their items less credits ${sums!.items - sums!.credits}`,
      );

    let floor: Awaited<ReturnType<typeof copyFloor>> | null = null;
    if (values.floor) {
      say("the COPY floor: the run's rows loaded into empty tables of the same definition");
      floor = await copyFloor(target, before, path.resolve(".tmp/bench-billing-floor"));
      say(`floor ${round(floor.seconds)} s; the run took ${round(run.seconds / floor.seconds, 2)}x`);
    }

    let tou: Awaited<ReturnType<typeof touRun>> | null = null;
    if (touCount > 0 && touBillDate > target.ctx.clock.today().toString())
      say(`time of use skipped: its bill date ${touBillDate} is after today (give an earlier --bill-date)`);
    else if (touCount > 0)
      tou = await touRun(target, touCount, before.bills ?? 0, secondRead, touRead, touBillDate, chunkSize, profile);
    profile?.stop();

    // Where the run's time went: the statements (send to result), and the process between them.
    let profileMetrics: Record<string, number | string> = {};
    if (queryStats) {
      const dbMs = [...queryStats.values()].reduce((s, q) => s + q.ms, 0);
      const rows = [...queryStats.entries()].sort((a, b) => b[1].ms - a[1].ms);
      say("where the run's time went:");
      for (const [label, q] of rows)
        say(
          `  ${label.padEnd(58)} ${fmt(q.count).padStart(7)} x ${round(q.ms / q.count, 2)
            .toFixed(2)
            .padStart(8)} ms = ${round(q.ms / 1000, 1)
            .toFixed(1)
            .padStart(7)} s`,
        );
      // With cycles billed side by side the statements' times add up across connections: no process share then.
      if (parallel === 1)
        say(
          `  ${"in the process (rate engine, bill detail, ledger planning)".padEnd(58)} ${round(run.seconds - dbMs / 1000, 1)} s`,
        );
      profileMetrics = {
        db_seconds: round(dbMs / 1000),
        process_seconds: parallel === 1 ? round(run.seconds - dbMs / 1000) : "n/a (cycles side by side)",
        ...Object.fromEntries(rows.slice(0, 12).map(([label, q]) => [`db_s: ${label}`, round(q.ms / 1000)])),
      };
    }

    const perCycle = run.results.map((r) => `${r.cycle}:${Math.round((r.billed + r.held) / r.seconds)}`).join(" ");
    const metrics: Record<string, number | string> = {
      engine: target.engine,
      working_copy: target.where,
      working_copy_seconds: round(target.copySeconds),
      prepare_seconds: round(prepared.seconds),
      meter_reads: prepared.reads,
      bill_date: billDate,
      chunk_size: chunkSize ?? "default (1000)",
      cycles_at_a_time: parallel,
      cycles: run.results.length,
      accounts,
      bills,
      issued: billed,
      held,
      not_billed: skipped,
      seconds: round(run.seconds),
      bills_per_s: Math.round(billsPerSecond),
      target_bills_per_s: engine === "postgres" ? TARGET_BILLS_PER_SECOND : "measured",
      bills_per_s_by_cycle: perCycle,
      ...Object.fromEntries(OUTPUT_TABLES.map((t) => [`rows_${t}`, counts[t]!])),
      floor_seconds: floor ? round(floor.seconds) : "skipped",
      ...(floor
        ? Object.fromEntries(OUTPUT_TABLES.map((t) => [`floor_s_${t}`, round(floor!.perTable[t]!.seconds)]))
        : {}),
      floor_mb: floor ? mb(Object.values(floor.perTable).reduce((s, p) => s + p.bytes, 0)) : "skipped",
      ratio: floor ? round(run.seconds / floor.seconds, 2) : "skipped",
      target_ratio: engine === "postgres" ? TARGET_FLOOR_RATIO : "measured",
      rss_before_run_mb: mb(rssBefore),
      subset_accounts: run.subsetMark?.accounts ?? "not reached",
      max_rss_mb_subset: run.subsetMark ? mb(run.subsetMark.rss) : "not reached",
      max_heap_mb_subset: run.subsetMark ? mb(run.subsetMark.heap) : "not reached",
      max_rss_mb_all: mb(atEnd.rss),
      max_heap_mb_all: mb(atEnd.heap),
      ...profileMetrics,
      ...(tou
        ? {
            tou_bill_date: touBillDate,
            tou_accounts: tou.accounts,
            tou_bills: tou.bills,
            tou_held: tou.held,
            tou_not_billed: tou.skipped,
            tou_bills_priced_by_period: tou.onTou,
            tou_hourly_intervals: tou.intervals,
            tou_seconds: round(tou.seconds, 2),
            tou_bills_per_s: Math.round(tou.bills / tou.seconds),
            tou_interval_read_seconds: tou.intervalReadSeconds ? round(tou.intervalReadSeconds, 2) : "not profiled",
            tou_prepare_seconds: round(tou.prepareSeconds),
          }
        : {}),
      load_average_at_start: round(loadAtStart, 2),
      load_average_at_run: round(loadAtRun, 2),
    };
    return {
      engine: target.engineLabel,
      ...(engine === "pglite"
        ? { variant: parallel > 1 ? `pglite-parallel${parallel}` : "pglite" }
        : parallel > 1
          ? { variant: `parallel${parallel}` }
          : {}),
      metrics,
    };
  } finally {
    profile?.stop();
    memory.stop();
    await target.close();
  }
}
