/**
 * Whether an account may join level pay today, and at what amount: the facts (one statement) and the decision (pure),
 * with the rule that decided and the sentence the CSR reads out.
 */

import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { formatCents } from "../../core/money.js";
import { plural } from "../../core/words.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import type { PolicyDecision } from "../policy/index.js";
import { addMonths, averageUp, deferredWords, type LevelPayRules } from "./plan.js";

export interface EnrolmentFacts {
  account_id: number;
  as_of: string;
  account_status: string;
  past_due_cents: bigint;
  /** The account's issued bills dated within the policy's months up to today. */
  bills: number;
  total_cents: bigint;
  first_bill_on: string | null;
  last_bill_on: string | null;
  /** The account's latest bill of any status: bills after it are the plan's. */
  last_bill_id: number;
  plan: null | {
    id: number;
    level_cents: bigint;
    deferred_cents: bigint;
    enrolled_on: string;
    version: number;
  };
}

/** The decision, with the level amount when the account may join. */
export interface EnrolmentDecision extends PolicyDecision {
  eligible: boolean;
  level_cents: bigint | null;
}

type FactsRow = {
  status: string;
  past_due: bigint;
  n: number;
  total: bigint;
  first_on: string | null;
  last_on: string | null;
  last_bill_id: bigint;
  plan_id: bigint | null;
  level_cents: bigint | null;
  deferred_cents: bigint | null;
  enrolled_on: string | null;
  version: number | null;
};

/** The facts of the decision, as of a day; null when there is no such account. */
export async function enrolmentFacts(
  ctx: Ctx,
  accountId: number,
  asOf: string,
  rules: LevelPayRules,
): Promise<EnrolmentFacts | null> {
  const from = addMonths(asOf, -rules.average_months);
  const [row] = await preparedRows<FactsRow>(
    ctx,
    sql`SELECT a.status,
               (SELECT coalesce(sum(i.open_cents), 0)::int8 FROM receivable_items AS i
                WHERE i.account_id = a.id AND i.open_cents > 0 AND i.due_date < ${asOf}::date) AS past_due,
               w.n, w.total, w.first_on, w.last_on,
               (SELECT coalesce(max(b.id), 0)::int8 FROM bills AS b WHERE b.account_id = a.id) AS last_bill_id,
               p.id AS plan_id, p.level_cents, p.deferred_cents, p.enrolled_on::text AS enrolled_on, p.version
        FROM accounts AS a
        LEFT JOIN LATERAL (
          SELECT count(*)::int4 AS n, coalesce(sum(b.total_cents), 0)::int8 AS total,
                 min(b.bill_date)::text AS first_on, max(b.bill_date)::text AS last_on
          FROM bills AS b
          WHERE b.account_id = a.id AND b.status = 'issued' AND b.bill_date > ${from}::date
            AND b.bill_date <= ${asOf}::date) AS w ON true
        LEFT JOIN level_pay_plans AS p ON p.account_id = a.id AND p.status = 'enrolled'
        WHERE a.id = ${accountId}::int8`,
  );
  if (!row) return null;
  return {
    account_id: accountId,
    as_of: asOf,
    account_status: row.status,
    past_due_cents: row.past_due,
    bills: Number(row.n),
    total_cents: row.total,
    first_bill_on: row.first_on,
    last_bill_on: row.last_on,
    last_bill_id: Number(row.last_bill_id),
    plan:
      row.plan_id === null
        ? null
        : {
            id: Number(row.plan_id),
            level_cents: row.level_cents!,
            deferred_cents: row.deferred_cents!,
            enrolled_on: row.enrolled_on!,
            version: Number(row.version),
          },
  };
}

/** May the account join level pay, and at what amount? The first rule that refuses decides; else the amount. */
export function decideEnrolment(f: EnrolmentFacts, rules: LevelPayRules): EnrolmentDecision {
  const months = plural(rules.average_months, "month");
  const facts: Record<string, unknown> = {
    average_months: rules.average_months,
    bills: f.bills,
    total_cents: f.total_cents.toString(),
    past_due_cents: f.past_due_cents.toString(),
  };
  const refuse = (rule_id: string, explanation: string, extra: Record<string, unknown> = {}): EnrolmentDecision => ({
    rule_id,
    decision: "refused",
    facts: { ...facts, ...extra },
    explanation,
    eligible: false,
    level_cents: null,
    amount_cents: null,
  });
  if (f.plan) {
    return {
      ...refuse(
        "level_pay.already_enrolled",
        `Enrolled in level pay since ${f.plan.enrolled_on}: ${formatCents(f.plan.level_cents)} a month, deferred ` +
          `balance ${deferredWords(f.plan.deferred_cents)}.`,
        { plan_id: f.plan.id, level_cents: f.plan.level_cents.toString() },
      ),
      decision: "enrolled",
      amount_cents: f.plan.level_cents.toString(),
    };
  }
  if (f.account_status === "closed") {
    return refuse("level_pay.account_closed", "The account is closed: level pay is for accounts in service.");
  }
  if (f.past_due_cents > 0n) {
    return refuse(
      "level_pay.past_due",
      `${formatCents(f.past_due_cents)} is past due: level pay starts once the account is current (policy).`,
    );
  }
  if (f.bills === 0) {
    return refuse(
      "level_pay.no_bills",
      `No bill in the last ${months}: the level amount is an average of bills, so it needs at least one.`,
    );
  }
  const bills = f.bills === 1 ? "the one bill" : `the ${f.bills} bills`;
  if (f.total_cents <= 0n) {
    return refuse(
      "level_pay.nothing_to_level",
      `${bills.charAt(0).toUpperCase()}${bills.slice(1)} of the last ${months} come to ${formatCents(f.total_cents)}: ` +
        "there is nothing to spread evenly.",
    );
  }
  const level = averageUp(f.total_cents, f.bills);
  const average = BigInt(
    new Decimal(f.total_cents.toString()).div(f.bills).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0),
  );
  const younger =
    f.bills < rules.average_months
      ? ` The account has fewer than ${months} of bills, so the average is of the ${plural(f.bills, "bill")} it has.`
      : "";
  return {
    rule_id: "level_pay.eligible",
    decision: "eligible",
    facts: {
      ...facts,
      average_cents: average.toString(),
      level_cents: level.toString(),
      first_bill_on: f.first_bill_on,
      last_bill_on: f.last_bill_on,
    },
    explanation:
      `Level pay of ${formatCents(level)} a month: the average of ${bills} of the last ${months} ` +
      `(${formatCents(f.total_cents)} in all, ${formatCents(average)} a bill), rounded up to the dollar.${younger}`,
    eligible: true,
    level_cents: level,
    amount_cents: level.toString(),
  };
}
