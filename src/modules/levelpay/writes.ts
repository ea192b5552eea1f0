/** Level pay's writes as arrays: a batch's events in one statement, its plans in another. */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";

export interface EventRow {
  plan_id: number;
  account_id: number;
  on_date: string;
  kind: "enrolled" | "billed" | "reviewed" | "trued_up" | "ended" | "bill_cancelled";
  bill_id: number | null;
  actual_cents: bigint | null;
  level_cents: bigint;
  deferred_after_cents: bigint;
  settled_cents: bigint | null;
  entry_id: number | null;
  rule_id: string;
  facts: Record<string, unknown>;
  explanation: string;
  recorded_by: string;
}

export interface PlanWrite {
  id: number;
  level_cents: bigint;
  deferred_cents: bigint;
  last_review_on: string;
  /** Null: unchanged. */
  true_up_on: string | null;
  status: "enrolled" | "ended";
  ended_on: string | null;
  ended_reason: string | null;
  ended_by: string | null;
}

const col = <T, K extends keyof T>(rows: readonly T[], k: K) => sql.param(rows.map((r) => r[k]));

/** Inserts events, in order. */
export async function insertEvents(tx: Ctx, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  const facts = sql.param(rows.map((r) => JSON.stringify(r.facts)));
  await preparedRows(
    tx,
    sql`INSERT INTO level_pay_events (plan_id, account_id, on_date, kind, bill_id, actual_cents, level_cents,
                                      deferred_after_cents, settled_cents, entry_id, rule_id, facts, explanation,
                                      recorded_by)
        SELECT e.plan_id, e.account_id, e.on_date, e.kind, e.bill_id, e.actual, e.level, e.deferred, e.settled,
               e.entry_id, e.rule_id, e.facts::jsonb, e.explanation, e.recorded_by
        FROM unnest(${col(rows, "plan_id")}::int8[], ${col(rows, "account_id")}::int8[], ${col(rows, "on_date")}::date[],
                    ${col(rows, "kind")}::text[], ${col(rows, "bill_id")}::int8[], ${col(rows, "actual_cents")}::int8[],
                    ${col(rows, "level_cents")}::int8[], ${col(rows, "deferred_after_cents")}::int8[],
                    ${col(rows, "settled_cents")}::int8[], ${col(rows, "entry_id")}::int8[],
                    ${col(rows, "rule_id")}::text[], ${facts}::text[], ${col(rows, "explanation")}::text[],
                    ${col(rows, "recorded_by")}::text[]) WITH ORDINALITY
             AS e(plan_id, account_id, on_date, kind, bill_id, actual, level, deferred, settled, entry_id, rule_id,
                  facts, explanation, recorded_by, n)
        ORDER BY e.n`,
  );
}

/** Writes plans' new state (each plan once), bumping their versions. */
export async function updatePlans(tx: Ctx, rows: readonly PlanWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await preparedRows(
    tx,
    sql`UPDATE level_pay_plans AS p
        SET level_cents = v.level, deferred_cents = v.deferred, last_review_on = v.last_review_on,
            true_up_on = coalesce(v.true_up_on, p.true_up_on), status = v.status, ended_on = v.ended_on,
            ended_reason = v.ended_reason, ended_by = v.ended_by, version = p.version + 1
        FROM unnest(${col(rows, "id")}::int8[], ${col(rows, "level_cents")}::int8[],
                    ${col(rows, "deferred_cents")}::int8[], ${col(rows, "last_review_on")}::date[],
                    ${col(rows, "true_up_on")}::date[], ${col(rows, "status")}::text[], ${col(rows, "ended_on")}::date[],
                    ${col(rows, "ended_reason")}::text[], ${col(rows, "ended_by")}::text[])
             AS v(id, level, deferred, last_review_on, true_up_on, status, ended_on, ended_reason, ended_by)
        WHERE p.id = v.id`,
  );
}
