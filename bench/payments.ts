// Payments posted through the API as fast as 32 clients can: each client posts a check payment to an account drawn
// from the whole table, with its own Idempotency-Key, waits for the answer and posts the next (a closed loop, as a
// lockbox or a payment gateway feeds a utility). Every payment is a payment event, its tender, a ledger credit matched
// to the account's open items, and their journal entries, all in one transaction.
// Options: the target's (bench/target.ts: --engine pg|pglite, --database NAME, --data DIR, --accounts N),
// --clients N (default 32), --duration S (default 30), --warmup S (default 3, not recorded), --verify / --no-verify
// (default on: ledger verify afterwards). The PostgreSQL run records bench/results/payments.json, the PGlite run
// payments-pglite.json.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { verifyLedger } from "../src/modules/ledger/index.js";
import { Rng } from "../src/seed/random.js";
import { latencySummary } from "./load.js";
import type { BenchOutcome } from "./run.js";
import { type BenchTarget, openTarget, targetOptions } from "./target.js";

/** The rate the issue asks for on PostgreSQL (payments/s). */
const TARGET_PER_SECOND = 1000;

interface Posted {
  latencies: number[];
  statuses: Map<number, number>;
  errors: number;
  cents: bigint;
}

/** Posts one payment and resolves to its status (0 on a connection error). */
function post(agent: http.Agent, target: BenchTarget, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: target.port,
        path: "/api/v1/payments",
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${target.token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "idempotency-key": randomUUID(),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** Runs `clients` loops for `seconds`, each posting payments to accounts drawn from `ids`. */
async function closedLoop(target: BenchTarget, ids: number[], clients: number, seconds: number, seed: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const out: Posted = { latencies: [], statuses: new Map(), errors: 0, cents: 0n };
  const end = performance.now() + seconds * 1000;
  const client = async (n: number) => {
    const rng = new Rng(seed * 1000 + n);
    while (performance.now() < end) {
      const amount = rng.int(1000, 30000);
      const body = JSON.stringify({
        account_id: rng.pick(ids),
        amount_cents: amount,
        tender: { type: "check", check_number: String(rng.int(1000, 999999)) },
      });
      const started = performance.now();
      const status = await post(agent, target, body);
      out.latencies.push(performance.now() - started);
      out.statuses.set(status, (out.statuses.get(status) ?? 0) + 1);
      if (status === 0) out.errors++;
      if (status === 201) out.cents += BigInt(amount);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  agent.destroy();
  out.latencies.sort((a, b) => a - b);
  return out;
}

/** Payments, their total and the receivable/unapplied total of the ledger: what the run must have moved. */
async function totals(target: BenchTarget) {
  const [row] = await target.database.rows<{ payments: bigint; ledger: string }>(
    target.database.db,
    sql`SELECT (SELECT count(*) FROM payments) AS payments,
               (SELECT coalesce(sum(balance_cents), 0) FROM account_balances)::text AS ledger`,
  );
  return { payments: Number(row?.payments ?? 0), ledger: BigInt(row?.ledger ?? "0") };
}

/**
 * CPU time (ms) used so far by the database's client backends, when the server runs on this machine (/proc readable);
 * null otherwise (PGlite runs in this process, so its time is in the process's own).
 */
async function backendCpuMs(target: BenchTarget): Promise<number | null> {
  if (target.engine !== "postgres") return null;
  const rows = await target.database.rows<{ pid: number }>(
    target.database.db,
    sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const { pid } of rows) {
    try {
      // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces, so count after its ')'.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      return null;
    }
  }
  return total;
}

/** CPU per payment (ms, to 0.01): this process's (the API, PGlite and the bench's own clients) and the server's. */
const perPayment = (ms: number | null, posted: number) =>
  ms === null || posted === 0 ? "n/a" : Math.round((ms / posted) * 100) / 100;

export default async function paymentsBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      ...targetOptions,
      clients: { type: "string", default: "32" },
      duration: { type: "string", default: "30" },
      warmup: { type: "string", default: "3" },
      verify: { type: "boolean", default: true },
    },
  });
  const clients = Number(values.clients);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(clients) || clients < 1) throw new Error("--clients: a positive whole number");
  if (!(duration > 0)) throw new Error("--duration: a positive number of seconds");
  const target = await openTarget({ ...values, pool: values.pool === "10" ? String(clients + 2) : values.pool });
  try {
    // Accounts from all over the table (a repeatable sample), so payments do not queue on a few accounts' locks.
    const share = Math.min(100, (20_000 / target.accounts) * 100);
    const ids = (
      await target.database.rows<{ id: number }>(
        target.database.db,
        sql`SELECT id FROM accounts TABLESAMPLE BERNOULLI (${share}) REPEATABLE (11)`,
      )
    ).map((r) => Number(r.id));
    if (ids.length === 0) throw new Error("no accounts sampled");

    if (warmup > 0) await closedLoop(target, ids, clients, warmup, 1);
    const before = await totals(target);
    const load = os.loadavg()[0]!;
    console.error(`${clients} clients posting payments for ${duration} s on ${target.engineLabel}`);
    const cpuBefore = process.cpuUsage();
    const serverBefore = await backendCpuMs(target);
    const run = await closedLoop(target, ids, clients, duration, 2);
    const processCpu = process.cpuUsage(cpuBefore);
    const serverAfter = await backendCpuMs(target);
    const after = await totals(target);
    const posted = run.statuses.get(201) ?? 0;

    // Exactly what was answered 201 moved: as many payment events, and the ledger lower by their sum.
    const paymentsAdded = after.payments - before.payments;
    const ledgerMoved = before.ledger - after.ledger;
    if (paymentsAdded !== posted || ledgerMoved !== run.cents) {
      throw new Error(
        `the ledger disagrees with the answers: ${posted} payments answered 201 for ${run.cents} cents, ` +
          `${paymentsAdded} payment events and ${ledgerMoved} cents moved`,
      );
    }
    let verified = "skipped";
    let verifySeconds = 0;
    if (values.verify) {
      const t0 = performance.now();
      const v = await verifyLedger(target.ctx);
      verifySeconds = Math.round((performance.now() - t0) / 100) / 10;
      if (!v.balanced) throw new Error(`ledger verify found ${v.violations.length} violations`);
      verified = `balanced: ${v.entries} entries`;
    }
    const latency = latencySummary(run.latencies);
    const statuses = [...run.statuses].map(([s, n]) => `${s}:${n}`).join(" ");
    return {
      engine: target.engineLabel,
      ...(target.engine === "pglite" ? { variant: "pglite" } : {}),
      metrics: {
        accounts: target.accounts,
        accounts_sampled: ids.length,
        clients,
        duration_seconds: duration,
        payments_posted: posted,
        payments_per_second: Math.round(posted / duration),
        target_payments_per_second: target.engine === "postgres" ? TARGET_PER_SECOND : "measured",
        latency_p50_ms: latency.p50,
        latency_p90_ms: latency.p90,
        latency_p99_ms: latency.p99,
        latency_max_ms: latency.max,
        statuses,
        errors: run.errors,
        process_cpu_ms_per_payment: perPayment((processCpu.user + processCpu.system) / 1000, posted),
        server_cpu_ms_per_payment: perPayment(
          serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
          posted,
        ),
        cents_posted: run.cents.toString(),
        ledger_moved_cents: ledgerMoved.toString(),
        ledger_verify: verified,
        ledger_verify_seconds: verifySeconds,
        load_average_at_start: Math.round(load * 100) / 100,
      },
    };
  } finally {
    await target.close();
  }
}
