/**
 * Level pay without I/O: the level amount, and what each bill does to a plan (the customer asked for the level
 * amount, the difference deferred), its reviews and its yearly true-up, each with the sentence a CSR reads out.
 * The daily run (daily.ts) feeds it bills and posts what it says through the ledger.
 */
import { Decimal } from "decimal.js";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { plural } from "../../core/words.js";

/** policy.rules.<profile>.collections.level_pay */
export interface LevelPayRules {
  average_months: number;
  review_every_months: number;
  review_change_percent: string;
  true_up_after_months: number;
}

/**
 * A bill dated up to this many days before a review or true-up date counts as on it: a cycle's bill dates move by a
 * few days around weekends and holidays, and a year of monthly bills should true up on the twelfth, not the
 * thirteenth. The view level_pay_bill_terms (migration 0018) uses the same number.
 */
export const DATE_SLACK_DAYS = 7;

export const addMonths = (day: string, n: number) => Temporal.PlainDate.from(day).add({ months: n }).toString();

/** Whole months from one day to another, to the nearest month, at least one. */
export function monthsUntil(from: string, to: string): number {
  const span = Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), {
    largestUnit: "months",
    smallestUnit: "months",
    roundingMode: "halfExpand",
  });
  return Math.max(1, span.months);
}

/** a / b rounded up, for b > 0 (bigint division truncates toward zero). */
const ceilDiv = (a: bigint, b: bigint) => (a > 0n ? (a + b - 1n) / b : a / b);
const atLeastZero = (c: bigint) => (c < 0n ? 0n : c);

/** The average of `count` bills totalling `total`, rounded up to the whole dollar, never below zero. */
export function averageUp(total: bigint, count: number): bigint {
  if (count < 1) throw new Error("an average of no bills");
  return atLeastZero(ceilDiv(total, BigInt(count) * 100n) * 100n);
}

/**
 * A reviewed level amount: the average of the window's bills plus the deferred balance spread over the months left
 * to the true-up, rounded up to the whole dollar, never below zero. Exact: one division of integers.
 */
export function reviewedLevel(total: bigint, count: number, deferred: bigint, monthsLeft: number): bigint {
  if (count < 1 || monthsLeft < 1) throw new Error("a review needs bills and months");
  const n = BigInt(count);
  const m = BigInt(monthsLeft);
  return atLeastZero(ceilDiv(total * m + deferred * n, n * m * 100n) * 100n);
}

/** Cents divided, to the nearest cent (for sentences, not for posting). */
const perCent = (cents: bigint, by: number) =>
  BigInt(new Decimal(cents.toString()).div(by).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));

/** A deferred balance in words: what the customer owes on it, or has to their credit. */
export function deferredWords(cents: bigint): string {
  if (cents > 0n) return `${formatCents(cents)} owed`;
  if (cents < 0n) return `${formatCents(-cents)} in the customer's favour`;
  return "$0.00";
}

/** Whether the change from `from` to `to` reaches the policy's percent (any change from zero does). */
export function changeReaches(from: bigint, to: bigint, percent: string): boolean {
  if (from === 0n) return to !== 0n;
  const diff = to > from ? to - from : from - to;
  return new Decimal(diff.toString()).times(100).gte(new Decimal(percent).times(from.toString()));
}

const percentOf = (from: bigint, to: bigint) =>
  from === 0n
    ? "100"
    : new Decimal((to - from).toString())
        .abs()
        .times(100)
        .div(from.toString())
        .toDecimalPlaces(1, Decimal.ROUND_HALF_UP)
        .toString();

/** The plan's state between bills. */
export interface PlanState {
  level_cents: bigint;
  /** What the bills came to, less the level amounts asked for them, since the last true-up. */
  deferred_cents: bigint;
  last_review_on: string;
  true_up_on: string;
}

export interface BillIn {
  bill_id: number;
  bill_date: string;
  total_cents: bigint;
}

/** The account's bills of the `average_months` up to and including a bill (what a review averages). */
export interface BillWindow {
  total_cents: bigint;
  count: number;
}

/** One thing a bill did to the plan, as the plan's event records it. */
export interface PlanEvent {
  kind: "billed" | "reviewed" | "trued_up";
  bill_id: number;
  on_date: string;
  /** billed: the bill's charges. */
  actual_cents: bigint | null;
  /** The level amount in force after the event. */
  level_cents: bigint;
  deferred_after_cents: bigint;
  /** billed: the bill less the level amount (more than zero: deferred, credited on the bill; less: charged). */
  moved_cents: bigint;
  /** trued_up: the deferred balance settled (more than zero: charged to the customer; less: credited). */
  settled_cents: bigint | null;
  rule_id: string;
  facts: Record<string, string | number | boolean>;
  explanation: string;
}

export const nextReviewOn = (s: Pick<PlanState, "last_review_on">, rules: LevelPayRules) =>
  addMonths(s.last_review_on, rules.review_every_months);

const slack = (day: string) => Temporal.PlainDate.from(day).add({ days: DATE_SLACK_DAYS }).toString();

/** What falls due with a bill of this date: the true-up, a review, or nothing. */
export function dueWith(state: PlanState, billDate: string, rules: LevelPayRules): "true_up" | "review" | null {
  if (slack(billDate) >= state.true_up_on) return "true_up";
  if (slack(billDate) >= nextReviewOn(state, rules)) return "review";
  return null;
}

function billed(state: PlanState, bill: BillIn): PlanEvent {
  const level = state.level_cents;
  const moved = bill.total_cents - level;
  const after = state.deferred_cents + moved;
  const what = `Bill ${bill.bill_id} of ${bill.bill_date} is ${formatCents(bill.total_cents)}; on level pay the customer pays ${formatCents(level)}`;
  const explanation =
    moved > 0n
      ? `${what}, and ${formatCents(moved)} is deferred: the deferred balance is now ${deferredWords(after)}.`
      : moved < 0n
        ? `${what}, ${formatCents(-moved)} more than the bill, which comes off the deferred balance: it is now ${deferredWords(after)}.`
        : `${what}, exactly the bill: the deferred balance stays ${deferredWords(after)}.`;
  return {
    kind: "billed",
    bill_id: bill.bill_id,
    on_date: bill.bill_date,
    actual_cents: bill.total_cents,
    level_cents: level,
    deferred_after_cents: after,
    moved_cents: moved,
    settled_cents: null,
    rule_id: "level_pay.billed",
    facts: {
      bill_id: bill.bill_id,
      actual_cents: bill.total_cents.toString(),
      level_cents: level.toString(),
      deferred_after_cents: after.toString(),
    },
    explanation,
  };
}

/**
 * What one bill does to a plan: the customer is asked for the level amount and the difference goes to the deferred
 * balance; then, when its date has come, the true-up (the deferred balance settled, a new year at the average of the
 * window) or else a review (the average plus the deferred balance spread over the months left, taken when it moves
 * the amount by the policy's percent). `windowOf` gives the bills a review or true-up averages.
 */
export function applyBill(
  state: PlanState,
  bill: BillIn,
  rules: LevelPayRules,
  windowOf: (bill: BillIn) => BillWindow,
): { state: PlanState; events: PlanEvent[] } {
  const first = billed(state, bill);
  const events: PlanEvent[] = [first];
  let next: PlanState = { ...state, deferred_cents: first.deferred_after_cents };
  const due = dueWith(next, bill.bill_date, rules);
  if (due === null) return { state: next, events };
  const w = windowOf(bill);
  if (w.count < 1) return { state: next, events };
  const months = rules.average_months;
  if (due === "true_up") {
    const settled = next.deferred_cents;
    const level = averageUp(w.total_cents, w.count);
    const trueUpOn = addMonths(bill.bill_date, rules.true_up_after_months);
    const settledWords =
      settled > 0n
        ? `the deferred balance of ${formatCents(settled)} is billed with this bill`
        : settled < 0n
          ? `the ${formatCents(-settled)} paid over the bills is credited to the account`
          : "nothing is deferred, so nothing is settled";
    events.push({
      kind: "trued_up",
      bill_id: bill.bill_id,
      on_date: bill.bill_date,
      actual_cents: null,
      level_cents: level,
      deferred_after_cents: 0n,
      moved_cents: 0n,
      settled_cents: settled,
      rule_id: "level_pay.true_up",
      facts: {
        bill_id: bill.bill_id,
        settled_cents: settled.toString(),
        window_bills: w.count,
        window_total_cents: w.total_cents.toString(),
        average_months: months,
        level_cents: level.toString(),
        next_true_up_on: trueUpOn,
      },
      explanation:
        `True-up with bill ${bill.bill_id} of ${bill.bill_date}, ${plural(rules.true_up_after_months, "month")} into ` +
        `the plan year (policy): ${settledWords}. A new plan year starts at ${formatCents(level)} a month, the ` +
        `average of the last ${plural(w.count, "bill")} (${formatCents(w.total_cents)}) rounded up to the dollar; ` +
        `the next true-up is on ${trueUpOn}.`,
    });
    next = { level_cents: level, deferred_cents: 0n, last_review_on: bill.bill_date, true_up_on: trueUpOn };
    return { state: next, events };
  }
  const left = monthsUntil(bill.bill_date, next.true_up_on);
  const proposed = reviewedLevel(w.total_cents, w.count, next.deferred_cents, left);
  const current = next.level_cents;
  const changed = proposed !== current && changeReaches(current, proposed, rules.review_change_percent);
  const average = perCent(w.total_cents, w.count);
  const spread = perCent(next.deferred_cents, left);
  const spreadWords =
    next.deferred_cents === 0n
      ? ""
      : `, and the deferred balance of ${deferredWords(next.deferred_cents)} spread over the ${plural(left, "month")} ` +
        `to the true-up on ${next.true_up_on} ${spread >= 0n ? "adds" : "takes off"} ${formatCents(spread >= 0n ? spread : -spread)} a month`;
  const against =
    proposed === current
      ? `the level amount it is`
      : `${percentOf(current, proposed)}% ${proposed > current ? "above" : "below"} the level amount of ${formatCents(current)}`;
  const verdict = changed
    ? `Policy changes it at ${rules.review_change_percent}% or more: the level amount is now ${formatCents(proposed)}.`
    : proposed === current
      ? `The level amount stays ${formatCents(current)}.`
      : `Policy changes it only at ${rules.review_change_percent}% or more: it stays ${formatCents(current)}.`;
  events.push({
    kind: "reviewed",
    bill_id: bill.bill_id,
    on_date: bill.bill_date,
    actual_cents: null,
    level_cents: changed ? proposed : current,
    deferred_after_cents: next.deferred_cents,
    moved_cents: 0n,
    settled_cents: null,
    rule_id: changed ? "level_pay.review.changed" : "level_pay.review.kept",
    facts: {
      bill_id: bill.bill_id,
      window_bills: w.count,
      window_total_cents: w.total_cents.toString(),
      average_months: months,
      deferred_cents: next.deferred_cents.toString(),
      months_to_true_up: left,
      proposed_cents: proposed.toString(),
      previous_cents: current.toString(),
      change_percent: rules.review_change_percent,
    },
    explanation:
      `Review with bill ${bill.bill_id} of ${bill.bill_date}: the last ${plural(w.count, "bill")} average ` +
      `${formatCents(average)}${spreadWords}: ${formatCents(proposed)} rounded up to the dollar, ${against}. ${verdict}`,
  });
  next = { ...next, level_cents: changed ? proposed : current, last_review_on: bill.bill_date };
  return { state: next, events };
}
