import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testConfig } from "../../../tests/support/testkit.js";
import { fixedClock } from "../../platform/clock.js";
import { type Ctx, systemActor } from "../../platform/context.js";
import type { Database } from "../../platform/db.js";
import { type JobDefinition, type Jobs, startJobs } from "../../platform/jobs.js";
import { seedUtility } from "../../seed/seed.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { verifyLedger } from "../ledger/index.js";
import { openRun, runBills } from "./run.js";
import { BILL_RUN_JOB, type BillRunJobData, billRunJob } from "./run-job.js";

// The bill-run job on the job queue (pg-boss in the application's database), without the HTTP server: a run handed
// on a slice at a time, and a run a stopped process left behind resumed by the next worker to start.
let database: Database;
let ctx: Ctx;
const clock = fixedClock("2026-08-05T17:00:00Z");
const config = testConfig();
const open: Jobs[] = [];
const rows = <T>(q: ReturnType<typeof sql>) => database.rows<T>(database.db, q);

beforeAll(async () => {
  database = await openTestDatabase();
  ctx = { database, db: database.db, clock, config, actor: systemActor("test"), requestId: "test" };
  await seedUtility(ctx, { accounts: 40, seed: 32, moneyHistory: false });
  await seedDemoTariffs(ctx);
  await rows(sql`UPDATE service_agreements SET tariff_code = 'E-1'`);
  await rows(sql`UPDATE accounts SET bill_cycle = CASE WHEN id % 2 = 0 THEN '05' ELSE '06' END`);
  await rows(sql`
    INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
    SELECT DISTINCT ON (mi.meter_id, d.read_on) mi.meter_id, sa.service_point_id, d.read_on,
           100 + d.n * 300, CASE WHEN d.n = 0 THEN NULL ELSE 300 END, 'actual', 'field', 'test'
    FROM service_agreements AS sa
    JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
    CROSS JOIN (VALUES ('2026-06-30'::date, 0), ('2026-07-30'::date, 1)) AS d(read_on, n)
    WHERE sa.status = 'active'
    ON CONFLICT DO NOTHING`);
}, 120_000);
afterAll(async () => {
  for (const j of open) await j.stop();
  await database?.close();
});

const jobsWith = async (definition: JobDefinition, work = true) => {
  const jobs = await startJobs({ database, clock, config, definitions: [definition], work });
  open.push(jobs);
  return jobs;
};

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runOf = async (cycle: string) =>
  (
    await rows<{ status: string; billed: number; held: number; skipped: number; accounts_total: number }>(
      sql`SELECT status, billed, held, skipped, accounts_total FROM bill_runs
          WHERE cycle = ${cycle} AND bill_date = '2026-08-03'`,
    )
  )[0];

async function billedOnce(cycle: string) {
  const [r] = await rows<{ bills: bigint; accounts: bigint }>(
    sql`SELECT count(*)::int8 AS bills, count(DISTINCT b.account_id)::int8 AS accounts
        FROM bills AS b JOIN bill_runs AS r ON r.id = b.run_id WHERE r.cycle = ${cycle}`,
  );
  return r!;
}

const jobStates = (key: string) =>
  rows<{ state: string; n: bigint }>(
    sql`SELECT state, count(*)::int8 AS n FROM pgboss.job WHERE name = ${BILL_RUN_JOB} AND singleton_key = ${key}
        GROUP BY state ORDER BY state`,
  );

describe("the bill-run job", () => {
  it("bills a cycle a slice at a time, each slice handing the rest on to the next job", async () => {
    // A slice of no time: every job bills one chunk of 3 accounts and queues the next.
    const jobs = await jobsWith({ ...billRunJob, sliceSeconds: 0 } as JobDefinition);
    const run = await openRun(ctx, { cycle: "05", bill_date: "2026-08-03" });
    expect(run.status).toBe("running");
    await jobs.send<BillRunJobData>(BILL_RUN_JOB, {
      cycle: "05",
      bill_date: "2026-08-03",
      chunk_size: 3,
      requested_by: "analyst",
    });
    const done = await until(
      () => runOf("05"),
      (r) => r?.status === "completed",
    );
    expect(done!.status).toBe("completed");
    expect(done!.billed + done!.held + done!.skipped).toBe(done!.accounts_total);
    const once = await billedOnce("05");
    expect(once.bills).toBe(once.accounts);
    expect(Number(once.bills)).toBe(done!.billed + done!.held);
    const states = await until(
      () => jobStates("05:2026-08-03"),
      (s) => s.every((x) => x.state === "completed"),
    );
    // One job per chunk of 3, at least.
    const completed = Number(states.find((s) => s.state === "completed")?.n ?? 0);
    expect(completed).toBeGreaterThanOrEqual(Math.ceil(done!.accounts_total / 3));
    // The chunks' audit rows name who asked for the run.
    const [who] = await rows<{ n: bigint }>(
      sql`SELECT count(*)::int8 AS n FROM audit_log WHERE actor_name = 'analyst' AND action LIKE 'billing.%'`,
    );
    expect(Number(who!.n)).toBeGreaterThan(0);
    await jobs.stop();
  }, 120_000);

  it("resumes a run a stopped process left behind, without anyone asking, when a worker starts", async () => {
    // A process billed one chunk of cycle 06 and died: the run is running and its job still active.
    let chunks = 0;
    const partial = await runBills(ctx, { cycle: "06", bill_date: "2026-08-03", chunk_size: 4 }, undefined, {
      shouldStop: () => ++chunks >= 1,
    });
    expect(partial.status).toBe("running");
    expect(partial.billed + partial.held + partial.skipped).toBeLessThan(partial.accounts_total);
    const sender = await jobsWith(billRunJob as JobDefinition, false);
    const id = await sender.send<BillRunJobData>(BILL_RUN_JOB, {
      cycle: "06",
      bill_date: "2026-08-03",
      chunk_size: 4,
      requested_by: "analyst",
    });
    await rows(sql`UPDATE pgboss.job SET state = 'active', started_on = now() WHERE id = ${id}::uuid`);
    await sender.stop();

    // The next worker to start queues the unfinished run again. Embedded, it also fails the orphan at once (only
    // this process holds the data dir); on PostgreSQL the orphan runs out its expiry first (here: upkeep made to run
    // after an hour has passed) and is retried, finding the run done.
    const worker = await jobsWith({ ...billRunJob, retryDelaySeconds: 0 } as JobDefinition);
    const done = await until(
      () => runOf("06"),
      (r) => r?.status === "completed",
    );
    expect(done!.status).toBe("completed");
    expect(done!.billed + done!.held + done!.skipped).toBe(done!.accounts_total);
    const once = await billedOnce("06");
    expect(once.bills).toBe(once.accounts);
    if (database.engine === "postgres") {
      expect((await rows<{ state: string }>(sql`SELECT state FROM pgboss.job WHERE id = ${id}::uuid`))[0]!.state).toBe(
        "active",
      );
      await rows(sql`UPDATE pgboss.job SET started_on = now() - interval '1 hour' WHERE id = ${id}::uuid`);
      await worker.maintain();
    }
    const orphan = await until(
      async () => (await rows<{ state: string }>(sql`SELECT state FROM pgboss.job WHERE id = ${id}::uuid`))[0],
      (j) => j?.state === "completed",
    );
    expect(orphan!.state).toBe("completed");
    const verified = await verifyLedger(ctx);
    expect(verified.violations).toEqual([]);
    expect(verified.balanced).toBe(true);
  }, 120_000);
});
