/**
 * The collector's worklist: accounts in the dunning steps ranked by what is at stake, first the amount past due
 * weighted by how far along the steps it is and how old it is, and by the customer's history (disconnections and
 * broken arrangements in the last two years), with the next step and what holds it.
 */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { policyInForce } from "../policy/index.js";
import { type CollectionFacts, nextStep, type Step } from "./steps.js";

export interface WorklistEntry {
  account_id: number;
  account_number: string;
  name: string;
  step: Step;
  step_on: string;
  past_due_cents: bigint;
  oldest_due: string;
  days_past_due: number;
  disconnect_from: string | null;
  blocked_rule: string | null;
  blocked_reason: string | null;
  /** The next step and the first day it may come, were nothing to change (null when none follows). */
  next: { step: Step; on: string } | null;
  /** Broken arrangements and disconnections in the last 24 months. */
  history: number;
  /** The rank's score: higher is worked first. */
  risk: number;
}

const STAGE: Record<Step, number> = {
  reminder: 1,
  notice: 2,
  final_notice: 3,
  disconnect_ordered: 4,
  disconnected: 2,
};

/** The facts the next step is read from: the state the run left (the protections do not move the date). */
const factsOf = (r: {
  account_id: bigint;
  step: Step;
  step_on: string;
  notice_on: string | null;
  past_due_cents: bigint;
  oldest_due: string;
  disconnect_from: string | null;
  blocked_rule: string | null;
}): CollectionFacts => ({
  account_id: Number(r.account_id),
  past_due_cents: BigInt(r.past_due_cents),
  oldest_due: r.oldest_due,
  state: {
    step: r.step,
    step_on: r.step_on,
    notice_on: r.notice_on,
    disconnect_from: r.disconnect_from,
    blocked_rule: r.blocked_rule,
    order_status: null,
  },
  dispute: null,
  arrangement: null,
  medical_baseline_from: null,
  life_support_from: null,
  oldest_birth: null,
  heat: null,
  pledge: null,
  bankruptcy: null,
  disputed_cents: 0n,
  pre_petition_cents: 0n,
});

/** The worklist, highest risk first (optionally one step only). */
export async function worklist(
  ctx: Ctx,
  q: { step?: Step; limit?: number },
): Promise<{ as_of: string; entries: WorklistEntry[] }> {
  const today = ctx.clock.today().toString();
  const rules = (await policyInForce(ctx, today)).rules.collections;
  const rows = await preparedRows<{
    account_id: bigint;
    account_number: string;
    name: string;
    step: Step;
    step_on: string;
    notice_on: string | null;
    past_due_cents: bigint;
    oldest_due: string;
    days_past_due: number;
    disconnect_from: string | null;
    blocked_rule: string | null;
    blocked_reason: string | null;
    history: bigint;
  }>(
    ctx,
    sql`SELECT s.account_id, a.account_number, pa.display_name AS name, s.step, s.step_on::text AS step_on,
          s.notice_on::text AS notice_on, s.past_due_cents, s.oldest_due::text AS oldest_due,
          (${today}::date - s.oldest_due) AS days_past_due,
          s.disconnect_from::text AS disconnect_from, s.blocked_rule, s.blocked_reason,
          (SELECT count(*) FROM collection_events AS e
           WHERE e.account_id = s.account_id AND e.kind IN ('arrangement_broken', 'disconnected')
             AND e.on_date > ${today}::date - 730) AS history
        FROM collection_states AS s JOIN accounts AS a ON a.id = s.account_id
        JOIN parties AS pa ON pa.id = a.main_party_id
        WHERE (${q.step ?? null}::text IS NULL OR s.step = ${q.step ?? null}::text)
        ORDER BY s.past_due_cents DESC
        LIMIT 2000`,
  );
  const ranked = rows.map((r) => {
    const history = Number(r.history);
    // Dollars past due, times the stage, the months late and the history: a rank, not money.
    const dollars = Number(BigInt(r.past_due_cents) / 100n);
    const risk = Math.round(
      dollars * STAGE[r.step] * (1 + r.days_past_due / 30) * (1 + history) * (r.blocked_rule ? 0.5 : 1),
    );
    return { row: r, id: Number(r.account_id), history, risk };
  });
  ranked.sort((a, b) => b.risk - a.risk || a.id - b.id);
  const entries = ranked.slice(0, q.limit ?? 100).map(({ row, id, history, risk }): WorklistEntry => {
    const { notice_on: _, ...r } = row;
    return { ...r, account_id: id, next: nextStep(factsOf(row), rules, today), history, risk };
  });
  return { as_of: today, entries };
}
