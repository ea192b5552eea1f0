/** Leaving level pay (the customer asks, or the account closes): the deferred balance settled, the plan ended. */
import { formatCents } from "../../core/money.js";
import type { Posting } from "./postings.js";
import type { EventRow, PlanWrite } from "./writes.js";

/** What ending a plan posts and records: the deferred balance settled, the plan ended with the reason. */
export function endingOf(
  plan: { id: number; account_id: number; level_cents: bigint; deferred_cents: bigint; last_review_on: string },
  asOf: string,
  due: string,
  why: { rule_id: string; reason: string; words: string },
  by: string,
): { event: EventRow; posting: Posting | null; write: PlanWrite } {
  const d = plan.deferred_cents;
  const reference = `levelpay:${plan.id}:end`;
  const posting: Posting | null =
    d > 0n
      ? {
          side: "charge",
          account_id: plan.account_id,
          amount_cents: d,
          due_date: due,
          service_period: { from: plan.last_review_on < asOf ? plan.last_review_on : asOf, to: asOf },
          reference,
          description: "Level pay ended: the deferred balance",
        }
      : d < 0n
        ? {
            side: "credit",
            account_id: plan.account_id,
            amount_cents: -d,
            bulk: true,
            reference,
            description: "Level pay ended: paid over the bills",
          }
        : null;
  const settled =
    d > 0n
      ? `the deferred balance of ${formatCents(d)} is billed, due ${due}`
      : d < 0n
        ? `the ${formatCents(-d)} paid over the bills is credited to the account`
        : "nothing was deferred, so nothing is settled";
  return {
    event: {
      plan_id: plan.id,
      account_id: plan.account_id,
      on_date: asOf,
      kind: "ended",
      bill_id: null,
      actual_cents: null,
      level_cents: plan.level_cents,
      deferred_after_cents: 0n,
      settled_cents: d,
      entry_id: null,
      rule_id: why.rule_id,
      facts: { settled_cents: d.toString(), reason: why.reason, due_date: d > 0n ? due : null },
      explanation: `Level pay ended on ${asOf} (${why.words}): ${settled}. Bills from now on are paid as billed.`,
      recorded_by: by,
    },
    posting,
    write: {
      id: plan.id,
      level_cents: plan.level_cents,
      deferred_cents: 0n,
      last_review_on: plan.last_review_on,
      true_up_on: null,
      status: "ended",
      ended_on: asOf,
      ended_reason: why.reason,
      ended_by: by,
    },
  };
}
