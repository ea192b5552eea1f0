/**
 * The bill-run job: a cycle billed for a bill date in the background, a slice at a time. Each slice bills chunks
 * until it has worked its minute (or the worker is stopping), then queues the same job again to carry on; a worker
 * that dies mid-slice leaves the run running, and the job is retried (or queued again when a worker starts). The
 * run itself is resumable and the (run, account) unique constraint bills nobody twice, so a duplicate job only finds
 * less to do.
 */

import { isRuleRefused } from "../../platform/errors.js";
import type { JobDefinition, JobEnvelope } from "../../platform/jobs.js";
import { runBills, unfinishedRuns } from "./run.js";

export const BILL_RUN_JOB = "bill-run";
/** Accounts per chunk when a worker bills: small enough that the workstation's requests get through between. */
export const JOB_CHUNK = 500;

export interface BillRunJobData {
  cycle: string;
  bill_date: string;
  /** Accounts per chunk (default JOB_CHUNK). */
  chunk_size?: number;
}

export const billRunJob: JobDefinition<BillRunJobData & Partial<JobEnvelope>> = {
  name: BILL_RUN_JOB,
  retryLimit: 5,
  retryDelaySeconds: 5,
  expireInSeconds: 15 * 60,
  sliceSeconds: 60,
  // Two cycles at once per process on PostgreSQL: the run and the database take turns within a run, so a second
  // run uses the idle time (2,938 bills/s against 2,044 on two cores; bench/results/billing.md). Runs of different
  // cycles touch different accounts.
  concurrency: 2,
  key: (d) => `${d.cycle}:${d.bill_date}`,
  async run(ctx, data, job) {
    const input = { cycle: data.cycle, bill_date: data.bill_date, chunk_size: data.chunk_size ?? JOB_CHUNK };
    try {
      const result = await runBills(ctx, input, undefined, { shouldStop: job.shouldYield });
      if (result.status === "running") await job.handOn({ ...data });
      return { run_id: result.id, status: result.status, billed: result.billed, held: result.held };
    } catch (err) {
      // A second copy of the job after the run finished: nothing left to do.
      if (isRuleRefused(err, "billing.run_completed")) return { status: "completed" };
      throw err;
    }
  },
  unfinished: (ctx) => unfinishedRuns(ctx),
};
