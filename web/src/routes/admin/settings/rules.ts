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
export const RULE_SECTIONS: Record<string, string> = {
  credit: "Credit",
  deposit: "Deposits",
  collections: "Collections",
};

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
  "collections.reminder_after_days": {
    label: "Reminder after (days)",
    help: "A courtesy reminder this many days after the oldest past-due bill's due date.",
  },
  "collections.notice_after_days": {
    label: "Past-due notice after (days)",
    help: "The past-due (disconnect) notice this many days after the due date; never before it (PUC 779.1, 10010.1).",
  },
  "collections.notice_mail_days": {
    label: "Days allowed for mail",
    help: "A mailed notice counts from this many days after mailing (5) …",
  },
  "collections.notice_lead_days": {
    label: "Notice before disconnection (days)",
    help: "… and disconnection may come no sooner than this many days after that (10).",
  },
  "collections.final_notice_hours": {
    label: "Final notice before disconnection (hours)",
    help: "The final notice goes this many hours before disconnection (48).",
  },
  "collections.min_notice_cents": {
    label: "Smallest amount dunned",
    help: "No reminder or notice for a past-due amount under this, in dollars.",
  },
  "collections.min_disconnect_cents": {
    label: "Smallest amount for disconnection",
    help: "No final notice or disconnection for a past-due amount under this, in dollars.",
  },
  "collections.protect.medical_baseline": {
    label: "Medical baseline protects",
    help: "Medical baseline on file holds disconnection (and the final notice before it).",
  },
  "collections.protect.life_support": {
    label: "Life support protects",
    help: "Life support on file holds disconnection.",
  },
  "collections.protect.age_65": {
    label: "65 or older protects",
    help: "A customer on the account aged 65 or more holds disconnection (CPUC D.20-06-003).",
  },
  "collections.protect.heat": {
    label: "Heat forecast protects",
    help: "A forecast high at or above the threshold below, within its window, holds disconnection (D.20-06-003).",
  },
  "collections.protect.assistance_pledge": {
    label: "Assistance pledge protects",
    help: "A pending energy-assistance pledge (LIHEAP) holds disconnection (D.20-06-003).",
  },
  "collections.heat_threshold_f": {
    label: "Heat threshold (°F)",
    help: "A forecast high at or above this …",
  },
  "collections.heat_window_hours": {
    label: "Heat window (hours)",
    help: "… within this many hours from the day of the run.",
  },
  "collections.arrangement_max_months": {
    label: "Arrangement at most (months)",
    help: "A payment arrangement spreads arrears over at most this many months (12, D.20-06-003).",
  },
  "collections.extension_max_days": {
    label: "Extension at most (days)",
    help: "An extension gives at most this many days more to pay.",
  },
  "collections.arrangement_grace_days": {
    label: "Grace after an installment (days)",
    help: "Days after an installment's due date (or a current bill's) before missing it breaks the arrangement.",
  },
  "collections.reconnection_fee_cents": {
    label: "Reconnection fee",
    help: "Charged to restore service after a disconnection for non-payment (0: none, as the CPUC rules for investor-owned utilities say).",
  },
  "collections.after_hours_fee_cents": {
    label: "Same-day reconnection after hours",
    help: "The fee for a same-day reconnection asked after the cut-off time below.",
  },
  "collections.after_hours_from": {
    label: "After hours from (HH:MM)",
    help: "The cut-off time of day for a same-day reconnection at the normal fee.",
  },
  "collections.amp.enabled": {
    label: "Arrearage management (AMP)",
    help: "CARE and FERA customers' arrears forgiven a twelfth per on-time payment (Res. E-5114).",
  },
  "collections.amp.min_arrears_cents": {
    label: "AMP: arrears at least",
    help: "Arrears of at least this much …",
  },
  "collections.amp.min_arrears_days": {
    label: "AMP: arrears at least (days old)",
    help: "… at least this many days old …",
  },
  "collections.amp.min_customer_months": {
    label: "AMP: customer at least (months)",
    help: "… for a customer of at least this many months.",
  },
  "collections.amp.cap_cents": {
    label: "AMP: forgiven at most",
    help: "The most forgiven under one plan.",
  },
  "collections.amp.out_after_misses": {
    label: "AMP: out after missed payments",
    help: "Consecutive missed payments that end the plan.",
  },
  "collections.closed.transfer_debit": {
    label: "Closed: move a debit balance to an active account",
    help: "A balance owed on a closed account moves to the same customer's active account.",
  },
  "collections.closed.transfer_credit": {
    label: "Closed: move a credit balance to an active account",
    help: "A credit left on a closed account moves to the same customer's active account; else it is refunded.",
  },
  "collections.closed.first_notice_after_days": {
    label: "Closed: first notice (days after the final bill's due date)",
    help: "The first closed-account notice …",
  },
  "collections.closed.second_notice_after_days": {
    label: "Closed: second notice (days after the due date)",
    help: "… the second …",
  },
  "collections.closed.write_off_after_days": {
    label: "Closed: write off (days after the due date)",
    help: "… the balance written off to bad debt …",
  },
  "collections.closed.agency_after_days": {
    label: "Closed: refer to the agency (days after the write-off)",
    help: "… and referred to the collection agency.",
  },
  "collections.closed.min_agency_cents": {
    label: "Closed: refer balances of at least",
    help: "Smaller balances are written off and not referred.",
  },
  "collections.level_pay.average_months": {
    label: "Level pay: months averaged",
    help: "The level amount is the average of this many months of bills (PG&E Balanced Payment Plan: 12).",
  },
  "collections.level_pay.review_every_months": {
    label: "Level pay: review every (months)",
    help: "The amount is reviewed this often …",
  },
  "collections.level_pay.review_change_percent": {
    label: "Level pay: change when off by (percent)",
    help: "… and changed when the new average differs by at least this much.",
  },
  "collections.level_pay.true_up_after_months": {
    label: "Level pay: true-up after (months)",
    help: "The deferred balance is settled after this many months.",
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
