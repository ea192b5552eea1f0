// A morning's lockbox file imported: 100,000 mailed-in payments (by default) to accounts drawn from the whole bench
// database, about 1% of them unmatched (no account number on the stub, a wrong check digit, an unknown number),
// written as the bank would send it and imported through importLockbox: parsed, matched by account number a chunk at
// a time, the matched posted as payments (each a payment, its tender, a ledger credit matched to the account's open
// items, their journal entries), the rest parked in payment suspense. Each run imports a new file (a fresh salt in
// the check numbers), so the bench database gains its payments, as the payments bench does.
// Options: the target's (bench/target.ts: --engine pg|pglite, --database NAME, --data DIR, --accounts N),
// --payments N (default 100000), --format csv|bai2 (default csv), --chunk-size N (default importLockbox's),
// --verify / --no-verify (default on: ledger verify afterwards). The PostgreSQL run records bench/results/lockbox.json,
// the PGlite run lockbox-pglite.json.
import { randomInt } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { accountNumberFromBase } from "../src/core/account-number.js";
import { verifyLedger } from "../src/modules/ledger/index.js";
import { importLockbox } from "../src/modules/payments/index.js";
import { type LockboxRow, lockboxBai2, lockboxCsv } from "../src/modules/payments/lockbox/index.js";
import { Rng } from "../src/seed/random.js";
import type { BenchOutcome } from "./run.js";
import { openTarget, targetOptions } from "./target.js";

/** The time the issue allows for 100,000 payments on PostgreSQL (seconds). */
const TARGET_SECONDS = 60;

/** Payments to `numbers` (drawn at random), about 1% unmatched in three ways. */
function lockboxRows(numbers: string[], count: number, salt: number): LockboxRow[] {
  const rng = new Rng(salt);
  return Array.from({ length: count }, (_v, i) => {
    const number = rng.pick(numbers);
    const odd = rng.int(0, 299);
    const accountNumber =
      odd === 0
        ? null
        : odd === 1
          ? `${number.slice(0, 9)}${(Number(number[9]) + 1 + rng.int(0, 8)) % 10}`
          : odd === 2
            ? accountNumberFromBase(rng.int(100_000_000, 999_999_999))
            : number;
    return {
      accountNumber,
      amountCents: BigInt(rng.int(1_000, 40_000)),
      checkNumber: `${salt % 100_000}${String(i).padStart(6, "0")}`,
      remitter: `REMITTER ${i}`,
    };
  });
}

export default async function lockboxBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      ...targetOptions,
      payments: { type: "string", default: "100000" },
      format: { type: "string", default: "csv" },
      "chunk-size": { type: "string" },
      verify: { type: "boolean", default: true },
    },
  });
  const count = Number(values.payments);
  if (!Number.isInteger(count) || count < 1) throw new Error("--payments: a positive whole number");
  if (values.format !== "csv" && values.format !== "bai2") throw new Error("--format: csv or bai2");
  const chunkSize = values["chunk-size"] === undefined ? undefined : Number(values["chunk-size"]);
  const target = await openTarget(values);
  try {
    const { ctx, database } = target;
    // Account numbers from all over the table: a random sample, so the file's payments scatter as a day's mail does.
    const share = Math.min(100, ((count * 1.2) / target.accounts) * 100);
    const numbers = (
      await database.rows<{ n: string }>(
        database.db,
        sql`SELECT account_number AS n FROM accounts TABLESAMPLE BERNOULLI (${share})`,
      )
    ).map((r) => r.n);
    if (numbers.length === 0) throw new Error("no accounts sampled");
    const salt = randomInt(1, 2 ** 31);
    const today = ctx.clock.today().toString();
    const rows = lockboxRows(numbers, count, salt);
    const text = values.format === "bai2" ? lockboxBai2(today, rows) : lockboxCsv(today, rows);
    const bytes = new TextEncoder().encode(text);
    const [before] = await database.rows<{ balance: bigint }>(
      database.db,
      sql`SELECT coalesce(sum(balance_cents), 0)::int8 AS balance FROM account_balances`,
    );

    const load = os.loadavg()[0]!;
    console.error(
      `importing a ${values.format} lockbox file of ${count.toLocaleString("en-US")} payments (${(bytes.length / 2 ** 20).toFixed(1)} MB) on ${target.engineLabel}`,
    );
    let lastShown = 0;
    const started = performance.now();
    const result = await importLockbox(
      ctx,
      { fileName: `bench-lockbox-${salt}.${values.format}`, bytes },
      {
        chunkSize,
        onProgress: ({ done, total }) => {
          if (done - lastShown >= total / 10 || done === total) {
            lastShown = done;
            console.error(`  ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`);
          }
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;

    const [after] = await database.rows<{ balance: bigint }>(
      database.db,
      sql`SELECT coalesce(sum(balance_cents), 0)::int8 AS balance FROM account_balances`,
    );
    const moved = before!.balance - after!.balance;
    if (moved !== result.posted_cents || result.posted_count + result.suspense_count !== count) {
      throw new Error(
        `the import disagrees with the ledger: ${result.posted_count} posted for ${result.posted_cents} cents, ${moved} cents moved`,
      );
    }
    let verified = "skipped";
    let verifySeconds = 0;
    if (values.verify) {
      const t0 = performance.now();
      const v = await verifyLedger(ctx);
      verifySeconds = Math.round((performance.now() - t0) / 100) / 10;
      if (!v.balanced) throw new Error(`ledger verify found ${v.violations.length} violations`);
      verified = `balanced: ${v.entries} entries`;
    }
    return {
      engine: target.engineLabel,
      ...(target.engine === "pglite" ? { variant: "pglite" } : {}),
      metrics: {
        accounts: target.accounts,
        format: values.format,
        file_megabytes: Math.round((bytes.length / 2 ** 20) * 10) / 10,
        payments_in_file: count,
        chunk_size: chunkSize ?? "default (2000)",
        seconds: Math.round(seconds * 10) / 10,
        payments_per_second: Math.round(count / seconds),
        target_seconds: target.engine === "postgres" ? TARGET_SECONDS : "measured",
        posted: result.posted_count,
        posted_cents: result.posted_cents.toString(),
        to_suspense: result.suspense_count,
        suspense_cents: result.suspense_cents.toString(),
        ledger_moved_cents: moved.toString(),
        ledger_verify: verified,
        ledger_verify_seconds: verifySeconds,
        load_average_at_start: Math.round(load * 100) / 100,
      },
    };
  } finally {
    await target.close();
  }
}
