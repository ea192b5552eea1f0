// Payments posted set-based, as a lockbox file or a payment batch posts them: N check payments to accounts drawn from
// the whole table, in chunks of C, each chunk one transaction (postPaymentsBulk: the payment rows, their tenders and
// lines, one ledger credit each matched oldest due first, the journal entries, one audit row per chunk). No HTTP.
// Options: --engine pg|pglite, --database NAME (default kilowatt_bench, on DATABASE_URL's server), --data DIR
// (PGlite, default .tmp/bench-pglite; seeded already), --payments N (default 100,000), --chunk C[,C...] (default
// 2000: each size posts N payments), --concurrency K[,K...] (default 1: chunks posted at once, each in its own
// transaction, as a lockbox import may run them), --verify / --no-verify (default on: ledger verify afterwards).
// Besides the rates it records the CPU per payment of this process (JS and, on PGlite, the engine) and of the
// PostgreSQL server's backends (when it runs on this machine), which say what a machine not shared with other work
// would reach. Records bench/results/bulk-payments.json (PostgreSQL) or bulk-payments-pglite.json.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { verifyLedger } from "../src/modules/ledger/index.js";
import { type BulkPayment, postPaymentsBulk } from "../src/modules/payments/index.js";
import { systemClock } from "../src/platform/clock.js";
import { loadConfig } from "../src/platform/config.js";
import { type Ctx, systemActor } from "../src/platform/context.js";
import { type Database, openEmbedded, openPostgres } from "../src/platform/db.js";
import { migrate } from "../src/platform/migrate.js";
import { Rng } from "../src/seed/random.js";
import type { BenchOutcome } from "./run.js";

/** What a 100,000-payment lockbox file needs on PostgreSQL to post within 60 s with room for parsing (payments/s). */
const TARGET_PER_SECOND = 3000;

async function open(values: { engine: string; database: string; data: string }) {
  if (values.engine === "pglite") {
    const dir = path.resolve(values.data);
    return { database: await openEmbedded(dir), env: { ...process.env, DATABASE_URL: "", KILOWATT_DATA_DIR: dir } };
  }
  if (values.engine !== "pg") throw new Error(`--engine: pg or pglite, not ${values.engine}`);
  if (!/^[a-z_][a-z0-9_]*$/.test(values.database)) throw new Error("--database: a plain lower-case name");
  const url = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/${values.database}`;
  return {
    database: openPostgres(url.toString(), 4),
    env: {
      ...process.env,
      DATABASE_URL: url.toString(),
      KILOWATT_DATA_KEY: process.env.KILOWATT_DATA_KEY || randomBytes(32).toString("hex"),
    },
  };
}

/** CPU time (ms) used so far by the database's client backends (PostgreSQL on this machine), else null. */
async function backendCpuMs(database: Database): Promise<number | null> {
  if (database.engine !== "postgres") return null;
  const rows = await database.rows<{ pid: number }>(
    database.db,
    sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  let total = 0;
  for (const { pid } of rows) {
    try {
      // utime and stime (fields 14 and 15, in ticks of 10 ms), counted after the command name's ')'.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null;
    }
  }
  return total;
}

const perPayment = (ms: number | null, n: number) => (ms === null ? "n/a" : Math.round((ms / n) * 1000) / 1000);

async function accountIds(database: Database): Promise<number[]> {
  const rows = await database.rows<{ id: bigint }>(database.db, sql`SELECT id FROM accounts`);
  return rows.map((r) => Number(r.id));
}

export default async function bulkPaymentsBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      engine: { type: "string", default: "pg" },
      database: { type: "string", default: "kilowatt_bench" },
      data: { type: "string", default: ".tmp/bench-pglite" },
      payments: { type: "string", default: "100000" },
      chunk: { type: "string", default: "2000" },
      concurrency: { type: "string", default: "1" },
      verify: { type: "boolean", default: true },
    },
  });
  const total = Number(values.payments);
  const sizes = values.chunk.split(",").map(Number);
  if (!Number.isInteger(total) || total < 1) throw new Error("--payments: a positive whole number");
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error("--chunk: positive whole numbers");
  const concurrencies = values.concurrency.split(",").map(Number);
  if (concurrencies.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new Error("--concurrency: positive whole numbers");
  }
  const { database, env } = await open(values);
  try {
    await migrate(database);
    const config = loadConfig({ ...env, LOG_LEVEL: "warn" });
    const ctx: Ctx = {
      database,
      db: database.db,
      clock: systemClock(config.timezone, config.now),
      config,
      actor: systemActor("bench"),
      requestId: "bench-bulk-payments",
    };
    const ids = await accountIds(database);
    if (ids.length === 0) throw new Error("no accounts: seed the database first");
    const today = ctx.clock.today().toString();
    const run = randomBytes(4).toString("hex");
    const rng = new Rng(Date.now() % 1_000_000);
    const metrics: Record<string, number | string> = {
      accounts: ids.length,
      payments_per_run: total,
      // The machine may be shared: its load when the run began says how far the rates are from a quiet one's.
      load_average_at_start: Math.round(os.loadavg()[0]! * 100) / 100,
    };
    let cents = 0n;
    for (const concurrency of concurrencies)
      for (const size of sizes) {
        const key = `chunk_${size}_x${concurrency}`;
        const list: BulkPayment[] = Array.from({ length: total }, (_, i) => ({
          sourceRef: `bench:${run}:${key}:${i}`,
          accountId: ids[rng.int(0, ids.length - 1)]!,
          amountCents: BigInt(rng.int(1_000, 30_000)),
          tender: { type: "check", checkNumber: String(1000 + i) },
          channel: "lockbox",
          receivedOn: today,
        }));
        const chunkMs: number[] = [];
        const chunks = Array.from({ length: Math.ceil(total / size) }, (_, k) => k);
        let posted = 0;
        const post = async (k: number) => {
          const at = performance.now();
          await postPaymentsBulk(ctx, list.slice(k * size, (k + 1) * size), {
            action: "bench.bulk_payments",
            entityType: "bench_run",
            entityId: `${run}:${key}:${k}`,
          });
          chunkMs.push(performance.now() - at);
          posted += Math.min(size, total - k * size);
          if (process.stderr.isTTY) process.stderr.write(`\r${key}: ${posted.toLocaleString("en-US")} posted`);
        };
        const serverBefore = await backendCpuMs(database);
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        // K workers take the chunks in order, each chunk its own transaction.
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            for (let k = chunks.shift(); k !== undefined; k = chunks.shift()) await post(k);
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const serverAfter = await backendCpuMs(database);
        if (process.stderr.isTTY) process.stderr.write("\n");
        cents += list.reduce((s, p) => s + p.amountCents, 0n);
        chunkMs.sort((a, b) => a - b);
        metrics[`${key}_seconds`] = Math.round(seconds * 100) / 100;
        metrics[`${key}_payments_per_second`] = Math.round(total / seconds);
        metrics[`${key}_chunk_ms_p50`] = Math.round(chunkMs[Math.floor(chunkMs.length / 2)]!);
        metrics[`${key}_chunk_ms_max`] = Math.round(chunkMs[chunkMs.length - 1]!);
        metrics[`${key}_process_cpu_ms_per_payment`] = perPayment((cpu.user + cpu.system) / 1000, total);
        metrics[`${key}_server_cpu_ms_per_payment`] = perPayment(
          serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
          total,
        );
      }
    metrics.target_payments_per_second = TARGET_PER_SECOND;
    metrics.posted_cents = cents.toString();
    if (values.verify) {
      const started = performance.now();
      const verified = await verifyLedger(ctx);
      metrics.ledger_verify = verified.balanced ? "balanced" : `${verified.violations.length} violations`;
      metrics.ledger_verify_seconds = Math.round((performance.now() - started) / 100) / 10;
    }
    const [version] = await database.rows<{ v: string }>(database.db, sql`SHOW server_version`);
    return {
      engine: `${values.engine === "pglite" ? "pglite" : "postgres"} ${version?.v ?? ""}`.trim(),
      metrics,
      variant: values.engine === "pglite" ? "pglite" : undefined,
    };
  } finally {
    await database.close();
  }
}
