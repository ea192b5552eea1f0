import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { TestApp } from "../../../tests/support/testkit.js";

/** A fresh Idempotency-Key. */
export const newKey = () => `test-${randomUUID()}`;

/** A POST that moves money, as `role`, with a fresh Idempotency-Key unless one is given (null: none). */
export async function send(
  t: TestApp,
  url: string,
  payload: unknown,
  opts: { role?: string; key?: string | null; bearer?: boolean } = {},
) {
  const auth = opts.bearer ? await t.bearer(opts.role ?? "csr") : await t.as(opts.role ?? "csr");
  const key = opts.key === undefined ? newKey() : opts.key;
  return t.app.inject({
    method: "POST",
    url,
    headers: key === null ? auth : { ...auth, "idempotency-key": key },
    payload: payload as Record<string, unknown>,
  });
}

/** GET as `role` (JSON). */
export async function read(t: TestApp, url: string, role = "csr") {
  return t.app.inject({ method: "GET", url, headers: await t.as(role) });
}

/** The simple form: a back-office check on one account. */
export const checkPayment = (accountId: number, cents: number, checkNumber = "1001") => ({
  account_id: accountId,
  amount_cents: cents,
  tender: { type: "check", check_number: checkNumber },
});

/** Takes a check payment and returns the payment (throws unless 201). */
export async function payByCheck(t: TestApp, accountId: number, cents: number, role = "csr") {
  const res = await send(t, "/api/v1/payments", checkPayment(accountId, cents), { role });
  if (res.statusCode !== 201) throw new Error(`payment failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Closes an account through the API. */
export async function closeAccount(t: TestApp, accountId: number) {
  const res = await t.app.inject({
    method: "PATCH",
    url: `/api/v1/accounts/${accountId}`,
    headers: await t.as("csr"),
    payload: { version: 1, status: "closed" },
  });
  if (res.statusCode !== 200) throw new Error(`close failed: ${res.statusCode} ${res.body}`);
}

/** Row counts of everything a payment, reversal, transfer or adjustment writes. */
export async function moneyCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = [
    "journal_entries",
    "journal_postings",
    "receivable_items",
    "receivable_credits",
    "payments",
    "payment_lines",
    "payment_tenders",
    "payment_transfers",
    "adjustments",
    "cash_only_periods",
  ];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql.raw(`SELECT count(*)::int8 AS n FROM ${table}`),
    );
    out[table] = Number(row!.n);
  }
  return out;
}

/** The cached balance of an account (0 before its first posting). */
export async function balanceOf(t: TestApp, accountId: number): Promise<bigint> {
  const [row] = await t.database.rows<{ b: bigint | null }>(
    t.database.db,
    sql`SELECT (SELECT balance_cents FROM account_balances WHERE account_id = ${accountId}) AS b`,
  );
  return row?.b ?? 0n;
}
