/**
 * Whether a deposit is required, and how much, for a reason under the policy in force: the rule that decided, the
 * facts it used, and the sentence a CSR reads out. Pure: the facts are gathered elsewhere.
 */
import { Decimal } from "decimal.js";
import { formatCents } from "../../core/money.js";
import { plural } from "../../core/words.js";
import type { PolicyDecision } from "../policy/decisions.js";
import type { PolicyInForce } from "../policy/rules.js";
import type { MonthlyEstimate } from "./estimate.js";
import type { CreditScore } from "./score.js";

export const DEPOSIT_REASONS = ["establishment", "reestablishment", "bankruptcy_assurance"] as const;
export type DepositReason = (typeof DEPOSIT_REASONS)[number];

export const REASON_WORDS: Record<DepositReason, string> = {
  establishment: "to start service",
  reestablishment: "to restore service after a disconnection for non-payment",
  bankruptcy_assurance: "as adequate assurance of payment after a bankruptcy filing",
};

/** The multiple of the monthly estimate, rounded up to whole dollars. */
export function depositAmount(monthlyCents: bigint, multiple: string): bigint {
  const cents = new Decimal(monthlyCents.toString()).times(multiple);
  return BigInt(cents.div(100).ceil().times(100).toFixed(0));
}

function basisWords(e: MonthlyEstimate): string {
  return e.basis === "premise_history"
    ? `the premise's ${e.bills} bills over ${e.days} days`
    : `the ${e.customer_class.replace("_", " ")} average, the premise having too little history`;
}

/** A letter of credit on file, as the decision weighs it. */
export interface LetterFacts {
  id: number;
  issuer: string;
  months_of_service: number;
  late_payments: number;
  disconnections: number;
  issued_on: string;
}

/** The latest external credit check still valid under policy. */
export interface CheckFacts {
  id: number;
  bureau: string;
  score: number;
  checked_on: string;
}

/** "no late payments", "1 late payment", "2 late payments". */
export const latePaymentWords = (n: number) => (n === 0 ? "no late payments" : plural(n, "late payment"));

/** Whether a letter shows what policy asks of it; the shortfall in words when not. */
export function letterWaives(letter: LetterFacts, rules: PolicyInForce["rules"]["deposit"]): string | null {
  const short: string[] = [];
  if (letter.months_of_service < rules.letter_months)
    short.push(`${plural(letter.months_of_service, "month")} of service (policy asks ${rules.letter_months})`);
  if (letter.late_payments > rules.letter_max_late)
    short.push(`${plural(letter.late_payments, "late payment")} (at most ${rules.letter_max_late})`);
  if (letter.disconnections > 0) short.push(`${plural(letter.disconnections, "disconnection")} (none allowed)`);
  return short.length ? short.join(", ") : null;
}

export interface DepositDecision extends PolicyDecision {
  decision: "required" | "none" | "not_allowed" | "billed";
  amount_cents: string | null;
}

/** The deposit decision for a reason: the profile allows the reason or not; then credit decides (establishment). */
export function decideDeposit(
  reason: DepositReason,
  policy: PolicyInForce,
  credit: CreditScore,
  estimate: MonthlyEstimate,
  standing: {
    letters?: LetterFacts[];
    check?: CheckFacts | null;
    billed?: {
      id: number;
      reason: string;
      amount_cents: string;
      paid_cents: string;
      unpaid_cents: string;
      requested_on: string;
    }[];
  } = {},
): DepositDecision {
  const rules = policy.rules.deposit;
  const base = { profile: policy.profile, as_of: policy.as_of, reason };
  const monthly = formatCents(estimate.monthly_cents);
  const amount = depositAmount(estimate.monthly_cents, rules.multiple);
  if (!rules[reason]) {
    return {
      rule_id: `deposit.${reason}.not_allowed`,
      decision: "not_allowed",
      amount_cents: null,
      facts: base,
      explanation:
        `No deposit ${REASON_WORDS[reason]}: the ${policy.profile === "iou" ? "investor-owned-utility" : policy.profile} ` +
        `profile charges none for this reason${policy.profile === "iou" ? " (CPUC D.20-06-003)" : ""}.`,
    };
  }
  const facts = {
    ...base,
    score: credit.score,
    rating: credit.rating,
    poor_below: policy.rules.credit.poor_below,
    history_months: credit.facts.history_months,
    monthly_estimate_cents: estimate.monthly_cents.toString(),
    estimate_basis: estimate.basis,
    multiple: rules.multiple,
  };
  const amountWords = `${formatCents(amount)} (${rules.multiple} x the estimated average monthly bill of ${monthly}, from ${basisWords(estimate)})`;
  if (reason !== "establishment") {
    return {
      rule_id: `deposit.${reason}.required`,
      decision: "required",
      amount_cents: amount.toString(),
      facts,
      explanation: `A deposit of ${amountWords} may be required ${REASON_WORDS[reason]}.`,
    };
  }
  const held = (standing.billed ?? []).find((b) => b.reason === reason);
  if (held) {
    return {
      rule_id: `deposit.${reason}.already_billed`,
      decision: "billed",
      amount_cents: held.amount_cents,
      facts: { ...facts, deposit: held },
      explanation:
        `Deposit ${held.id} of ${formatCents(BigInt(held.amount_cents))} ${REASON_WORDS[reason]} is on the account ` +
        `since ${held.requested_on}: ${formatCents(BigInt(held.paid_cents))} paid, ` +
        `${formatCents(BigInt(held.unpaid_cents))} still to pay.`,
    };
  }
  const letter = (standing.letters ?? []).find((l) => letterWaives(l, rules) === null);
  if (letter) {
    return {
      rule_id: `deposit.${reason}.letter_of_credit`,
      decision: "none",
      amount_cents: null,
      facts: { ...facts, letter },
      explanation:
        `No deposit ${REASON_WORDS[reason]}: a letter of credit from ${letter.issuer} (${letter.issued_on}) shows ` +
        `${plural(letter.months_of_service, "month")} of service with ${latePaymentWords(letter.late_payments)} and no ` +
        "disconnections.",
    };
  }
  if (credit.rating === "good") {
    return {
      rule_id: "deposit.establishment.good_credit",
      decision: "none",
      amount_cents: null,
      facts,
      explanation:
        `No deposit to start service: the customer's credit score is ${credit.score} (good; poor is below ` +
        `${policy.rules.credit.poor_below}) over ${credit.facts.history_months} months of history.`,
    };
  }
  const check = standing.check;
  if (credit.rating === "no_history" && check) {
    const good = check.score >= policy.rules.credit.bureau_good_from;
    return {
      rule_id: `deposit.establishment.credit_check_${good ? "good" : "poor"}`,
      decision: good ? "none" : "required",
      amount_cents: good ? null : amount.toString(),
      facts: { ...facts, check, bureau_good_from: policy.rules.credit.bureau_good_from },
      explanation: good
        ? `No deposit to start service: the customer has no payment history with us, and the credit check of ` +
          `${check.checked_on} scored ${check.score} (good from ${policy.rules.credit.bureau_good_from}).`
        : `A deposit of ${amountWords} is required to start service: the customer has no payment history with us, ` +
          `and the credit check of ${check.checked_on} scored ${check.score} (good from ` +
          `${policy.rules.credit.bureau_good_from}). A letter of credit from another utility waives it.`,
    };
  }
  if (credit.rating === "no_history") {
    return {
      rule_id: "deposit.establishment.no_history",
      decision: "required",
      amount_cents: amount.toString(),
      facts,
      explanation:
        `A deposit of ${amountWords} is required to start service: the customer has fewer than ` +
        `${policy.rules.credit.min_history_months} months of payment history with us. A letter of credit from ` +
        "another utility or a satisfactory credit check waives it.",
    };
  }
  return {
    rule_id: "deposit.establishment.poor_credit",
    decision: "required",
    amount_cents: amount.toString(),
    facts,
    explanation:
      `A deposit of ${amountWords} is required to start service: the customer's credit score is ${credit.score} ` +
      `(poor, below ${policy.rules.credit.poor_below}): ${credit.reasons.join("; ")}.`,
  };
}
