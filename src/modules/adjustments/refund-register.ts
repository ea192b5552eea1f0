import { sql } from "drizzle-orm";
import { centsToDecimal } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { csvLine } from "../../platform/csv.js";
import { checkRange } from "../ledger/index.js";
import { listRefundReasons } from "./refunds.js";

/** One posted refund as accounts payable pays it. */
export interface RegisterLine {
  refund_id: number;
  accounting_date: string;
  account_number: string;
  payee_name: string;
  payee_address: string | null;
  method: string;
  last4: string | null;
  amount_cents: bigint;
  reason: string;
  requested_by: string;
  approved_by: string | null;
}

/**
 * The refund register for accounts payable: every refund posted on an accounting date from..to (inclusive), oldest
 * first, with the payee and address kept when it posted. Refunds waiting for approval or rejected are not in it.
 */
export async function refundRegister(ctx: Ctx, from: string, to: string): Promise<RegisterLine[]> {
  checkRange(from, to);
  const reasons = await listRefundReasons(ctx);
  const rows = await ctx.database.rows<{
    id: bigint;
    accounting_date: string;
    account_number: string;
    payee_name: string;
    payee_address: string | null;
    method: string;
    last4: string | null;
    amount_cents: bigint;
    reason: string;
    requested_by: string;
    approved_by: string | null;
  }>(
    ctx.db,
    sql`SELECT r.id, r.accounting_date, a.account_number, r.payee_name, r.payee_address, r.method, r.last4,
               r.amount_cents, r.reason, r.requested_by, r.approved_by
        FROM refunds AS r JOIN accounts AS a ON a.id = r.account_id
        WHERE r.status = 'posted' AND r.accounting_date BETWEEN ${from}::date AND ${to}::date
        ORDER BY r.accounting_date, r.id`,
  );
  return rows.map((r) => ({
    refund_id: Number(r.id),
    accounting_date: r.accounting_date,
    account_number: r.account_number,
    payee_name: r.payee_name,
    payee_address: r.payee_address,
    method: r.method,
    last4: r.last4,
    amount_cents: r.amount_cents,
    reason: reasons.find((x) => x.code === r.reason)?.label ?? r.reason,
    requested_by: r.requested_by,
    approved_by: r.approved_by,
  }));
}

export const REFUND_REGISTER_HEADER = [
  "refund_id",
  "accounting_date",
  "account_number",
  "payee_name",
  "payee_address",
  "method",
  "last4",
  "amount",
  "amount_cents",
  "reason",
  "requested_by",
  "approved_by",
];

/** The register as CSV (RFC 4180): a header, then one record per refund, the amount in dollars and in cents. */
export function refundRegisterCsv(lines: RegisterLine[]): string {
  return (
    csvLine(REFUND_REGISTER_HEADER) +
    lines
      .map((l) =>
        csvLine([
          l.refund_id,
          l.accounting_date,
          l.account_number,
          l.payee_name,
          l.payee_address,
          l.method,
          l.last4,
          centsToDecimal(l.amount_cents),
          l.amount_cents,
          l.reason,
          l.requested_by,
          l.approved_by,
        ]),
      )
      .join("")
  );
}
