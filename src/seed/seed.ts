import { setImmediate as yieldToIo } from "node:timers/promises";
import cliProgress from "cli-progress";
import { sql } from "drizzle-orm";
import { listGlAccounts } from "../modules/ledger/index.js";
import { returnedPaymentFeeCents, returnedPaymentsForCashOnly } from "../modules/payments/index.js";
import { audit } from "../platform/audit.js";
import { type Ctx, inTx } from "../platform/context.js";
import { currentSetting } from "../platform/settings.js";
import type { LedgerCodes } from "./books.js";
import { type BulkWriter, openWriters } from "./bulk.js";
import { type ChunkRows, emptyChunk, type GenerateOptions, generateAccounts } from "./generate.js";
import type { MoneyOptions } from "./money.js";
import { seededAccountNumber, seededMeterNumber } from "./numbers.js";
import { type ChunkRanges, type LoadPlan, planLoad, proveChunk } from "./proof.js";
import { pooledSealer } from "./seal.js";
import { ID_TABLES, MAX_ROWS_PER_ACCOUNT, type SeedTable, TABLE_NAMES } from "./tables.js";

export interface SeedOptions {
  /** How many accounts to add. */
  accounts: number;
  /** The run seed: the same seed and business date give the same utility. */
  seed: number;
  /** Accounts per transaction (default 10,000 on PostgreSQL, 1,000 embedded). */
  chunkSize?: number;
  /** Parallel COPY connections on PostgreSQL (default 2). */
  connections?: number;
  /** Where the progress bar draws (a terminal); nothing is drawn elsewhere. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Load with every trigger firing per row, even where the proved load is allowed (proof.ts). */
  checked?: boolean;
  /** Give accounts their bills and payments (default); false leaves the ledger and payments alone. */
  moneyHistory?: boolean;
}

export interface SeedResult {
  accounts: number;
  /** proved: loaded without per-row triggers and proved per chunk; checked: every trigger fired. */
  load: "proved" | "checked";
  first_account_id: number | null;
  last_account_id: number | null;
  rows: Record<SeedTable, number>;
  total_rows: number;
  seconds: number;
}

interface Reservation {
  base: Record<string, number>;
  end: Record<string, number>;
  sequence: Record<string, string>;
  hadAccounts: boolean;
  hadMeters: boolean;
}

const num = (v: unknown) => Number(v ?? 0);

/** Reserves an id range per table: ids are assigned here, so concurrent inserts must draw theirs above the range. */
async function reserveIds(ctx: Ctx, accounts: number): Promise<Reservation> {
  return inTx(ctx, async (tx) => {
    const r: Reservation = { base: {}, end: {}, sequence: {}, hadAccounts: false, hadMeters: false };
    for (const table of ID_TABLES) {
      // Writers wait for the moment it takes to read the highest id and move the sequence past the range.
      await tx.db.execute(sql.raw(`LOCK TABLE ${table} IN EXCLUSIVE MODE`));
      const [row] = await tx.database.rows<{ max_id: unknown; seq: string }>(
        tx.db,
        sql.raw(`SELECT max(id) AS max_id, pg_get_serial_sequence('${table}', 'id') AS seq FROM ${table}`),
      );
      const [s] = await tx.database.rows<{ last_value: unknown; is_called: boolean }>(
        tx.db,
        sql.raw(`SELECT last_value, is_called FROM ${row!.seq}`),
      );
      const base = Math.max(num(row!.max_id), num(s!.last_value) - (s!.is_called ? 0 : 1));
      const end = base + accounts * MAX_ROWS_PER_ACCOUNT[table];
      if (end > 0) await tx.db.execute(sql`SELECT setval(${row!.seq}, ${end})`);
      r.base[table] = base;
      r.end[table] = end;
      r.sequence[table] = row!.seq;
      if (table === "accounts") r.hadAccounts = row!.max_id !== null;
      if (table === "meters") r.hadMeters = row!.max_id !== null;
    }
    return r;
  });
}

/** Gives back what the run reserved but did not use, unless someone drew from the sequence meanwhile. */
async function releaseIds(ctx: Ctx, r: Reservation, used: Record<string, number>) {
  await inTx(ctx, async (tx) => {
    for (const table of ID_TABLES) {
      await tx.db.execute(sql.raw(`LOCK TABLE ${table} IN EXCLUSIVE MODE`));
      const [s] = await tx.database.rows<{ last_value: unknown }>(
        tx.db,
        sql.raw(`SELECT last_value FROM ${r.sequence[table]}`),
      );
      if (num(s!.last_value) !== r.end[table]) continue;
      const last = used[table]!;
      if (last >= 1) await tx.db.execute(sql`SELECT setval(${r.sequence[table]}, ${last})`);
      else await tx.db.execute(sql`SELECT setval(${r.sequence[table]}, 1, false)`);
    }
  });
}

/** Numbers taken by records made outside the seed: each gets a retry number instead. */
async function resolveTaken(
  ctx: Ctx,
  table: "accounts" | "meters",
  ids: number[],
  numberOf: (id: number, attempt: number) => string,
  overrides: Map<number, string>,
) {
  const column = table === "accounts" ? "account_number" : "meter_number";
  let pending = ids.map((id) => ({ id, attempt: 0 }));
  while (pending.length) {
    const candidates = pending.map((p) => numberOf(p.id, p.attempt));
    const taken = new Set(
      (
        await ctx.database.rows<{ n: string }>(
          ctx.db,
          sql`SELECT ${sql.raw(column)} AS n FROM ${sql.raw(table)} WHERE ${sql.raw(column)} = ANY(${sql.param(candidates)}::text[])`,
        )
      ).map((r) => r.n),
    );
    const retry: typeof pending = [];
    pending.forEach((p, i) => {
      if (!taken.has(candidates[i]!)) {
        if (p.attempt > 0) overrides.set(p.id, candidates[i]!);
      } else if (p.attempt >= 15) {
        throw new Error(`no free ${column} for seeded id ${p.id}`);
      } else retry.push({ id: p.id, attempt: p.attempt + 1 });
    });
    pending = retry;
  }
}

/** The GL accounts and payment settings the money history posts with, found as the services find them. */
export async function moneyOptions(ctx: Ctx): Promise<MoneyOptions> {
  const chart = await listGlAccounts(ctx);
  const code = (purpose: string) => {
    const account = chart.find((g) => g.purpose === purpose && g.active);
    if (!account) throw new Error(`the chart of GL accounts has no active ${purpose} account`);
    return account.code;
  };
  const gl: LedgerCodes = {
    receivable: code("receivables"),
    unapplied: code("unapplied_cash"),
    energy: code("revenue_energy"),
    delivery: code("revenue_delivery"),
    tax: code("taxes_payable"),
    fees: code("revenue_fees"),
    bank: code("bank_clearing"),
    badDebt: code("bad_debt"),
  };
  return {
    gl,
    returnedFeeCents: BigInt(await currentSetting(ctx, returnedPaymentFeeCents)),
    // A single returned payment must not make an account cash-only: the seed writes no cash-only periods.
    returns: (await currentSetting(ctx, returnedPaymentsForCashOnly)) > 1,
    requestId: ctx.requestId,
  };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Seeds a deterministic synthetic utility: `accounts` more accounts with their customers, premises, meters and history. */
export async function seedUtility(ctx: Ctx, opts: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const embedded = !ctx.database.pool;
  const chunkSize = opts.chunkSize ?? (embedded ? 1000 : 10_000);
  const rows = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<SeedTable, number>;
  if (opts.accounts <= 0)
    return {
      accounts: 0,
      load: "checked",
      first_account_id: null,
      last_account_id: null,
      rows,
      total_rows: 0,
      seconds: 0,
    };
  const plan: LoadPlan = opts.checked ? { proved: false, why: "asked for" } : await planLoad(ctx);

  const reservation = await reserveIds(ctx, opts.accounts);
  const nextId = Object.fromEntries(ID_TABLES.map((t) => [t, reservation.base[t]! + 1])) as Record<SeedTable, number>;
  const accountOverrides = new Map<number, string>();
  const meterOverrides = new Map<number, string>();
  const gen: GenerateOptions = {
    seed: opts.seed >>> 0,
    today: ctx.clock.today().toString(),
    dataKey: ctx.config.dataKey,
    seal: pooledSealer(ctx.config.dataKey),
    nextId,
    accountNumber: (id) => accountOverrides.get(id) ?? seededAccountNumber(id),
    meterNumber: (id) => meterOverrides.get(id) ?? seededMeterNumber(id),
    money: opts.moneyHistory === false ? null : await moneyOptions(ctx),
  };
  const firstAccount = nextId.accounts;
  const bar =
    opts.progress?.isTTY === true
      ? new cliProgress.SingleBar(
          {
            stream: opts.progress,
            format: "seeding [{bar}] {percentage}% | {value}/{total} accounts | {eta_formatted} left",
            hideCursor: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(opts.accounts, 0);

  const writers: BulkWriter[] = await openWriters(ctx.database, opts.connections ?? 2);
  const inflight: (Promise<void> | undefined)[] = writers.map(() => undefined);
  let failure: unknown;
  let chunkNo = 0;
  try {
    for (let from = firstAccount; from < firstAccount + opts.accounts && !failure; from += chunkSize) {
      const count = Math.min(chunkSize, firstAccount + opts.accounts - from);
      if (reservation.hadAccounts)
        await resolveTaken(ctx, "accounts", range(from, count), seededAccountNumber, accountOverrides);
      if (reservation.hadMeters) {
        const span = count * MAX_ROWS_PER_ACCOUNT.meters;
        await resolveTaken(ctx, "meters", range(nextId.meters, span), seededMeterNumber, meterOverrides);
      }
      // Generate in slices, letting the COPY of the chunk before stream to the server meanwhile.
      const chunk: ChunkRows = emptyChunk();
      const first = { ...nextId };
      for (let at = from; at < from + count; at += 500) {
        generateAccounts(gen, chunk, Math.min(500, from + count - at));
        await yieldToIo();
      }
      for (const t of ID_TABLES) {
        // Ids past the reservation could meet ids drawn meanwhile by the services: never load them.
        if (nextId[t] - 1 > reservation.end[t]!) throw new Error(`the seed outgrew the ids it reserved for ${t}`);
      }
      const ranges = Object.fromEntries(
        TABLE_NAMES.map((t) => [
          t,
          (ID_TABLES as string[]).includes(t) ? [first[t], nextId[t] - 1] : [from, from + count - 1],
        ]),
      ) as ChunkRanges;
      const slot = chunkNo++ % writers.length;
      await inflight[slot];
      if (failure) break;
      const no = chunkNo;
      inflight[slot] = writers[slot]!.transaction(async (tx) => {
        const counts: Record<string, number> = {};
        // Only this transaction's session loads without triggers; the proof below stands in for them.
        if (plan.proved) await tx.db.execute(sql`SET LOCAL session_replication_role = replica`);
        for (const table of TABLE_NAMES) {
          await tx.copy(table, chunk[table].bytes());
          counts[table] = chunk[table].count;
        }
        if (plan.proved) {
          await tx.db.execute(sql`SET LOCAL session_replication_role = origin`);
          await proveChunk(ctx, tx.db, plan.keys, ranges, counts, {
            gl_accounts: gen.money ? Object.values(gen.money.gl) : [],
          });
        }
        await audit(
          { ...ctx, db: tx.db },
          {
            action: "seed.chunk",
            entityType: "seed",
            entityId: `${opts.seed}:${from}-${from + count - 1}`,
            after: { chunk: no, first_account_id: from, last_account_id: from + count - 1, rows: counts },
          },
        );
      }).then(
        () => {
          for (const table of TABLE_NAMES) rows[table] += chunk[table].count;
          bar?.increment(count);
        },
        (err: unknown) => {
          failure ??= err;
        },
      );
    }
    await Promise.all(inflight);
  } finally {
    await Promise.all(writers.map((w) => w.release()));
    bar?.stop();
  }
  if (failure) throw failure;

  const used = Object.fromEntries(ID_TABLES.map((t) => [t, nextId[t] - 1]));
  await releaseIds(ctx, reservation, used);
  // Fresh planner statistics, so searches on the new rows get good plans at once. The embedded engine has no
  // autovacuum: without a VACUUM its first reads of freshly loaded pages write them back (hint bits) and stall
  // (the account view sustained 37 requests/s unvacuumed, 85/s vacuumed, on 100,000 accounts).
  const tidy = ctx.database.engine === "pglite" ? "VACUUM (ANALYZE)" : "ANALYZE";
  for (const table of TABLE_NAMES) await ctx.db.execute(sql.raw(`${tidy} ${table}`));
  const result: SeedResult = {
    accounts: opts.accounts,
    load: plan.proved ? "proved" : "checked",
    first_account_id: firstAccount,
    last_account_id: firstAccount + opts.accounts - 1,
    rows,
    total_rows: Object.values(rows).reduce((a, b) => a + b, 0),
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
  await inTx(ctx, (tx) =>
    audit(tx, {
      action: "seed.run",
      entityType: "seed",
      entityId: `${opts.seed}:${firstAccount}-${result.last_account_id}`,
      after: { seed: opts.seed, business_date: gen.today, chunks: chunkNo, ...result },
    }),
  );
  return result;
}
