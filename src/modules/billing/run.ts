/**
 * Bill runs: a cycle billed for a bill date, chunk by chunk, each chunk one transaction that also moves the run's
 * cursor. A run killed mid-way and started again for the same cycle and date carries on after the last chunk that
 * committed; one already completed is refused. The (run, account) unique constraint backs this: nobody is billed
 * twice even if two runners raced.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, notFound, ruleRefused } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { getSetting } from "../../platform/settings.js";
import { billChunk, type ChunkOutcome, type RunContext } from "./chunk.js";
import { billDatesOn, holdRules } from "./run-settings.js";

export interface BillRunInput {
  cycle: string;
  bill_date: string;
  /** Accounts per chunk (default 1,000). */
  chunk_size?: number;
}

export interface BillRunView {
  id: number;
  cycle: string;
  bill_date: string;
  status: "running" | "completed";
  accounts_total: number;
  billed: number;
  held: number;
  skipped: number;
  skipped_why: Record<string, number>;
  started_at: string;
  finished_at: string | null;
  resumed: boolean;
}

type RunRow = {
  id: bigint;
  cycle: string;
  bill_date: string;
  status: "running" | "completed";
  accounts_total: number;
  billed: number;
  held: number;
  skipped: number;
  cursor_account_id: bigint;
  started_at: string;
  finished_at: string | null;
};

function check(input: BillRunInput, today: string) {
  const errors = [];
  if (!/^\d{2}$/.test(input.cycle ?? "")) errors.push({ field: "cycle", message: "two digits, 01 to 21" });
  let date: Temporal.PlainDate | undefined;
  try {
    date = /^\d{4}-\d{2}-\d{2}$/.test(input.bill_date) ? Temporal.PlainDate.from(input.bill_date) : undefined;
  } catch {
    date = undefined;
  }
  if (!date) errors.push({ field: "bill_date", message: "a date YYYY-MM-DD" });
  else if (input.bill_date > today) errors.push({ field: "bill_date", message: `after today (${today})` });
  const size = input.chunk_size ?? 1000;
  if (!Number.isInteger(size) || size < 1 || size > 20_000)
    errors.push({ field: "chunk_size", message: "1 to 20,000" });
  if (errors.length) throw badRequest(`not valid: ${errors.map((e) => e.field).join(", ")}`, errors);
}

const view = (r: RunRow, resumed: boolean, why: Record<string, number>): BillRunView => ({
  id: Number(r.id),
  cycle: r.cycle,
  bill_date: r.bill_date,
  status: r.status,
  accounts_total: Number(r.accounts_total),
  billed: Number(r.billed),
  held: Number(r.held),
  skipped: Number(r.skipped),
  skipped_why: why,
  started_at: r.started_at,
  finished_at: r.finished_at,
  resumed,
});

const RUN_COLUMNS = sql`id, cycle, bill_date::text AS bill_date, status, accounts_total, billed, held, skipped,
  cursor_account_id, started_at::text AS started_at, finished_at::text AS finished_at`;

/** Starts the run for a cycle and date, or takes up the one a killed process left running. */
async function startOrResume(ctx: Ctx, input: BillRunInput): Promise<{ run: RunRow; resumed: boolean }> {
  return inTx(ctx, async (tx) => {
    const [inserted] = await preparedRows<RunRow>(
      tx,
      sql`INSERT INTO bill_runs (cycle, bill_date, status, accounts_total, started_by)
          SELECT ${input.cycle}, ${input.bill_date}::date, 'running',
                 (SELECT count(*) FROM accounts WHERE bill_cycle = ${input.cycle}), ${tx.actor.username}
          ON CONFLICT ON CONSTRAINT bill_runs_cycle_date_key DO NOTHING
          RETURNING ${RUN_COLUMNS}`,
    );
    if (inserted) {
      await audit(tx, {
        action: "billing.run_start",
        entityType: "bill_run",
        entityId: Number(inserted.id),
        after: { cycle: input.cycle, bill_date: input.bill_date, accounts_total: Number(inserted.accounts_total) },
      });
      return { run: inserted, resumed: false };
    }
    const [existing] = await preparedRows<RunRow>(
      tx,
      sql`SELECT ${RUN_COLUMNS} FROM bill_runs WHERE cycle = ${input.cycle} AND bill_date = ${input.bill_date}::date
          FOR UPDATE`,
    );
    if (existing!.status === "completed") {
      throw ruleRefused(
        "billing.run_completed",
        `cycle ${input.cycle} was already billed for ${input.bill_date} (run ${existing!.id}, finished ${existing!.finished_at})`,
        { run_id: Number(existing!.id), errors: [{ field: "bill_date", message: "this cycle and date were billed" }] },
      );
    }
    return { run: existing!, resumed: true };
  });
}

/**
 * Starts the run for a cycle and date (or finds the one that stopped) without billing anything yet: what a request
 * does before it queues the run's job. Refuses a bad cycle or date and a cycle and date already billed.
 */
export async function openRun(ctx: Ctx, input: BillRunInput): Promise<BillRunView> {
  check(input, ctx.clock.today().toString());
  const { run, resumed } = await startOrResume(ctx, input);
  return view(run, resumed, {});
}

/** Runs left running (a process stopped mid-way), oldest first: the bill-run job queues them again on start. */
export async function unfinishedRuns(ctx: Ctx): Promise<{ cycle: string; bill_date: string }[]> {
  return preparedRows<{ cycle: string; bill_date: string }>(
    ctx,
    sql`SELECT cycle, bill_date::text AS bill_date FROM bill_runs WHERE status = 'running' ORDER BY started_at, id`,
  );
}

export interface RunOptions {
  /** Asked after each chunk: true stops there, leaving the run running to be resumed. */
  shouldStop?: () => boolean;
}

/**
 * Runs (or resumes) the bill run for a cycle and date: every account of the cycle once, in account order, in
 * chunks. `progress` hears after each chunk how many of the cycle's accounts are done. Stopped by `shouldStop`, it
 * returns the run still running; running it again carries on.
 */
export async function runBills(
  ctx: Ctx,
  input: BillRunInput,
  progress?: (done: number, total: number, runId: number) => void,
  opts: RunOptions = {},
): Promise<BillRunView> {
  check(input, ctx.clock.today().toString());
  const { run, resumed } = await startOrResume(ctx, input);
  const runId = Number(run.id);
  const asOf = input.bill_date;
  const { mail, due } = await billDatesOn(ctx, asOf);
  const rc: RunContext = {
    runId,
    cycle: input.cycle,
    billDate: input.bill_date,
    mail,
    due,
    hold: await getSetting(ctx.db, holdRules, asOf),
  };
  const size = input.chunk_size ?? 1000;
  const why: Record<string, number> = {};
  const total = Number(run.accounts_total);
  let done = Number(run.billed) + Number(run.held) + Number(run.skipped);
  progress?.(done, total, runId);
  for (;;) {
    const result = await inTx(ctx, async (tx): Promise<ChunkOutcome | null> => {
      const [locked] = await preparedRows<{ cursor: bigint; status: string }>(
        tx,
        sql`SELECT cursor_account_id AS cursor, status FROM bill_runs WHERE id = ${runId}::int8 FOR UPDATE`,
      );
      if (locked!.status !== "running") return null;
      const ids = await preparedRows<{ id: bigint }>(
        tx,
        sql`SELECT id FROM accounts WHERE bill_cycle = ${input.cycle} AND id > ${locked!.cursor}::int8
            ORDER BY id LIMIT ${size}::int4`,
      );
      if (ids.length === 0) return null;
      const accountIds = ids.map((r) => Number(r.id));
      const outcome = await billChunk(tx, rc, accountIds);
      await preparedRows(
        tx,
        sql`UPDATE bill_runs SET cursor_account_id = ${accountIds.at(-1)!}::int8 WHERE id = ${runId}::int8`,
      );
      return outcome;
    });
    if (!result) break;
    for (const [k, v] of Object.entries(result.skippedWhy)) why[k] = (why[k] ?? 0) + v;
    done += result.billed + result.held + result.skipped;
    progress?.(done, total, runId);
    // Asked after a chunk, so every call bills at least one.
    if (opts.shouldStop?.()) {
      const [now] = await preparedRows<RunRow>(
        ctx,
        sql`SELECT ${RUN_COLUMNS} FROM bill_runs WHERE id = ${runId}::int8`,
      );
      return view(now!, resumed, why);
    }
  }
  const finished = await inTx(ctx, async (tx) => {
    const [row] = await preparedRows<RunRow>(
      tx,
      sql`UPDATE bill_runs SET status = 'completed', finished_at = now(), version = version + 1
          WHERE id = ${runId}::int8 AND status = 'running' RETURNING ${RUN_COLUMNS}`,
    );
    if (row) {
      await audit(tx, {
        action: "billing.run_complete",
        entityType: "bill_run",
        entityId: runId,
        after: { billed: Number(row.billed), held: Number(row.held), skipped: Number(row.skipped), skipped_why: why },
      });
      return row;
    }
    const [other] = await preparedRows<RunRow>(tx, sql`SELECT ${RUN_COLUMNS} FROM bill_runs WHERE id = ${runId}::int8`);
    return other!;
  });
  return view(finished, resumed, why);
}

/** A run as stored, with its progress. */
export async function billRunView(ctx: Ctx, runId: number): Promise<BillRunView> {
  const [row] = await preparedRows<RunRow>(ctx, sql`SELECT ${RUN_COLUMNS} FROM bill_runs WHERE id = ${runId}::int8`);
  if (!row) throw notFound(`bill run ${runId}`, "id");
  return view(row, false, {});
}

/** Recent runs, newest bill date first. */
export async function listBillRuns(ctx: Ctx, limit = 50): Promise<BillRunView[]> {
  const rows = await preparedRows<RunRow>(
    ctx,
    sql`SELECT ${RUN_COLUMNS} FROM bill_runs ORDER BY bill_date DESC, cycle LIMIT ${limit}::int4`,
  );
  return rows.map((r) => view(r, false, {}));
}
