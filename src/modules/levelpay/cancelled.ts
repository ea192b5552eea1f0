/**
 * A bill cancelled after it was leveled (a billing analyst's cancel and rebill): the level pay posting of the bill is
 * reversed and the deferred balance put back as it was without it; the rebill is leveled as a new bill.
 */
import { sql } from "drizzle-orm";
import { formatCents } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { reverseEntry } from "../ledger/index.js";
import { deferredWords } from "./plan.js";
import { type EventRow, insertEvents } from "./writes.js";

/** A bill cancelled after it was leveled: its level pay posting is reversed and the deferred balance put back. */
export async function takeBackCancelled(tx: Ctx, asOf: string): Promise<number> {
  const rows = await preparedRows<{
    plan_id: bigint;
    account_id: bigint;
    bill_id: bigint;
    bill_date: string;
    entry_id: bigint | null;
    actual_cents: bigint;
    level_cents: bigint;
  }>(
    tx,
    sql`SELECT e.plan_id, e.account_id, e.bill_id, b.bill_date::text AS bill_date, e.entry_id, e.actual_cents,
               e.level_cents
        FROM level_pay_events AS e
        JOIN bills AS b ON b.id = e.bill_id AND b.status = 'cancelled'
        JOIN level_pay_plans AS p ON p.id = e.plan_id AND p.status = 'enrolled'
        WHERE e.kind = 'billed'
          AND NOT EXISTS (SELECT 1 FROM level_pay_events AS c WHERE c.bill_id = e.bill_id AND c.kind = 'bill_cancelled')
        ORDER BY e.plan_id, e.id
        FOR UPDATE OF p`,
  );
  if (rows.length === 0) return 0;
  const states = await preparedRows<{ id: bigint; level_cents: bigint; deferred_cents: bigint }>(
    tx,
    sql`SELECT id, level_cents, deferred_cents FROM level_pay_plans
        WHERE id = ANY(${sql.param(rows.map((r) => r.plan_id))}::int8[])`,
  );
  const deferred = new Map(states.map((s) => [Number(s.id), s.deferred_cents]));
  const level = new Map(states.map((s) => [Number(s.id), s.level_cents]));
  const events: EventRow[] = [];
  for (const r of rows) {
    const planId = Number(r.plan_id);
    const moved = r.actual_cents - r.level_cents;
    const billId = Number(r.bill_id);
    const reversal =
      r.entry_id === null
        ? null
        : await reverseEntry(tx, Number(r.entry_id), `bill ${billId} cancelled: its level pay difference taken back`);
    const after = deferred.get(planId)! - moved;
    deferred.set(planId, after);
    const what =
      moved > 0n
        ? `the ${formatCents(moved)} it deferred is taken back`
        : moved < 0n
          ? `the ${formatCents(-moved)} it took off the deferred balance is put back`
          : "it moved nothing";
    events.push({
      plan_id: planId,
      account_id: Number(r.account_id),
      on_date: asOf,
      kind: "bill_cancelled",
      bill_id: billId,
      actual_cents: r.actual_cents,
      level_cents: level.get(planId)!,
      deferred_after_cents: after,
      settled_cents: null,
      entry_id: reversal?.reversal_entry_id ?? null,
      rule_id: "level_pay.bill_cancelled",
      facts: { bill_id: billId, moved_cents: moved.toString(), deferred_after_cents: after.toString() },
      explanation: `Bill ${billId} of ${r.bill_date} was cancelled: ${what}; the deferred balance is now ${deferredWords(after)}.`,
      recorded_by: tx.actor.username,
    });
  }
  await insertEvents(tx, events);
  await preparedRows(
    tx,
    sql`UPDATE level_pay_plans AS p SET deferred_cents = v.deferred, version = p.version + 1
        FROM unnest(${sql.param([...deferred.keys()])}::int8[], ${sql.param([...deferred.values()])}::int8[])
             AS v(id, deferred)
        WHERE p.id = v.id`,
  );
  return rows.length;
}
