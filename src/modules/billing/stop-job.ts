import type { JobDefinition } from "../../platform/jobs.js";
import { runScheduledStops } from "./stop-service.js";

/**
 * The morning run of scheduled stops, at 04:45 in the utility's zone: the accounts whose service stopped yesterday
 * (or before) get their final bill and close, before level pay (05:15), the deposit run (05:30, which applies a
 * closed account's deposit to its final bill) and collections (06:00). Run again the same day, it finds nothing.
 */
export const scheduledStopsJob: JobDefinition<{ date?: string }> = {
  name: "service-stops-daily",
  retryLimit: 3,
  expireInSeconds: 3600,
  key: () => "daily",
  schedule: "45 4 * * *",
  async run(ctx, data) {
    return { ...(await runScheduledStops(ctx, { date: data?.date })) };
  },
};
