/**
 * Background jobs on pg-boss, in the application's own database (schema `pgboss`), on both engines: PostgreSQL
 * through the application's pool, PGlite through the same instance. A job is queued by a request (or by a job that
 * hands the rest of its work on) and run by a worker in any process that runs workers: `kilowatt serve` (unless
 * KILOWATT_WORKERS=off) and `kilowatt worker`. Contexts define their jobs; app.ts hands the definitions in.
 *
 * Jobs are written to be run twice safely (a retry after a crash, two workers on two machines): the work they do is
 * idempotent and resumable in the database, and pg-boss only decides when and where it runs.
 */
import { sql } from "drizzle-orm";
import PgBoss from "pg-boss";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import { type Ctx, systemActor } from "./context.js";
import type { Database } from "./db.js";

export const JOB_SCHEMA = "pgboss";
const STOPPED = { error: "the process running the job stopped" };

/** What a job's handler gets besides its data. */
export interface JobRun {
  id: string;
  /** True once the worker is stopping or the job has run for its slice: stop at the next safe point and hand on. */
  shouldYield(): boolean;
  /** Queues the same job again (with these data) to carry on where this one stopped. */
  handOn(data: object): Promise<void>;
}

/** A kind of job: its queue name, how it retries and expires, and its handler. */
export interface JobDefinition<T extends object = object> {
  name: string;
  /** Attempts after the first when the handler throws or its process dies (default 3). */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** A job active longer than this is taken for dead (its process stopped) and retried (default 15 minutes). */
  expireInSeconds?: number;
  /** Jobs of this kind one process runs at once on PostgreSQL (default 1; always 1 embedded). */
  concurrency?: number;
  /** How long one run of the handler should work before it hands the rest on (default 60 s). */
  sliceSeconds?: number;
  /** A cron expression (in the utility's time zone) on which the job is queued with empty data. */
  schedule?: string;
  /** The queue key that keeps one copy of the job queued at a time (a duplicate send is dropped). */
  key(data: T): string;
  run(ctx: Ctx, data: T, job: JobRun): Promise<object | undefined>;
  /** On worker start: jobs to queue again for work a stopped process left unfinished (resumes without anyone). */
  unfinished?(ctx: Ctx): Promise<T[]>;
}

/** Data every job carries: who asked for it (audit rows written by the job name them). */
export interface JobEnvelope {
  requested_by: string;
}

export interface Jobs {
  /** Queues a job; returns its id, or null when the same job (same key) is already queued. */
  send<T extends object>(name: string, data: T & JobEnvelope): Promise<string | null>;
  /** Whether this process runs workers. */
  readonly working: boolean;
  /** pg-boss's upkeep now rather than at its next interval: jobs active past their expiry fail and are retried. */
  maintain(): Promise<void>;
  stop(): Promise<void>;
}

/** pg-boss's database adapter over the application's own connection (one statement with parameters, or a script). */
function adapter(database: Database): PgBoss.Db {
  if (database.pool) {
    const pool = database.pool;
    return {
      async executeSql(text: string, values?: unknown[]) {
        const result = values?.length ? await pool.query(text, values) : await pool.query(text);
        return Array.isArray(result) ? (result.at(-1) ?? { rows: [] }) : result;
      },
    };
  }
  const pglite = database.pglite!;
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values?.length) return pglite.query(text, values);
      const results = await pglite.exec(text);
      return results.at(-1) ?? { rows: [] };
    },
  };
}

/** Creates pg-boss's schema when the database has none (migrate calls it, so templates and fresh installs have it). */
export async function ensureJobSchema(database: Database): Promise<boolean> {
  const [found] = await database.rows<{ t: string | null }>(
    database.db,
    sql`SELECT to_regclass(${`${JOB_SCHEMA}.version`})::text AS t`,
  );
  if (found?.t) return false;
  await adapter(database).executeSql(PgBoss.getConstructionPlans(JOB_SCHEMA), []);
  return true;
}

export interface JobsOptions {
  database: Database;
  clock: Clock;
  config: Config;
  definitions: JobDefinition[];
  /** Run workers in this process (default: the config's `workers`). */
  work?: boolean;
  /** Where failures are told (the server's logger). */
  log?: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** Starts pg-boss: the queues exist, and when this process works, workers run and unfinished work is queued again. */
export async function startJobs(opts: JobsOptions): Promise<Jobs> {
  const { database, definitions } = opts;
  const work = opts.work ?? opts.config.workers;
  const boss = new PgBoss({
    db: adapter(database),
    schema: JOB_SCHEMA,
    // The clock that queues scheduled jobs (cron), when a definition has a schedule and this process works.
    schedule: work && definitions.some((d) => d.schedule),
    supervise: work,
    migrate: true,
    // The database keeps a job's row two weeks after it ends, for support.
    deleteAfterDays: 14,
  });
  boss.on("error", (err) => opts.log?.error({ err }, "job queue error"));
  await boss.start();
  const byName = new Map(definitions.map((d) => [d.name, d]));
  for (const d of definitions) {
    await boss.createQueue(d.name, {
      name: d.name,
      policy: "short",
      retryLimit: d.retryLimit ?? 3,
      retryDelay: d.retryDelaySeconds ?? 5,
      expireInSeconds: d.expireInSeconds ?? 15 * 60,
    });
  }
  let stopping = false;
  // This process's worker per queue: told to fetch at once when a job is queued here, rather than at its next poll.
  const workerIds = new Map<string, string[]>();
  const send = async <T extends object>(name: string, data: T & JobEnvelope) => {
    const d = byName.get(name);
    if (!d) throw new Error(`no such job: ${name}`);
    const id = await boss.send(name, data, { singletonKey: d.key(data as never) });
    if (!stopping) for (const worker of workerIds.get(name) ?? []) boss.notifyWorker(worker);
    return id;
  };
  const ctxFor = (data: JobEnvelope, jobId: string): Ctx => ({
    database,
    db: database.db,
    clock: opts.clock,
    config: opts.config,
    actor: systemActor(data.requested_by || "system"),
    requestId: `job-${jobId}`,
  });

  if (work) {
    const system = ctxFor({ requested_by: "system" }, "start");
    if (!database.pool) {
      // Embedded: this process alone holds the data dir, so a job still active is one a stopped process left.
      // Fail it now (pg-boss retries it) rather than wait for it to expire.
      for (const d of definitions) {
        const orphans = await database.rows<{ id: string }>(
          database.db,
          sql`SELECT id::text AS id FROM pgboss.job WHERE name = ${d.name} AND state = 'active'`,
        );
        const ids = orphans.map((o) => o.id);
        // pg-boss takes output data with a list of ids too; its types only name the options form.
        if (ids.length) await (boss.fail as (n: string, i: string[], d: object) => Promise<void>)(d.name, ids, STOPPED);
      }
    }
    for (const d of definitions) {
      const sliceMs = (d.sliceSeconds ?? 60) * 1000;
      const handler: PgBoss.WorkHandler<JobEnvelope & object> = async (jobs) => {
        for (const job of jobs) {
          const started = Date.now();
          const run: JobRun = {
            id: job.id,
            shouldYield: () => stopping || Date.now() - started > sliceMs,
            handOn: async (next) => {
              await send(d.name, next as JobEnvelope);
            },
          };
          try {
            await d.run(ctxFor(job.data, job.id), job.data, run);
          } catch (err) {
            opts.log?.error({ err, job: d.name, id: job.id }, "job failed; pg-boss retries it");
            throw err;
          }
        }
      };
      // PGlite runs one transaction at a time: more than one job at once there only takes turns.
      const parallel = database.pool ? (d.concurrency ?? 1) : 1;
      for (let i = 0; i < parallel; i++) {
        const workerId = await boss.work<JobEnvelope & object>(d.name, { pollingIntervalSeconds: 2 }, handler);
        workerIds.set(d.name, [...(workerIds.get(d.name) ?? []), workerId]);
      }
      if (d.schedule) await boss.schedule(d.name, d.schedule, { requested_by: "system" }, { tz: opts.config.timezone });
      for (const data of (await d.unfinished?.(system)) ?? []) {
        const id = await send(d.name, { requested_by: "system", ...data });
        if (id) opts.log?.info({ job: d.name, id, data }, "queued again: work a stopped process left unfinished");
      }
    }
  }

  return {
    send,
    working: work,
    maintain: () => boss.maintain(),
    async stop() {
      stopping = true;
      // Handlers see shouldYield() and hand on after their current step; a handler still busy after the timeout is
      // failed on the next start (embedded) or expires and is retried (PostgreSQL).
      await boss.stop({ graceful: true, wait: true, timeout: 8_000, close: false });
    },
  };
}
