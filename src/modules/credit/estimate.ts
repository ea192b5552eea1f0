/**
 * The estimated average monthly bill a deposit is a multiple of: the premise's own bills over the policy's months
 * (whoever lived there: bills reach the premise through their segments' agreements), else the customer class's
 * average from policy.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import type { PolicyRules } from "../policy/rules.js";

export interface MonthlyEstimate {
  monthly_cents: bigint;
  basis: "premise_history" | "class_average";
  premise_ids: number[];
  /** Premise history: the bills and days averaged. */
  bills?: number;
  days?: number;
  customer_class: string;
}

/** Days of billed periods below which a premise's history is too thin to average (about three months). */
const MIN_DAYS = 85;

export async function estimateMonthlyBill(
  ctx: Ctx,
  account: { id: number; customer_class: string },
  asOf: string,
  rules: PolicyRules["deposit"],
): Promise<MonthlyEstimate> {
  const since = Temporal.PlainDate.from(asOf).subtract({ months: rules.estimate_months }).toString();
  const [row] = await preparedRows<{ premises: string[] | null; bills: number; days: number; cents: bigint }>(
    ctx,
    sql`WITH premises AS (
          SELECT DISTINCT sp.premise_id FROM service_agreements AS sa
          JOIN service_points AS sp ON sp.id = sa.service_point_id
          WHERE sa.account_id = ${account.id}::int8),
        premise_bills AS (
          SELECT DISTINCT b.id, b.total_cents, b.period_to - b.period_from + 1 AS days
          FROM premises
          JOIN service_points AS sp ON sp.premise_id = premises.premise_id
          JOIN service_agreements AS sa ON sa.service_point_id = sp.id
          JOIN bill_segments AS seg ON seg.service_agreement_id = sa.id AND seg.active
          JOIN bills AS b ON b.id = seg.bill_id AND b.status = 'issued'
          WHERE b.period_to > ${since}::date AND b.period_to <= ${asOf}::date)
        SELECT (SELECT array_agg(premise_id::text ORDER BY premise_id) FROM premises) AS premises,
               count(*)::int AS bills, coalesce(sum(days), 0)::int AS days,
               coalesce(sum(total_cents), 0)::int8 AS cents
        FROM premise_bills`,
  );
  const premiseIds = (row?.premises ?? []).map(Number);
  const days = Number(row?.days ?? 0);
  if (row && days >= MIN_DAYS) {
    // A month is 365/12 days: cents x 365 / (12 x days), rounded half up.
    const num = BigInt(row.cents) * 365n;
    const den = 12n * BigInt(days);
    return {
      monthly_cents: (num * 2n + den) / (den * 2n),
      basis: "premise_history",
      premise_ids: premiseIds,
      bills: Number(row.bills),
      days,
      customer_class: account.customer_class,
    };
  }
  const average = rules.class_average_cents[account.customer_class] ?? rules.class_average_cents.residential ?? "0";
  return {
    monthly_cents: BigInt(average),
    basis: "class_average",
    premise_ids: premiseIds,
    customer_class: account.customer_class,
  };
}
