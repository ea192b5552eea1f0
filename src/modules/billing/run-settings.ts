import { z } from "zod";
import type { Ctx } from "../../platform/context.js";
import { defineSetting, getSetting } from "../../platform/settings.js";
import { mailAndDue } from "./due.js";

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");

export const mailLagDays = defineSetting<number>({
  key: "billing.mail_lag_days",
  description:
    "Days from the bill date to the day the bill is mailed (PUC 779.1: payment is due 19 days after mailing)",
  schema: z.number().int().min(0).max(10),
  default: 1,
});

export const dueDays = defineSetting<number>({
  key: "billing.due_days",
  description: "Days from the mail date to the due date, moved to the next business day (PUC 779.1, 10010.1: 19)",
  schema: z.number().int().min(1).max(60),
  default: 19,
});

export const businessHolidays = defineSetting<string[]>({
  key: "billing.business_holidays",
  description: "Days the utility's offices are closed: a due date falling on one moves to the next business day",
  schema: z.array(date).max(400),
  default: [
    "2026-01-01",
    "2026-01-19",
    "2026-02-16",
    "2026-05-25",
    "2026-07-03",
    "2026-09-07",
    "2026-11-11",
    "2026-11-26",
    "2026-11-27",
    "2026-12-25",
    "2027-01-01",
    "2027-01-18",
    "2027-02-15",
    "2027-05-31",
    "2027-07-05",
    "2027-09-06",
    "2027-11-11",
    "2027-11-25",
    "2027-11-26",
    "2027-12-24",
  ],
});

/** When a bill is held for review instead of issued. */
export interface HoldRules {
  /** Held when kWh per day is over this many times the average of the last three bills (with at least two). */
  high_usage_factor: number;
  /** Held when this many bills in a row (this one included) are estimated. */
  consecutive_estimates: number;
  /** Held when the bill's charges are over this, in cents, by customer class (`default` for the rest). */
  over_cents: Record<string, number>;
}

export const holdRules = defineSetting<HoldRules>({
  key: "billing.hold_rules",
  description:
    "Bill exceptions: usage over a factor of the recent average, consecutive estimates, and totals over a limit by " +
    "customer class; held bills wait for a billing analyst",
  schema: z.strictObject({
    high_usage_factor: z.number().min(1.1).max(100),
    consecutive_estimates: z.number().int().min(1).max(24),
    over_cents: z.record(z.string(), z.number().int().min(0)).refine((r) => r.default !== undefined, "needs default"),
  }),
  default: {
    high_usage_factor: 3,
    consecutive_estimates: 3,
    over_cents: { residential: 150_000, default: 5_000_000 },
  },
});

/** The mail and due dates of a bill dated `billDate`, by the settings in force on that day. */
export async function billDatesOn(ctx: Ctx, billDate: string): Promise<{ mail: string; due: string }> {
  return mailAndDue(
    billDate,
    await getSetting(ctx.db, mailLagDays, billDate),
    await getSetting(ctx.db, dueDays, billDate),
    await getSetting(ctx.db, businessHolidays, billDate),
  );
}
