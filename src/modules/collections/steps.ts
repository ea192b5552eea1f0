/**
 * The dunning steps as rules, without I/O: from an account's facts on a day (what is past due and since when, where
 * it stands, what protects it), the step due today, or the rule holding it back, each with the sentence a CSR reads.
 * The daily run gathers the facts set-based and writes what this decides; `kilowatt policy explain` shows the same.
 */
import { Temporal } from "temporal-polyfill";
import { isSeniorOn } from "../../core/age.js";
import { formatCents } from "../../core/money.js";
import type { PolicyRules } from "../policy/index.js";

export const STEPS = ["reminder", "notice", "final_notice", "disconnect_ordered", "disconnected"] as const;
export type Step = (typeof STEPS)[number];

export const STEP_WORDS: Record<Step, string> = {
  reminder: "reminder",
  notice: "past-due notice",
  final_notice: "final (48-hour) notice",
  disconnect_ordered: "disconnect order",
  disconnected: "disconnected",
};

/** What the daily run knows of an account in collections (or about to be). Dates are YYYY-MM-DD. */
export interface CollectionFacts {
  account_id: number;
  /** Past due and collectible: open items past their due date, less disputed items and pre-petition debt. */
  past_due_cents: bigint;
  oldest_due: string | null;
  state: null | {
    step: Step;
    step_on: string;
    notice_on: string | null;
    disconnect_from: string | null;
    blocked_rule: string | null;
    order_status: string | null;
  };
  /** Collection held altogether: a dispute of the whole account, a kept arrangement or extension. */
  dispute: null | { id: number; opened_on: string; reason: string };
  arrangement: null | { id: number; kind: string; opened_on: string; next_due: string | null };
  /** Disconnection held (and the final notice before it). */
  medical_baseline_from: string | null;
  life_support_from: string | null;
  /** The oldest birth date among the account's customers. */
  oldest_birth: string | null;
  heat: null | { on: string; high_f: number; territory: string };
  pledge: null | { id: number; agency: string; amount_cents: bigint; expires_on: string };
  bankruptcy: null | { id: number; chapter: number; petition_date: string; case_number: string };
  /** Disputed items left out of the past-due amount. */
  disputed_cents: bigint;
  pre_petition_cents: bigint;
  /** Service reconnected after the disconnection (a completed reconnect order). */
  restored?: boolean;
}

export type CollectionRules = PolicyRules["collections"];

/** A protection in force: its rule id and the sentence saying what it holds back. */
export interface Hold {
  rule_id: string;
  says: string;
}

/** What the run does for the account today. */
export type Action =
  | { kind: "none" }
  | { kind: "cure"; rule_id: string; says: string }
  | { kind: "step"; step: Exclude<Step, "disconnected">; rule_id: string; says: string }
  | { kind: "disconnected"; rule_id: string; says: string }
  | { kind: "blocked"; would: Step; holds: Hold[]; says: string };

/** A date some days later (or earlier, with a negative count). */
export const plusDays = (date: string, days: number) => Temporal.PlainDate.from(date).add({ days }).toString();

/** The days of notice before disconnection the final notice gives (48 hours: 2 days). */
export const finalNoticeDays = (rules: CollectionRules) => Math.ceil(rules.final_notice_hours / 24);

/** The first day disconnection may follow a past-due notice mailed on a date (PUC 779.1: 5 days' mail, then 10). */
export const disconnectFrom = (noticeOn: string, rules: CollectionRules) =>
  plusDays(noticeOn, rules.notice_mail_days + rules.notice_lead_days);

/** What holds every step: a dispute of the whole account, a kept arrangement or extension. */
export function pauses(f: CollectionFacts): Hold[] {
  const holds: Hold[] = [];
  if (f.dispute) {
    holds.push({
      rule_id: "collections.hold.dispute",
      says: `a dispute of the account is under investigation (opened ${f.dispute.opened_on}: ${f.dispute.reason})`,
    });
  }
  if (f.arrangement) {
    const what = f.arrangement.kind === "extension" ? "an extension" : `payment arrangement ${f.arrangement.id}`;
    holds.push({
      rule_id: `collections.hold.${f.arrangement.kind}`,
      says: `${what} is kept${f.arrangement.next_due ? ` (next payment due ${f.arrangement.next_due})` : ""}`,
    });
  }
  return holds;
}

/** What protects the customer from disconnection on the day, under the profile's rules. */
export function protections(f: CollectionFacts, rules: CollectionRules, today: string): Hold[] {
  const p = rules.protect;
  const holds: Hold[] = [];
  if (p.life_support && f.life_support_from) {
    holds.push({
      rule_id: "collections.protect.life_support",
      says: `life support is on file since ${f.life_support_from}`,
    });
  }
  if (p.medical_baseline && f.medical_baseline_from) {
    holds.push({
      rule_id: "collections.protect.medical_baseline",
      says: `medical baseline is on file since ${f.medical_baseline_from}`,
    });
  }
  if (p.age_65 && f.oldest_birth && isSeniorOn(f.oldest_birth, today)) {
    holds.push({ rule_id: "collections.protect.age_65", says: "a customer on the account is 65 or older" });
  }
  if (p.heat && f.heat && f.heat.high_f >= rules.heat_threshold_f) {
    holds.push({
      rule_id: "collections.protect.heat",
      says: `${f.heat.high_f} F is forecast for ${f.heat.on} in territory ${f.heat.territory} (at or above ${rules.heat_threshold_f} F within ${rules.heat_window_hours} hours)`,
    });
  }
  if (p.assistance_pledge && f.pledge) {
    holds.push({
      rule_id: "collections.protect.assistance_pledge",
      says: `${f.pledge.agency} has pledged ${formatCents(f.pledge.amount_cents)} (pending until ${f.pledge.expires_on})`,
    });
  }
  if (f.bankruptcy) {
    holds.push({
      rule_id: "collections.protect.bankruptcy",
      says: `the customer filed Chapter ${f.bankruptcy.chapter} on ${f.bankruptcy.petition_date} (case ${f.bankruptcy.case_number}): only debt after the petition is collected, and adequate assurance decides disconnection`,
    });
  }
  return holds;
}

/** The step the account would take today if nothing held it, with the rule and sentence. */
function dueStep(
  f: CollectionFacts,
  rules: CollectionRules,
  today: string,
): { step: Exclude<Step, "disconnected">; rule_id: string; says: string } | null {
  const amount = formatCents(f.past_due_cents);
  const min = BigInt(rules.min_notice_cents);
  const minCut = BigInt(rules.min_disconnect_cents);
  if (f.oldest_due === null || f.past_due_cents < min) return null;
  const s = f.state;
  const noticeDay = plusDays(f.oldest_due, rules.notice_after_days);
  if (!s || s.step === "reminder") {
    if (today >= noticeDay && (!s || s.step_on < today)) {
      const cut = disconnectFrom(today, rules);
      return {
        step: "notice",
        rule_id: "collections.notice",
        says: `Past-due notice: ${amount} was due ${f.oldest_due}, ${rules.notice_after_days} or more days ago; service may be disconnected on or after ${cut} (${rules.notice_mail_days} days for mail, then ${rules.notice_lead_days}).`,
      };
    }
    if (!s && today >= plusDays(f.oldest_due, rules.reminder_after_days)) {
      return {
        step: "reminder",
        rule_id: "collections.reminder",
        says: `Reminder: ${amount} was due ${f.oldest_due}.`,
      };
    }
    return null;
  }
  if (f.past_due_cents < minCut) return null;
  const finalDays = finalNoticeDays(rules);
  if (s.step === "notice" && s.disconnect_from && today >= plusDays(s.disconnect_from, -finalDays)) {
    return {
      step: "final_notice",
      rule_id: "collections.final_notice",
      says: `Final notice: ${amount} past due since ${f.oldest_due}; disconnection on or after ${plusDays(today, finalDays)} (${rules.final_notice_hours} hours) unless paid or arranged.`,
    };
  }
  if (
    s.step === "final_notice" &&
    today >= plusDays(s.step_on, finalDays) &&
    (!s.disconnect_from || today >= s.disconnect_from)
  ) {
    return {
      step: "disconnect_ordered",
      rule_id: "collections.disconnect",
      says: `Disconnect for non-payment ordered: ${amount} past due since ${f.oldest_due}; the past-due notice went out ${s.notice_on ?? "earlier"} and the final notice ${s.step_on}.`,
    };
  }
  return null;
}

/** What the daily run does for the account today. */
export function decide(f: CollectionFacts, rules: CollectionRules, today: string): Action {
  const s = f.state;
  if (s?.step === "disconnected") {
    return f.restored
      ? { kind: "cure", rule_id: "collections.restored", says: "Service restored: collection closed." }
      : { kind: "none" };
  }
  if (s?.step === "disconnect_ordered" && s.order_status === "completed") {
    return {
      kind: "disconnected",
      rule_id: "collections.disconnected",
      says: `Service disconnected for non-payment of ${formatCents(f.past_due_cents)}.`,
    };
  }
  if (s) {
    // Cured: what was past due is paid (or under the minimum), or everything dunned so far has been paid and only
    // newer bills are late (they get their own notices).
    const dunnedFrom = s.step === "reminder" ? s.step_on : (s.notice_on ?? s.step_on);
    const min = BigInt(rules.min_notice_cents);
    if (f.oldest_due === null || f.past_due_cents < min || f.oldest_due > dunnedFrom) {
      return {
        kind: "cure",
        rule_id: "collections.cured",
        says:
          f.past_due_cents > 0n
            ? `Collection closed: what was past due is paid; ${formatCents(f.past_due_cents)} now past due starts over.`
            : "Collection closed: the past-due amount is paid.",
      };
    }
  }
  const next = dueStep(f, rules, today);
  if (!next) return { kind: "none" };
  const holds = [...pauses(f)];
  if (next.step === "final_notice" || next.step === "disconnect_ordered") holds.push(...protections(f, rules, today));
  if (holds.length === 0) return { kind: "step", ...next };
  return {
    kind: "blocked",
    would: next.step,
    holds,
    says: `The ${STEP_WORDS[next.step]} due today is held: ${holds.map((h) => h.says).join("; ")}.`,
  };
}

/** The next step the account is headed for and the first day it may come, were nothing to change. */
export function nextStep(f: CollectionFacts, rules: CollectionRules, today: string): { step: Step; on: string } | null {
  const s = f.state;
  if (f.oldest_due === null || f.past_due_cents < BigInt(rules.min_notice_cents)) return null;
  const later = (d: string) => (d < today ? today : d);
  if (!s) {
    const reminder = plusDays(f.oldest_due, rules.reminder_after_days);
    const notice = plusDays(f.oldest_due, rules.notice_after_days);
    return today >= notice ? { step: "notice", on: today } : { step: "reminder", on: later(reminder) };
  }
  const finalDays = finalNoticeDays(rules);
  switch (s.step) {
    case "reminder":
      return { step: "notice", on: later(plusDays(f.oldest_due, rules.notice_after_days)) };
    case "notice":
      return s.disconnect_from ? { step: "final_notice", on: later(plusDays(s.disconnect_from, -finalDays)) } : null;
    case "final_notice": {
      const after = plusDays(s.step_on, finalDays);
      const cut = s.disconnect_from && s.disconnect_from > after ? s.disconnect_from : after;
      return { step: "disconnect_ordered", on: later(cut) };
    }
    default:
      return null;
  }
}
