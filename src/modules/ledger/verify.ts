import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";

/** Something the ledger check found wrong. */
export type LedgerViolation =
  | { kind: "unbalanced_entry"; entry_id: number; postings: number; total_cents: bigint }
  | { kind: "unassigned_subledger_posting"; posting_id: number; entry_id: number }
  | {
      kind: "account_mismatch";
      account_id: number;
      receivable_postings_cents: bigint;
      open_items_cents: bigint;
      unapplied_postings_cents: bigint;
      unapplied_credits_cents: bigint;
      cached_balance_cents: bigint | null;
    }
  | {
      kind: "item_mismatch" | "credit_mismatch";
      id: number;
      account_id: number;
      open_cents: bigint;
      /** What the open amount should be by its postings (credits: the unapplied postings, sign turned). */
      posted_cents: bigint;
      /** What it should be by its clearings: the original less what is matched (zero once reversed). */
      by_matches_cents: bigint;
    };

export interface LedgerVerification {
  balanced: boolean;
  entries: number;
  violations: LedgerViolation[];
}

// Set-based checks: each is one aggregate over the tables (hash joins and group-bys), never a loop over rows, so
// the check runs over millions of entries in the time of a few scans.
const UNBALANCED = sql`
  SELECT e.id AS entry_id, coalesce(s.lines, 0)::int8 AS postings, coalesce(s.total, 0)::int8 AS total_cents
  FROM journal_entries e
  LEFT JOIN (SELECT entry_id, count(*) AS lines, sum(amount_cents) AS total FROM journal_postings GROUP BY entry_id) s
    ON s.entry_id = e.id
  WHERE s.entry_id IS NULL OR s.lines < 2 OR s.total <> 0
  ORDER BY e.id`;

const UNASSIGNED = sql`
  SELECT p.id AS posting_id, p.entry_id
  FROM journal_postings p JOIN gl_accounts g ON g.code = p.gl_account
  WHERE g.subledger IS NOT NULL AND (p.account_id IS NULL
     OR (g.subledger = 'receivable' AND p.item_id IS NULL) OR (g.subledger = 'unapplied' AND p.credit_id IS NULL))
  ORDER BY p.id`;

const ACCOUNTS = sql`
  WITH posted AS (
    SELECT p.account_id,
           coalesce(sum(p.amount_cents) FILTER (WHERE g.subledger = 'receivable'), 0) AS receivable,
           coalesce(sum(p.amount_cents) FILTER (WHERE g.subledger = 'unapplied'), 0) AS unapplied
    FROM journal_postings p JOIN gl_accounts g ON g.code = p.gl_account
    WHERE g.subledger IS NOT NULL AND p.account_id IS NOT NULL
    GROUP BY p.account_id),
  items AS (SELECT account_id, sum(open_cents) AS open FROM receivable_items GROUP BY account_id),
  credits AS (SELECT account_id, sum(open_cents) AS open FROM receivable_credits GROUP BY account_id),
  keys AS (SELECT account_id FROM posted UNION SELECT account_id FROM items
           UNION SELECT account_id FROM credits UNION SELECT account_id FROM account_balances)
  SELECT k.account_id,
         coalesce(p.receivable, 0)::int8 AS receivable_postings_cents,
         coalesce(i.open, 0)::int8 AS open_items_cents,
         coalesce(p.unapplied, 0)::int8 AS unapplied_postings_cents,
         coalesce(c.open, 0)::int8 AS unapplied_credits_cents,
         b.balance_cents AS cached_balance_cents
  FROM keys k
  LEFT JOIN posted p USING (account_id)
  LEFT JOIN items i USING (account_id)
  LEFT JOIN credits c USING (account_id)
  LEFT JOIN account_balances b USING (account_id)
  WHERE coalesce(p.receivable, 0) <> coalesce(i.open, 0)
     OR -coalesce(p.unapplied, 0) <> coalesce(c.open, 0)
     OR coalesce(b.balance_cents, 0) <> coalesce(p.receivable, 0) + coalesce(p.unapplied, 0)
  ORDER BY k.account_id`;

/** Items (or credits) whose open amount disagrees with their postings or with their clearings. */
const openAmounts = (table: "receivable_items" | "receivable_credits") => {
  const key = table === "receivable_items" ? sql.raw("item_id") : sql.raw("credit_id");
  const subledger = table === "receivable_items" ? "receivable" : "unapplied";
  // Receivable postings are debits (positive) while an item is open; unapplied ones credits (negative).
  const sign = table === "receivable_items" ? sql.raw("") : sql.raw("-");
  return sql`
    SELECT t.id, t.account_id, t.open_cents,
           ${sign}coalesce(p.total, 0)::int8 AS posted_cents,
           (CASE WHEN t.reversal_entry_id IS NULL THEN t.original_cents - coalesce(m.matched, 0)
                 ELSE -coalesce(m.matched, 0) END)::int8 AS by_matches_cents
    FROM ${sql.identifier(table)} t
    LEFT JOIN (SELECT p.${key} AS id, sum(p.amount_cents) AS total
               FROM journal_postings p JOIN gl_accounts g ON g.code = p.gl_account
               WHERE g.subledger = ${subledger} AND p.${key} IS NOT NULL GROUP BY p.${key}) p ON p.id = t.id
    LEFT JOIN (SELECT ${key} AS id, sum(amount_cents) AS matched FROM receivable_matches
               WHERE undone_by_entry_id IS NULL GROUP BY ${key}) m ON m.id = t.id
    WHERE t.open_cents <> ${sign}coalesce(p.total, 0)
       OR t.open_cents <> CASE WHEN t.reversal_entry_id IS NULL THEN t.original_cents - coalesce(m.matched, 0)
                               ELSE -coalesce(m.matched, 0) END
    ORDER BY t.id`;
};

const num = (v: unknown) => Number(v);

async function check(ctx: Ctx, db: Db): Promise<LedgerVerification> {
  const rows = <T>(query: ReturnType<typeof sql>) => ctx.database.rows<T>(db, query);
  const [{ n }] = (await rows<{ n: bigint }>(sql`SELECT count(*)::int8 AS n FROM journal_entries`)) as [{ n: bigint }];
  const violations: LedgerViolation[] = [];
  for (const r of await rows<{ entry_id: unknown; postings: bigint; total_cents: bigint }>(UNBALANCED)) {
    violations.push({
      kind: "unbalanced_entry",
      entry_id: num(r.entry_id),
      postings: num(r.postings),
      total_cents: r.total_cents,
    });
  }
  for (const r of await rows<{ posting_id: unknown; entry_id: unknown }>(UNASSIGNED)) {
    violations.push({ kind: "unassigned_subledger_posting", posting_id: num(r.posting_id), entry_id: num(r.entry_id) });
  }
  type AccountRow = Omit<Extract<LedgerViolation, { kind: "account_mismatch" }>, "kind" | "account_id">;
  for (const r of await rows<AccountRow & { account_id: unknown }>(ACCOUNTS)) {
    violations.push({ kind: "account_mismatch", ...r, account_id: num(r.account_id) });
  }
  for (const [table, kind] of [
    ["receivable_items", "item_mismatch"],
    ["receivable_credits", "credit_mismatch"],
  ] as const) {
    type Row = { id: unknown; account_id: unknown; open_cents: bigint; posted_cents: bigint; by_matches_cents: bigint };
    for (const r of await rows<Row>(openAmounts(table))) {
      violations.push({ kind, ...r, id: num(r.id), account_id: num(r.account_id) });
    }
  }
  return { balanced: violations.length === 0, entries: Number(n), violations };
}

/**
 * Proves the ledger: every entry balances, every subledger posting names its account and item or credit, and per
 * account the open items equal the receivable postings, the unapplied credits the unapplied postings, and the cached
 * balance their sum. Runs in one repeatable-read snapshot, so postings made meanwhile cannot look like errors.
 */
export async function verifyLedger(ctx: Ctx): Promise<LedgerVerification> {
  if (ctx.db !== ctx.database.db) return check(ctx, ctx.db);
  return ctx.database.db.transaction((tx) => check(ctx, tx), {
    isolationLevel: "repeatable read",
    accessMode: "read only",
  });
}

/** A violation as one line for people. */
export function describeViolation(v: LedgerViolation): string {
  switch (v.kind) {
    case "unbalanced_entry":
      return `entry ${v.entry_id}: ${v.postings} postings summing to ${v.total_cents} cents`;
    case "unassigned_subledger_posting":
      return `posting ${v.posting_id} (entry ${v.entry_id}): a receivable or unapplied posting without its account, item or credit`;
    case "account_mismatch":
      return `account ${v.account_id}: receivable postings ${v.receivable_postings_cents} vs open items ${v.open_items_cents}; unapplied postings ${v.unapplied_postings_cents} vs unapplied credits ${v.unapplied_credits_cents}; cached balance ${v.cached_balance_cents ?? "none"}`;
    case "item_mismatch":
    case "credit_mismatch":
      return `${v.kind === "item_mismatch" ? "item" : "credit"} ${v.id} (account ${v.account_id}): open ${v.open_cents}, by postings ${v.posted_cents}, by clearings ${v.by_matches_cents}`;
  }
}
