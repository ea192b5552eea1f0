/**
 * At close: a deposit still billed on an account that has closed is applied to what the account owes (its final
 * bill first, oldest due first): what was paid on it is credited (Dr deposits held), with the interest policy pays
 * for the days held, and its unpaid installments are reversed (a closed account is not asked for a deposit). What the
 * credits leave over waits on the account as a credit balance, to be refunded. Part of the daily deposit run.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { type BulkCreditInput, postCreditsBulk, reverseEntry } from "../ledger/index.js";
import { policyInForce } from "../policy/rules.js";
import { depositInterest } from "./refunds.js";

export interface DepositApplied {
  deposit_id: number;
  account_id: number;
  applied_cents: string;
  interest_cents: string;
  reversed_cents: string;
  explanation: string;
}

type Closing = {
  id: bigint;
  account_id: bigint;
  closed_on: string;
  paid: bigint;
  paid_on: string | null;
  unpaid_entries: bigint[] | null;
  unpaid: bigint;
};

export async function applyClosedAccountDeposits(ctx: Ctx, asOf: string): Promise<DepositApplied[]> {
  return inTx(ctx, async (tx) => {
    await preparedRows(tx, sql`SELECT pg_advisory_xact_lock(7460002)`);
    const policy = await policyInForce(tx, asOf);
    const rows = await preparedRows<Closing>(
      tx,
      sql`SELECT d.id, d.account_id, a.closed_on::text AS closed_on,
                 coalesce(sum(ri.original_cents - ri.open_cents), 0)::int8 AS paid,
                 max(m.paid_on)::text AS paid_on,
                 array_agg(ri.entry_id) FILTER (WHERE ri.open_cents > 0) AS unpaid_entries,
                 coalesce(sum(ri.open_cents), 0)::int8 AS unpaid
          FROM deposits AS d
          JOIN accounts AS a ON a.id = d.account_id AND a.status = 'closed' AND a.closed_on <= ${asOf}::date
          LEFT JOIN receivable_items AS ri ON ri.account_id = d.account_id AND ri.category = 'deposit'
            AND ri.reversal_entry_id IS NULL AND ri.reference LIKE 'deposit:' || d.id || ':%'
          LEFT JOIN LATERAL (
            SELECT max(rm.accounting_date) AS paid_on FROM receivable_matches AS rm
            WHERE rm.item_id = ri.id AND rm.undone_by_entry_id IS NULL) AS m ON true
          WHERE d.status = 'billed'
          GROUP BY d.id, d.account_id, a.closed_on
          ORDER BY d.id`,
    );
    if (rows.length === 0) return [];
    const [interestGl] = await preparedRows<{ code: string }>(
      tx,
      sql`SELECT code FROM gl_accounts WHERE purpose = 'deposit_interest' AND active ORDER BY code LIMIT 1`,
    );
    const day = Temporal.PlainDate.from(asOf);
    const applied: DepositApplied[] = [];
    const credits: BulkCreditInput[] = [];
    for (const r of rows) {
      const id = Number(r.id);
      for (const entry of r.unpaid_entries ?? []) {
        await reverseEntry(tx, Number(entry), `deposit ${id}: the account closed before it was paid`);
      }
      const paid = BigInt(r.paid);
      const days = r.paid_on ? Temporal.PlainDate.from(r.paid_on).until(day).days : 0;
      const interest = paid > 0n ? depositInterest(paid, policy.rules.deposit.interest_percent, days) : 0n;
      if (paid > 0n) {
        credits.push({
          account_id: Number(r.account_id),
          kind: "deposit_application",
          amount_cents: paid,
          reference: `deposit:${id}:applied`,
          description: `Deposit ${id} applied at close`,
        });
      }
      if (interest > 0n && interestGl) {
        credits.push({
          account_id: Number(r.account_id),
          kind: "credit_adjustment",
          amount_cents: interest,
          gl_debit_account: interestGl.code,
          reference: `deposit:${id}:interest`,
          description: `Interest on deposit ${id}`,
        });
      }
      applied.push({
        deposit_id: id,
        account_id: Number(r.account_id),
        applied_cents: paid.toString(),
        interest_cents: interest.toString(),
        reversed_cents: BigInt(r.unpaid).toString(),
        explanation:
          `Deposit ${id} applied to the account at its close (${r.closed_on}): ${formatCents(paid)} paid on it` +
          (interest > 0n ? ` and ${formatCents(interest)} interest` : "") +
          " credited to what the account owes" +
          (BigInt(r.unpaid) > 0n ? `; the ${formatCents(BigInt(r.unpaid))} not yet paid on it was cancelled` : "") +
          ".",
      });
    }
    if (credits.length) await postCreditsBulk(tx, credits);
    const col = <K extends keyof DepositApplied>(k: K) => sql.param(applied.map((a) => a[k]));
    await preparedRows(
      tx,
      sql`UPDATE deposits AS d SET status = 'applied', returned_cents = r.applied, interest_cents = r.interest,
            closed_on = ${asOf}::date, closed_note = r.note, version = d.version + 1
          FROM unnest(${col("deposit_id")}::int8[], ${col("applied_cents")}::int8[], ${col("interest_cents")}::int8[],
                      ${col("explanation")}::text[]) AS r(id, applied, interest, note)
          WHERE d.id = r.id`,
    );
    await preparedRows(
      tx,
      sql`INSERT INTO policy_decisions (account_id, rule_id, decision, facts, explanation, subject, decided_on, decided_by)
          SELECT r.account_id, 'deposit.applied.account_closed', 'applied',
                 jsonb_build_object('applied_cents', r.applied, 'interest_cents', r.interest,
                                    'reversed_cents', r.reversed, 'profile', ${policy.profile}::text),
                 r.note, 'deposit:' || r.id, ${asOf}::date, ${tx.actor.username}
          FROM unnest(${col("deposit_id")}::int8[], ${col("account_id")}::int8[], ${col("applied_cents")}::text[],
                      ${col("interest_cents")}::text[], ${col("reversed_cents")}::text[], ${col("explanation")}::text[])
               AS r(id, account_id, applied, interest, reversed, note)`,
    );
    await audit(
      tx,
      ...applied.map((a) => ({
        action: "credit.deposit_apply",
        entityType: "deposit",
        entityId: a.deposit_id,
        accountId: a.account_id,
        after: a,
      })),
    );
    return applied;
  });
}
