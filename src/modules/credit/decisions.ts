import type { DecisionSource, PolicyDecision } from "../policy/decisions.js";
import { decideDeposit } from "./deposit-decision.js";
import { estimateMonthlyBill } from "./estimate.js";
import { creditFacts, scoreCredit } from "./score.js";
import { standingOf } from "./standing.js";

/** Credit's decisions for policy explain: the customer's rating, and the deposit to start service. */
export const creditDecisions: DecisionSource = async (ctx, account, policy) => {
  const facts = await creditFacts(ctx, account.main_party_id, policy.as_of);
  const credit = scoreCredit(facts, policy.rules.credit);
  const rating: PolicyDecision = {
    rule_id: `credit.rating.${credit.rating}`,
    decision: credit.rating,
    facts: { ...facts, score: credit.score, poor_below: policy.rules.credit.poor_below },
    explanation:
      credit.rating === "no_history"
        ? `No credit rating: fewer than ${policy.rules.credit.min_history_months} months of payment history ` +
          `(${facts.history_months}).`
        : `Credit score ${credit.score} of 100 (${credit.rating}; poor is below ${policy.rules.credit.poor_below}): ` +
          `${credit.reasons.join("; ")}.`,
  };
  const estimate = await estimateMonthlyBill(ctx, account, policy.as_of, policy.rules.deposit);
  const standing = await standingOf(ctx, account.main_party_id, policy, account.id);
  return [rating, decideDeposit("establishment", policy, credit, estimate, standing)];
};
