// Load for the HTTP benchmarks: a steady open-loop rate, its percentiles, and a ramp to the highest sustained rate.
import http from "node:http";

/** Where the load goes: the API on a local port, called with a bearer token. */
export interface LoadTarget {
  port: number;
  token: string;
  host?: string;
}

/** What one steady run measured. Latencies are sorted, in milliseconds, each from when its request was due. */
export interface LoadResult {
  rate: number;
  seconds: number;
  /** Requests the schedule called for. */
  offered: number;
  /** Requests actually sent (fewer than offered when the run was cut short). */
  sent: number;
  /** Answers (of any status) that arrived by the end of the schedule plus the grace. */
  completedInWindow: number;
  latencies: number[];
  non2xx: number;
  errors: number;
  /** The run stopped sending because too many requests were in flight: the server could not keep up. */
  cutShort: boolean;
}

export interface OpenLoopOptions {
  /** How long after the schedule's end an answer still counts as on time for completedInWindow (ms, default 100). */
  graceMs?: number;
  /** Stop sending once this many requests are in flight (default unbounded): a step that far behind has failed. */
  maxInFlight?: number;
  /** Where in paths to start (default 0), so a warm-up and the measurement can draw different requests. */
  offset?: number;
}

/** The p-quantile (0..1) of sorted values, nearest rank, to 0.1 ms; 0 when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const v = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return Math.round(v * 10) / 10;
}

/** The usual latency figures of a run. */
export function latencySummary(sorted: number[]) {
  return {
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: percentile(sorted, 1),
  };
}

/**
 * An open-loop load: one GET every 1/rate seconds whatever the answers, each timed from when it was due (so a slow
 * answer that delays the next ones is counted against them too). autocannon's rate mode sends each second's requests
 * in one burst per connection, which measures a burst, not a steady rate. Paths are used in turn, wrapping around.
 */
export async function openLoop(
  target: LoadTarget,
  paths: string[],
  rate: number,
  seconds: number,
  opts: OpenLoopOptions = {},
): Promise<LoadResult> {
  if (paths.length === 0) throw new Error("openLoop: no paths");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const host = target.host ?? "127.0.0.1";
  const headers = { authorization: `Bearer ${target.token}` };
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;
  let cutShort = false;
  let sent = 0;
  const offset = opts.offset ?? 0;
  const total = Math.round(rate * seconds);
  const start = performance.now() + 50;
  const windowEnd = start + seconds * 1000 + (opts.graceMs ?? 100);
  let completedInWindow = 0;
  const pending: Promise<void>[] = [];
  const one = (path: string, due: number) =>
    new Promise<void>((resolve) => {
      inFlight++;
      const done = () => {
        inFlight--;
        if (performance.now() <= windowEnd) completedInWindow++;
        resolve();
      };
      const req = http.get({ host, port: target.port, path, agent, headers }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) non2xx++;
          latencies.push(performance.now() - due);
          done();
        });
      });
      req.on("error", () => {
        errors++;
        done();
      });
    });
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (opts.maxInFlight !== undefined && inFlight >= opts.maxInFlight) {
      cutShort = true;
      break;
    }
    pending.push(one(paths[(offset + i) % paths.length]!, due));
    sent++;
  }
  await Promise.all(pending);
  agent.destroy();
  return {
    rate,
    seconds,
    offered: total,
    sent,
    completedInWindow,
    latencies: latencies.sort((a, b) => a - b),
    non2xx,
    errors,
    cutShort,
  };
}

export interface MaxRateOptions {
  /** The p99 a step must stay within (ms). */
  targetP99Ms: number;
  /** The first rate tried (requests/s, default 100); each next one doubles until a step fails. */
  startRate?: number;
  /** No rate above this is tried (default 20,000). */
  ceilingRate?: number;
  /** When the first rate fails, rates are halved down to this before giving up (default 1). */
  minRate?: number;
  /** Length of one step (s, default 5). */
  stepSeconds?: number;
  /** The whole ramp stops starting steps after this long (s, default 120). */
  budgetSeconds?: number;
  /** Share of the offered requests that must be answered within the step (default 0.97). */
  keepUp?: number;
  /** Bisection stops when the bracket is narrower than this share of the passing rate (default 0.05). */
  resolution?: number;
  /** Pause between steps so one step's backlog does not spill into the next (ms, default 1000). */
  pauseMs?: number;
  /** Told about each step as it ends. */
  onStep?: (step: RampStep) => void;
}

/** One step of the ramp and why it passed or failed. */
export interface RampStep {
  rate: number;
  passed: boolean;
  p99_ms: number;
  answered_pct: number;
  non_2xx: number;
  errors: number;
  reason: string;
}

export interface MaxRateResult {
  /** The highest rate that passed (requests/s); 0 when none did, down to minRate. */
  maxRate: number;
  /** The lowest rate that failed, if any did (the true limit lies between the two). */
  failedRate: number | null;
  steps: RampStep[];
  seconds: number;
}

/**
 * The highest sustained rate: short steady steps at doubling rates (100, 200, 400, ...) until one fails (or, when the
 * first fails, halving ones until one passes), then bisection between the last pass and the first failure, within a
 * time budget. A step passes when its p99 is within the target,
 * nothing failed or answered non-2xx, and at least keepUp of the offered requests were answered within the step (plus
 * a grace of the target p99). Paths are drawn on from step to step so no step repeats the previous step's requests.
 */
export async function findMaxRate(target: LoadTarget, paths: string[], opts: MaxRateOptions): Promise<MaxRateResult> {
  const stepSeconds = opts.stepSeconds ?? 5;
  const budgetMs = (opts.budgetSeconds ?? 120) * 1000;
  const keepUp = opts.keepUp ?? 0.97;
  const resolution = opts.resolution ?? 0.05;
  const ceiling = opts.ceilingRate ?? 20_000;
  const minRate = opts.minRate ?? 1;
  const pauseMs = opts.pauseMs ?? 1000;
  const began = performance.now();
  const steps: RampStep[] = [];
  let offset = 0;
  let pass = 0;
  let fail: number | null = null;

  const step = async (rate: number): Promise<boolean> => {
    const r = await openLoop(target, paths, rate, stepSeconds, {
      graceMs: opts.targetP99Ms,
      // Twice what the server would hold at the target latency: beyond that the step has already failed.
      maxInFlight: Math.max(64, Math.ceil((rate * opts.targetP99Ms * 2) / 1000) + 32),
      offset,
    });
    offset += r.sent;
    const p99 = percentile(r.latencies, 0.99);
    const answered = r.completedInWindow / Math.max(1, r.offered);
    const reasons = [
      r.cutShort ? "fell behind (too many in flight)" : "",
      p99 > opts.targetP99Ms ? `p99 ${p99} ms > ${opts.targetP99Ms} ms` : "",
      r.errors ? `${r.errors} errors` : "",
      r.non2xx ? `${r.non2xx} non-2xx` : "",
      answered < keepUp ? `answered ${(answered * 100).toFixed(1)}% < ${keepUp * 100}%` : "",
    ].filter(Boolean);
    const s: RampStep = {
      rate,
      passed: reasons.length === 0,
      p99_ms: p99,
      answered_pct: Math.round(answered * 1000) / 10,
      non_2xx: r.non2xx,
      errors: r.errors,
      reason: reasons.join("; ") || "ok",
    };
    steps.push(s);
    opts.onStep?.(s);
    await new Promise((res) => setTimeout(res, pauseMs));
    return s.passed;
  };
  // A step may start only if it can finish (with its pause) inside the budget.
  const time = () => performance.now() - began + stepSeconds * 1000 + pauseMs <= budgetMs;

  for (let rate = opts.startRate ?? 100; rate <= ceiling && time(); rate = Math.min(rate * 2, ceiling)) {
    if (await step(rate)) pass = rate;
    else {
      fail = rate;
      break;
    }
    if (rate === ceiling) break;
  }
  // Even the first rate failed: halve down to a rate that passes, so the figure says how far short the target is.
  for (let rate = Math.floor((fail ?? 0) / 2); pass === 0 && rate >= minRate && time(); rate = Math.floor(rate / 2)) {
    if (await step(rate)) pass = rate;
    else fail = rate;
  }
  while (fail !== null && pass > 0 && fail - pass > Math.max(1, pass * resolution) && time()) {
    const mid = Math.round((pass + fail) / 2);
    if (await step(mid)) pass = mid;
    else fail = mid;
  }
  return { maxRate: pass, failedRate: fail, steps, seconds: Math.round((performance.now() - began) / 100) / 10 };
}

/** The options of a steady run and its ramp, shared by the HTTP benches (spread into the bench's parseArgs). */
export const steadyOptions = {
  rate: { type: "string", default: "100" },
  duration: { type: "string", default: "30" },
  warmup: { type: "string", default: "3" },
  max: { type: "boolean", default: true },
  step: { type: "string", default: "10" },
  budget: { type: "string", default: "120" },
} as const;

/** Runs the ramp from `startRate` and returns what a result records of it, printing each step as it ends. */
export async function maxRateMetrics(
  target: LoadTarget,
  paths: string[],
  opts: { targetP99Ms: number; startRate: number; stepSeconds: number; budgetSeconds: number },
): Promise<Record<string, number | string>> {
  console.error(
    `ramp: steps of ${opts.stepSeconds} s, at most ${opts.budgetSeconds} s, p99 within ${opts.targetP99Ms} ms`,
  );
  const ramp = await findMaxRate(target, paths, {
    ...opts,
    onStep: (s) => console.error(`  ${s.rate}/s: ${s.passed ? "pass" : "fail"} (p99 ${s.p99_ms} ms; ${s.reason})`),
  });
  return {
    max_sustained_rate_per_second: ramp.maxRate,
    max_rate_first_failed_per_second: ramp.failedRate ?? "none",
    max_rate_step_seconds: opts.stepSeconds,
    max_rate_ramp_seconds: ramp.seconds,
    max_rate_steps: ramp.steps.map((s) => `${s.rate}:${s.passed ? "ok" : "fail"}@p99=${s.p99_ms}`).join(" "),
  };
}
