/**
 * The daily deposit refund: every billed deposit paid in full whose account has gone the policy's run of months
 * without a late payment (counted from when the deposit was paid, or from the due date of the last bill paid late,
 * whichever is later: a late payment restarts the run) is credited back to the account, with simple interest for
 * the days it was held where policy pays interest. Set-based: one query finds them, one bulk posting credits them.
 */
import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { type BulkCreditInput, postCreditsBulk } from "../ledger/index.js";
import { policyInForce } from "../policy/rules.js";
import { billsByDueDate } from "./score.js";

export interface DepositRefunded {
  deposit_id: number;
  account_id: number;
  returned_cents: string;
  interest_cents: string;
  held_from: string;
  run_from: string;
  explanation: string;
}

type Due = {
  id: bigint;
  account_id: bigint;
  held: bigint;
  paid_on: string;
  last_late: string | null;
  run_from: string;
};

/** Simple interest on cents held for days at a yearly percent, rounded half up to the cent. */
export function depositInterest(held: bigint, percent: string, days: number): bigint {
  if (days <= 0 || new Decimal(percent).isZero()) return 0n;
  const cents = new Decimal(held.toString()).times(percent).times(days).div(36_500);
  return BigInt(cents.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));
}

/** Refunds the deposits due on a date (today by default); returns what it refunded. Safe to run twice a day. */
export async function refundDueDeposits(
  ctx: Ctx,
  opts: { date?: string } = {},
): Promise<{ as_of: string; refunded: DepositRefunded[] }> {
  const today = ctx.clock.today().toString();
  const asOf = opts.date ?? today;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || asOf > today) {
    throw badRequest("date: a date YYYY-MM-DD, not after today", [{ field: "date", message: `not after ${today}` }]);
  }
  return inTx(ctx, async (tx) => {
    // One refund run at a time (two at once would both find the same deposits).
    await preparedRows(tx, sql`SELECT pg_advisory_xact_lock(7460002)`);
    const policy = await policyInForce(tx, asOf);
    const months = policy.rules.deposit.refund_after_on_time_months;
    const due = await preparedRows<Due>(
      tx,
      sql`WITH held AS (
            SELECT d.id, d.account_id, sum(ri.original_cents) AS billed, sum(ri.open_cents) AS open,
                   max(m.paid_on) AS paid_on
            FROM deposits AS d
            JOIN receivable_items AS ri ON ri.account_id = d.account_id AND ri.category = 'deposit'
              AND ri.reversal_entry_id IS NULL AND ri.reference LIKE 'deposit:' || d.id || ':%'
            LEFT JOIN LATERAL (
              SELECT max(rm.accounting_date) AS paid_on FROM receivable_matches AS rm
              WHERE rm.item_id = ri.id AND rm.undone_by_entry_id IS NULL) AS m ON true
            WHERE d.status = 'billed'
            GROUP BY d.id, d.account_id),
          bills AS (${billsByDueDate(sql`(SELECT DISTINCT account_id AS id FROM held)`, null, asOf)}),
          late AS (SELECT account_id, max(due_date) AS last_late FROM bills WHERE charged > paid GROUP BY account_id)
          SELECT held.id, held.account_id, held.billed AS held, held.paid_on::text AS paid_on,
                 late.last_late::text AS last_late, greatest(held.paid_on, late.last_late)::text AS run_from
          FROM held LEFT JOIN late ON late.account_id = held.account_id
          WHERE held.open = 0 AND held.billed > 0 AND held.paid_on IS NOT NULL
            AND greatest(held.paid_on, late.last_late) + make_interval(months => ${months}::int4) <= ${asOf}::date
          ORDER BY held.id`,
    );
    if (due.length === 0) return { as_of: asOf, refunded: [] };
    const [interestGl] = await preparedRows<{ code: string }>(
      tx,
      sql`SELECT code FROM gl_accounts WHERE purpose = 'deposit_interest' AND active ORDER BY code LIMIT 1`,
    );
    const day = Temporal.PlainDate.from(asOf);
    const refunded: DepositRefunded[] = due.map((d) => {
      const held = BigInt(d.held);
      const days = Temporal.PlainDate.from(d.paid_on).until(day).days;
      const interest = depositInterest(held, policy.rules.deposit.interest_percent, days);
      const restarted = d.last_late !== null && d.last_late >= d.paid_on;
      return {
        deposit_id: Number(d.id),
        account_id: Number(d.account_id),
        returned_cents: held.toString(),
        interest_cents: interest.toString(),
        held_from: d.paid_on,
        run_from: d.run_from,
        explanation:
          `Deposit ${d.id} (${formatCents(held)}) refunded to the account` +
          (interest > 0n
            ? ` with ${formatCents(interest)} interest (${policy.rules.deposit.interest_percent}% a year for ${days} days)`
            : "") +
          `: ${months} months without a late payment since ${d.run_from}` +
          (restarted
            ? ` (the run restarted after the bill due ${d.last_late} was paid late)`
            : ", when it was paid in full") +
          ".",
      };
    });
    const credits: BulkCreditInput[] = [];
    for (const r of refunded) {
      credits.push({
        account_id: r.account_id,
        kind: "deposit_application",
        amount_cents: BigInt(r.returned_cents),
        reference: `deposit:${r.deposit_id}:refund`,
        description: `Deposit ${r.deposit_id} refunded`,
      });
      if (BigInt(r.interest_cents) > 0n) {
        if (!interestGl) throw new Error("the chart of GL accounts has no account for deposit interest");
        credits.push({
          account_id: r.account_id,
          kind: "credit_adjustment",
          amount_cents: BigInt(r.interest_cents),
          gl_debit_account: interestGl.code,
          reference: `deposit:${r.deposit_id}:interest`,
          description: `Interest on deposit ${r.deposit_id}`,
        });
      }
    }
    await postCreditsBulk(tx, credits);
    const col = <K extends keyof DepositRefunded>(k: K) => sql.param(refunded.map((r) => r[k]));
    await preparedRows(
      tx,
      sql`UPDATE deposits AS d SET status = 'refunded', returned_cents = r.returned, interest_cents = r.interest,
            closed_on = ${asOf}::date, closed_note = r.note, version = d.version + 1
          FROM unnest(${col("deposit_id")}::int8[], ${col("returned_cents")}::int8[], ${col("interest_cents")}::int8[],
                      ${col("explanation")}::text[]) AS r(id, returned, interest, note)
          WHERE d.id = r.id`,
    );
    await preparedRows(
      tx,
      sql`INSERT INTO policy_decisions (account_id, rule_id, decision, facts, explanation, subject, decided_on, decided_by)
          SELECT r.account_id, 'deposit.refund.on_time_run', 'refunded',
                 jsonb_build_object('held_from', r.held_from, 'run_from', r.run_from, 'months', ${months}::int4,
                                    'returned_cents', r.returned, 'interest_cents', r.interest,
                                    'interest_percent', ${policy.rules.deposit.interest_percent}::text,
                                    'profile', ${policy.profile}::text),
                 r.note, 'deposit:' || r.id, ${asOf}::date, ${tx.actor.username}
          FROM unnest(${col("deposit_id")}::int8[], ${col("account_id")}::int8[], ${col("held_from")}::text[],
                      ${col("run_from")}::text[], ${col("returned_cents")}::text[], ${col("interest_cents")}::text[],
                      ${col("explanation")}::text[])
               AS r(id, account_id, held_from, run_from, returned, interest, note)`,
    );
    await audit(
      tx,
      ...refunded.map((r) => ({
        action: "credit.deposit_refund",
        entityType: "deposit",
        entityId: r.deposit_id,
        accountId: r.account_id,
        after: r,
      })),
    );
    return { as_of: asOf, refunded };
  });
}
