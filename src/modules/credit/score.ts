/**
 * The internal credit score: 100 less points for the customer's late payments, returned payments and
 * disconnections for non-payment in the last 12 and 24 months, over every account the customer holds (closed ones
 * too). Fewer months of billing history than the policy asks for is "no history": then a letter of credit from
 * another utility or an external check decides. The points and the poor-credit line are policy (policy.rules.*).
 */
import { type SQL, sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { plural } from "../../core/words.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import type { PolicyRules } from "../policy/rules.js";

export type CreditRating = "good" | "poor" | "no_history";

export interface CreditFacts {
  party_id: number;
  as_of: string;
  /** Months from the customer's first bill due date to the date (0 with none). */
  history_months: number;
  bills_24: number;
  late_payments_12: number;
  late_payments_24: number;
  returned_payments_12: number;
  returned_payments_24: number;
  disconnections_12: number;
  disconnections_24: number;
}

export interface CreditScore {
  score: number;
  rating: CreditRating;
  /** Each deduction in words, with its points. */
  reasons: string[];
  facts: CreditFacts;
}

/** The bill categories: a bill is paid late when its charges were not all cleared by the due date. */
const BILL_CATEGORIES = sql`('energy', 'delivery', 'tax')`;

/**
 * The accounts' bills due after `after` (when given) and before `before`, one row each (account_id, due_date, charged,
 * paid): a bill is the account's billed items with one due date; it was paid late when what was cleared on or before
 * its due date (by matches not undone since, e.g. by a returned payment) is less than what was charged (paid <
 * charged). `accounts` is a relation with the accounts' ids in a column `id`.
 */
export function billsByDueDate(accounts: SQL, after: string | null, before: string): SQL {
  return sql`SELECT i.account_id, i.due_date, sum(i.original_cents) AS charged, sum(coalesce(m.paid, 0)) AS paid
    FROM receivable_items AS i
    JOIN ${accounts} AS a ON a.id = i.account_id
    LEFT JOIN LATERAL (
      SELECT sum(rm.amount_cents) AS paid FROM receivable_matches AS rm
      WHERE rm.item_id = i.id AND rm.accounting_date <= i.due_date AND rm.undone_by_entry_id IS NULL) AS m ON true
    WHERE i.due_date IS NOT NULL AND i.reversal_entry_id IS NULL AND i.category IN ${BILL_CATEGORIES}
      AND i.due_date < ${before}::date ${after === null ? sql`` : sql`AND i.due_date > ${after}::date`}
    GROUP BY i.account_id, i.due_date`;
}

/** Counts of what the score is made from, for the customer (main party) as of a date: three queries. */
export async function creditFacts(ctx: Ctx, partyId: number, asOf: string): Promise<CreditFacts> {
  const day = Temporal.PlainDate.from(asOf);
  const from12 = day.subtract({ months: 12 }).toString();
  const from24 = day.subtract({ months: 24 }).toString();
  const [bills] = await preparedRows<{ first_due: string | null; bills: number; late12: number; late24: number }>(
    ctx,
    sql`WITH accts AS (SELECT id FROM accounts WHERE main_party_id = ${partyId}::int8),
        billed AS (${billsByDueDate(sql`accts`, from24, asOf)})
        SELECT (SELECT min(i.due_date)::text FROM receivable_items AS i JOIN accts ON accts.id = i.account_id
                WHERE i.due_date IS NOT NULL AND i.due_date < ${asOf}::date AND i.category IN ${BILL_CATEGORIES})
                 AS first_due,
               count(*)::int AS bills,
               (count(*) FILTER (WHERE charged > paid AND due_date > ${from12}::date))::int AS late12,
               (count(*) FILTER (WHERE charged > paid))::int AS late24
        FROM billed`,
  );
  const [returned] = await preparedRows<{ r12: number; r24: number }>(
    ctx,
    sql`SELECT (count(DISTINCT p.id) FILTER (WHERE p.reversed_on > ${from12}::date))::int AS r12,
               count(DISTINCT p.id)::int AS r24
        FROM payments AS p
        JOIN payment_lines AS pl ON pl.payment_id = p.id
        JOIN accounts AS a ON a.id = pl.account_id AND a.main_party_id = ${partyId}::int8
        WHERE p.returned AND p.reversed_on > ${from24}::date AND p.reversed_on <= ${asOf}::date`,
  );
  // Disconnections for non-payment: the disconnect orders worked in the field.
  const [cut] = await preparedRows<{ d12: number; d24: number }>(
    ctx,
    sql`SELECT (count(*) FILTER (WHERE so.completed_on > ${from12}::date))::int AS d12, count(*)::int AS d24
        FROM service_orders AS so JOIN accounts AS a ON a.id = so.account_id AND a.main_party_id = ${partyId}::int8
        WHERE so.kind = 'disconnect_nonpay' AND so.status = 'completed'
          AND so.completed_on > ${from24}::date AND so.completed_on <= ${asOf}::date`,
  );
  const first = bills?.first_due ? Temporal.PlainDate.from(bills.first_due) : null;
  return {
    party_id: partyId,
    as_of: asOf,
    history_months: first ? Math.max(0, Math.floor(first.until(day, { largestUnit: "months" }).months)) : 0,
    bills_24: Number(bills?.bills ?? 0),
    late_payments_12: Number(bills?.late12 ?? 0),
    late_payments_24: Number(bills?.late24 ?? 0),
    returned_payments_12: Number(returned?.r12 ?? 0),
    returned_payments_24: Number(returned?.r24 ?? 0),
    disconnections_12: Number(cut?.d12 ?? 0),
    disconnections_24: Number(cut?.d24 ?? 0),
  };
}

/** "1 late payment", "3 late payments". */

/** The score from the facts under the policy's points: pure, so it can be explained and tested alone. */
export function scoreCredit(facts: CreditFacts, rules: PolicyRules["credit"]): CreditScore {
  const reasons: string[] = [];
  let off = 0;
  const deduct = (n: number, each: number, what: string, when: string) => {
    if (n <= 0 || each <= 0) return;
    off += n * each;
    reasons.push(`${plural(n, what)} ${when} (-${n * each})`);
  };
  deduct(facts.late_payments_12, rules.late_payment_12, "late payment", "in the last 12 months");
  deduct(facts.late_payments_24 - facts.late_payments_12, rules.late_payment_24, "late payment", "12 to 24 months ago");
  deduct(facts.returned_payments_12, rules.returned_payment_12, "returned payment", "in the last 12 months");
  deduct(
    facts.returned_payments_24 - facts.returned_payments_12,
    rules.returned_payment_24,
    "returned payment",
    "12 to 24 months ago",
  );
  deduct(facts.disconnections_12, rules.disconnection_12, "disconnection for non-payment", "in the last 12 months");
  deduct(
    facts.disconnections_24 - facts.disconnections_12,
    rules.disconnection_24,
    "disconnection for non-payment",
    "12 to 24 months ago",
  );
  const score = Math.max(0, 100 - off);
  const rating: CreditRating =
    facts.history_months < rules.min_history_months && off === 0
      ? "no_history"
      : score < rules.poor_below
        ? "poor"
        : "good";
  if (reasons.length === 0)
    reasons.push(rating === "no_history" ? "no payment history yet" : "no late or returned payments");
  return { score, rating, reasons, facts };
}
