import type { JobDefinition } from "../../platform/jobs.js";
import { runCollections } from "./daily.js";

/** The daily collections run, at 06:00 in the utility's zone (after the deposit run); run again the same day it adds nothing. */
export const collectionsJob: JobDefinition<{ date?: string }> = {
  name: "collections-daily",
  retryLimit: 3,
  expireInSeconds: 3600,
  key: () => "daily",
  schedule: "0 6 * * *",
  async run(ctx, data) {
    return runCollections(ctx, { date: data?.date });
  },
};
