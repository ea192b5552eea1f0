// The account view under load: GET /api/v1/accounts/{id} at a steady rate for accounts spread over the whole table,
// then (unless --no-max) a ramp to the highest rate it sustains within the same p99 target.
// Options: the target's (bench/target.ts: --engine pg|pglite, --database NAME, --data DIR, --accounts N), --rate N
// (requests/s, default 100), --duration S (default 30), --warmup S (default 3, not recorded), --ids N (accounts
// sampled, default 20000), --max / --no-max (default on), --step S (ramp step, default 10), --budget S (ramp, default
// 120). The PostgreSQL run records bench/results/account-view.json, the PGlite run account-view-pglite.json.
import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { Rng } from "../src/seed/random.js";
import { latencySummary, maxRateMetrics, openLoop, steadyOptions } from "./load.js";
import type { BenchOutcome } from "./run.js";
import { openTarget, targetOptions } from "./target.js";

/** The p99 the issue sets for the account view (ms). */
const TARGET_P99_MS = 100;

const positive = (raw: string, name: string) => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: a positive number`);
  return v;
};

export default async function accountViewBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      ...targetOptions,
      ...steadyOptions,
      ids: { type: "string", default: "20000" },
    },
  });
  const rate = positive(values.rate, "rate");
  const duration = positive(values.duration, "duration");
  const warmup = Number(values.warmup);
  const wanted = Math.floor(positive(values.ids, "ids"));

  const target = await openTarget(values);
  try {
    // Ids from all over the table, not its first rows: a Bernoulli sample (repeatable) a little larger than wanted,
    // shuffled so consecutive requests hit unrelated pages.
    const share = Math.min(100, ((wanted * 1.2) / target.accounts) * 100);
    const sampled = await target.database.rows<{ id: number }>(
      target.database.db,
      sql`SELECT id FROM accounts TABLESAMPLE BERNOULLI (${share}) REPEATABLE (7)`,
    );
    const rng = new Rng(42);
    const ids = sampled.map((r) => Number(r.id));
    for (let i = ids.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    ids.length = Math.min(ids.length, wanted);
    const paths = ids.map((id) => `/api/v1/accounts/${id}`);

    // One view read in full first: a bench of 404s or of empty views would measure nothing.
    const probe = await fetch(`http://127.0.0.1:${target.port}${paths[0]}`, {
      headers: { authorization: `Bearer ${target.token}` },
    });
    const body = (await probe.json()) as { account_id?: number; customer?: unknown; service_agreements?: unknown[] };
    if (
      probe.status !== 200 ||
      body.account_id !== ids[0] ||
      !body.customer ||
      !Array.isArray(body.service_agreements)
    ) {
      throw new Error(`the account view of ${ids[0]} came back ${probe.status}: ${JSON.stringify(body).slice(0, 300)}`);
    }

    // The warm-up (connections opened, code paths compiled) draws from the end of the list, the run from the start.
    const warmupCount = Math.round(rate * warmup);
    if (warmupCount > 0) await openLoop(target, paths, rate, warmup, { offset: paths.length - warmupCount });
    console.error(`${paths.length} accounts at ${rate}/s for ${duration} s on ${target.engineLabel}`);
    // Other work on the machine skews every figure: the load average says how busy it was when the run began.
    const loadAtStart = Math.round(os.loadavg()[0]! * 100) / 100;
    const run = await openLoop(target, paths, rate, duration, { graceMs: TARGET_P99_MS });
    const lat = latencySummary(run.latencies);

    const metrics: Record<string, number | string> = {
      accounts: target.accounts,
      accounts_sampled: paths.length,
      rate_per_second: rate,
      duration_seconds: duration,
      requests: run.latencies.length,
      latency_p50_ms: lat.p50,
      latency_p90_ms: lat.p90,
      latency_p99_ms: lat.p99,
      latency_max_ms: lat.max,
      target_p99_ms: TARGET_P99_MS,
      non_2xx: run.non2xx,
      errors: run.errors,
      answered_in_time_pct: Math.round((run.completedInWindow / Math.max(1, run.offered)) * 1000) / 10,
      machine_load_1m_at_start: loadAtStart,
    };
    if (values.max) {
      Object.assign(
        metrics,
        await maxRateMetrics(target, paths, {
          targetP99Ms: TARGET_P99_MS,
          startRate: rate,
          stepSeconds: positive(values.step, "step"),
          budgetSeconds: positive(values.budget, "budget"),
        }),
      );
    }
    return {
      engine: target.engineLabel,
      variant: target.engine === "pglite" ? "pglite" : undefined,
      metrics,
    };
  } finally {
    await target.close();
  }
}
