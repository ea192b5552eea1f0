import type { JobDefinition } from "../../platform/jobs.js";
import { runLevelPay } from "./daily.js";

/**
 * The daily level pay run, at 05:15 in the utility's zone: the bills of the day before are leveled before they are
 * mailed, and before the deposit run (05:30) and collections (06:00) look at what accounts owe. Run again the same
 * day, it adds nothing.
 */
export const levelPayJob: JobDefinition<{ date?: string }> = {
  name: "level-pay-daily",
  retryLimit: 3,
  expireInSeconds: 3600,
  key: () => "daily",
  schedule: "15 5 * * *",
  async run(ctx, data) {
    return { ...(await runLevelPay(ctx, { date: data?.date })) };
  },
};
