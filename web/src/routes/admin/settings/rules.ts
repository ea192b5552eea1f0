/**
 * The policy rules (policy.rules.<profile>) as the admin's form shows them: each rule's label and its meaning, in
 * the words of docs/policy.md. A rule the server adds later and this list does not know is still shown (by its
 * name) and kept.
 */

export interface RuleSpec {
  label: string;
  help: string;
}

/** The rule sets' sections, in the order the form shows them. */
export const RULE_SECTIONS: Record<string, string> = { credit: "Credit", deposit: "Deposits" };

/** Class averages are a list by customer class: one field each, in dollars. */
export const CLASS_AVERAGES = "deposit.class_average_cents";

export const RULES: Record<string, RuleSpec> = {
  "credit.late_payment_12": {
    label: "Late payment, last 12 months",
    help:
      "Points off the credit score of 100 for each late payment in the last 12 months: a bill whose charges were " +
      "not all cleared by its due date (a payment later returned does not count as clearing).",
  },
  "credit.late_payment_24": {
    label: "Late payment, 12 to 24 months ago",
    help: "Points off for each late payment 12 to 24 months ago.",
  },
  "credit.returned_payment_12": {
    label: "Returned payment, last 12 months",
    help: "Points off for each returned payment (returned check, NSF, ACH return) in the last 12 months.",
  },
  "credit.returned_payment_24": {
    label: "Returned payment, 12 to 24 months ago",
    help: "Points off for each returned payment 12 to 24 months ago.",
  },
  "credit.disconnection_12": {
    label: "Disconnection, last 12 months",
    help: "Points off for each disconnection for non-payment in the last 12 months.",
  },
  "credit.disconnection_24": {
    label: "Disconnection, 12 to 24 months ago",
    help: "Points off for each disconnection for non-payment 12 to 24 months ago.",
  },
  "credit.poor_below": {
    label: "Poor credit below",
    help:
      "A score below this is poor credit. The score counts the events on every account the customer holds, " +
      "closed ones too.",
  },
  "credit.min_history_months": {
    label: "Months of history needed",
    help:
      "With fewer months of billing history than this and nothing against them, a customer has no history: a " +
      "letter of credit or an external credit check decides.",
  },
  "credit.bureau_good_from": {
    label: "External check good from",
    help: "An external credit check scoring this or more (of 300 to 850) is good credit.",
  },
  "credit.bureau_valid_days": {
    label: "External check counts for (days)",
    help: "How many days an external credit check counts for after it was run.",
  },
  "deposit.establishment": {
    label: "Deposit to start service",
    help:
      "Asked on poor credit or no history (creditworthiness only, PUC 10009.5(a)). Off: no deposit to start " +
      "service, as the CPUC rules for investor-owned utilities say (D.20-06-003).",
  },
  "deposit.reestablishment": {
    label: "Deposit to restore service",
    help: "Asked to restore service after a disconnection for non-payment. Off: none (D.20-06-003).",
  },
  "deposit.bankruptcy_assurance": {
    label: "Adequate assurance after a bankruptcy filing",
    help: "A deposit as adequate assurance of payment after a bankruptcy filing (11 U.S.C. 366): every profile keeps it.",
  },
  "deposit.bankruptcy_days": {
    label: "Days to pay adequate assurance",
    help: "Days after the filing to pay adequate assurance, or service may be disconnected (20).",
  },
  "deposit.bankruptcy_days_chapter_11": {
    label: "Days to pay adequate assurance, Chapter 11",
    help: "The same for a Chapter 11 filing (30).",
  },
  "deposit.multiple": {
    label: "Multiple",
    help:
      "The deposit is this multiple of the estimated average monthly bill: 2 asks twice the average bill. " +
      "Positive, at most 3 (what Riverside and Hemet allow).",
  },
  "deposit.estimate_months": {
    label: "Months averaged for the estimate",
    help:
      "The premise's issued bills over this many months make the estimated average monthly bill; with too little " +
      "history the class average below is used.",
  },
  "deposit.max_installments": {
    label: "Installments at most",
    help: "A deposit may be billed in up to this many installments (1: all at once), a month apart each.",
  },
  "deposit.interest_percent": {
    label: "Interest a year (%)",
    help: "Simple yearly interest paid on deposits held, credited with the refund (0: none).",
  },
  "deposit.refund_after_on_time_months": {
    label: "Refund after on-time months",
    help:
      "A deposit paid in full is credited back after this many consecutive months with no late payment; a late " +
      "payment restarts the count.",
  },
  "deposit.letter_months": {
    label: "Letter of credit: months of service",
    help: "A letter of credit from another utility waives the deposit when it shows this many months of service …",
  },
  "deposit.letter_max_late": {
    label: "Letter of credit: late payments at most",
    help: "… with no more late payments than this, and no disconnection.",
  },
};

/** "commercial" -> "Commercial", "street_lighting" -> "Street lighting". */
export const words = (name: string) => {
  const w = name.replace(/_/g, " ");
  return w.charAt(0).toUpperCase() + w.slice(1);
};

/** A rule's label by its path in the rule set ("deposit.multiple"), for fields and for saying what changed. */
export function ruleLabel(path: string): string {
  const known = RULES[path];
  if (known) return known.label;
  if (path.startsWith(`${CLASS_AVERAGES}.`)) return `${words(path.slice(CLASS_AVERAGES.length + 1))} average bill`;
  return words(path.split(".").at(-1) ?? path);
}
