import { sql } from "drizzle-orm";
import { centsToDecimal } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { csvLine } from "../../platform/csv.js";
import { badRequest } from "../../platform/errors.js";

/** One line of the daily GL summary: what a business date posted to one GL account. */
export interface GlSummaryLine {
  business_date: string;
  gl_account: string;
  gl_name: string;
  gl_type: string;
  debit_cents: bigint;
  credit_cents: bigint;
  /** Debits less credits. */
  net_cents: bigint;
  postings: number;
}

export interface GlSummary {
  from: string;
  to: string;
  lines: GlSummaryLine[];
}

/** The longest range one export covers: a year, so a mistyped date cannot start a scan of the whole journal. */
const MAX_DAYS = 366;

/** Refuses a range that is backwards or longer than a year, naming the field. */
export function checkRange(from: string, to: string): void {
  if (to < from)
    throw badRequest(`the range ends (${to}) before it starts (${from})`, [{ field: "to", message: "before from" }]);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_DAYS) {
    throw badRequest(`the range covers ${days} days`, [
      { field: "to", message: `at most ${MAX_DAYS} days after from` },
    ]);
  }
}

/**
 * The daily GL summary for the utility's ERP: per business date and GL account, the debits, credits and net posted
 * by every journal entry of that date. Each date's nets sum to zero, as every entry balances.
 */
export async function glSummary(ctx: Ctx, from: string, to: string): Promise<GlSummary> {
  checkRange(from, to);
  const rows = await ctx.database.rows<{
    business_date: string;
    gl_account: string;
    gl_name: string;
    gl_type: string;
    debit_cents: bigint;
    credit_cents: bigint;
    postings: bigint;
  }>(
    ctx.db,
    sql`SELECT e.accounting_date AS business_date, p.gl_account, g.name AS gl_name, g.type AS gl_type,
               coalesce(sum(p.amount_cents) FILTER (WHERE p.amount_cents > 0), 0)::int8 AS debit_cents,
               coalesce(-sum(p.amount_cents) FILTER (WHERE p.amount_cents < 0), 0)::int8 AS credit_cents,
               count(*)::int8 AS postings
        FROM journal_entries AS e
        JOIN journal_postings AS p ON p.entry_id = e.id
        JOIN gl_accounts AS g ON g.code = p.gl_account
        WHERE e.accounting_date BETWEEN ${from}::date AND ${to}::date
        GROUP BY e.accounting_date, p.gl_account, g.name, g.type
        ORDER BY e.accounting_date, p.gl_account`,
  );
  return {
    from,
    to,
    lines: rows.map((r) => ({
      business_date: r.business_date,
      gl_account: r.gl_account,
      gl_name: r.gl_name,
      gl_type: r.gl_type,
      debit_cents: r.debit_cents,
      credit_cents: r.credit_cents,
      net_cents: r.debit_cents - r.credit_cents,
      postings: Number(r.postings),
    })),
  };
}

export const GL_SUMMARY_HEADER = [
  "business_date",
  "gl_account",
  "gl_name",
  "gl_type",
  "debit",
  "credit",
  "net",
  "debit_cents",
  "credit_cents",
  "net_cents",
  "postings",
];

/** The summary as CSV: a header, then one record per date and GL account (amounts in dollars and in cents). */
export function glSummaryCsv(summary: GlSummary): string {
  return (
    csvLine(GL_SUMMARY_HEADER) +
    summary.lines
      .map((l) =>
        csvLine([
          l.business_date,
          l.gl_account,
          l.gl_name,
          l.gl_type,
          centsToDecimal(l.debit_cents),
          centsToDecimal(l.credit_cents),
          centsToDecimal(l.net_cents),
          l.debit_cents,
          l.credit_cents,
          l.net_cents,
          l.postings,
        ]),
      )
      .join("")
  );
}
