import type { JobDefinition } from "../../platform/jobs.js";
import { applyClosedAccountDeposits } from "./apply.js";
import { refundDueDeposits } from "./refunds.js";

/** The daily deposit run, at 05:30: refunds after the on-time run, and deposits of closed accounts applied, in the utility's zone; run again the same day it finds nothing new. */
export const depositRefundJob: JobDefinition<{ date?: string }> = {
  name: "deposit-refunds",
  retryLimit: 3,
  key: () => "daily",
  schedule: "30 5 * * *",
  async run(ctx) {
    const result = await refundDueDeposits(ctx);
    const applied = await applyClosedAccountDeposits(ctx, result.as_of);
    return { as_of: result.as_of, refunded: result.refunded.length, applied: applied.length };
  },
};
