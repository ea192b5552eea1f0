import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { findAccount } from "../policy/decisions.js";
import { policyInForce } from "../policy/rules.js";
import { creditDecisions } from "./decisions.js";
import { creditChecksOf, depositsOf, lettersOf } from "./deposits.js";
import { creditFacts, scoreCredit } from "./score.js";

/** The account view's credit section: the score with its reasons, policy's decisions, deposits, letters, checks. */
export async function creditSummary(ctx: Ctx, accountId: number) {
  const account = await findAccount(ctx, { id: accountId });
  const asOf = ctx.clock.today().toString();
  const policy = await policyInForce(ctx, asOf);
  const credit = scoreCredit(await creditFacts(ctx, account.main_party_id, asOf), policy.rules.credit);
  const deposits = await depositsOf(ctx, accountId);
  const kept = await preparedRows<{
    id: bigint;
    rule_id: string;
    decision: string;
    explanation: string;
    subject: string;
    decided_on: string;
    decided_by: string;
  }>(
    ctx,
    sql`SELECT id, rule_id, decision, explanation, subject, decided_on::text AS decided_on, decided_by
        FROM policy_decisions WHERE account_id = ${accountId}::int8 ORDER BY id DESC LIMIT 20`,
  );
  const sum = (f: (d: (typeof deposits)[number]) => bigint) => deposits.reduce((a, d) => a + f(d), 0n).toString();
  return {
    account_id: accountId,
    as_of: asOf,
    profile: policy.profile,
    score: credit.score,
    rating: credit.rating,
    reasons: credit.reasons,
    facts: credit.facts,
    decisions: await creditDecisions(ctx, account, policy),
    deposits,
    totals: {
      // Held: paid on deposits still billed; due: still owed on them.
      held_cents: sum((d) => (d.status === "billed" ? BigInt(d.paid_cents) : 0n)),
      due_cents: sum((d) => (d.status === "billed" ? BigInt(d.unpaid_cents) : 0n)),
    },
    refund_after_months: policy.rules.deposit.refund_after_on_time_months,
    max_installments: policy.rules.deposit.max_installments,
    letters: await lettersOf(ctx, account.main_party_id),
    checks: await creditChecksOf(ctx, account.main_party_id),
    kept_decisions: kept.map((k) => ({ ...k, id: Number(k.id) })),
  };
}
