import type { JobDefinition } from "../../platform/jobs.js";
import { refundDueDeposits } from "./refunds.js";

/** The daily deposit refund, at 05:30 in the utility's zone; run again the same day it finds nothing new. */
export const depositRefundJob: JobDefinition<{ date?: string }> = {
  name: "deposit-refunds",
  retryLimit: 3,
  key: () => "daily",
  schedule: "30 5 * * *",
  async run(ctx) {
    const result = await refundDueDeposits(ctx);
    return { as_of: result.as_of, refunded: result.refunded.length };
  },
};
