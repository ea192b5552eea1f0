import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { newCustomer } from "../../../tests/support/customer-fixtures.js";
import type { TestApp } from "../../../tests/support/testkit.js";
import type { CommandIO } from "../../platform/command-channel.js";
import { type ChargeInput, type CreditInput, postCharge, postCredit } from "./index.js";

/** A new account with only its customer (no premise or service). */
export async function newAccount(t: TestApp): Promise<number> {
  const c = await newCustomer(t, {
    premise: undefined,
    service_point: undefined,
    meter: undefined,
    service_agreement: undefined,
  });
  return c.account.id as number;
}

/** Posts a charge with test defaults: energy, due 2026-03-20. */
export const charge = (t: TestApp, accountId: number, cents: number, over: Partial<ChargeInput> = {}) =>
  postCharge(t.ctx, {
    account_id: accountId,
    category: "energy",
    amount_cents: BigInt(cents),
    due_date: "2026-03-20",
    reference: "test:charge",
    ...over,
  });

/** Posts a payment with test defaults. */
export const credit = (t: TestApp, accountId: number, cents: number, over: Partial<CreditInput> = {}) =>
  postCredit(t.ctx, {
    account_id: accountId,
    kind: "payment",
    amount_cents: BigInt(cents),
    reference: "test:payment",
    ...over,
  });

/** A CommandIO that keeps what is written. */
export function captureIO(): CommandIO & { text(): { out: string; err: string } } {
  let out = "";
  let err = "";
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        add(String(chunk));
        done();
      },
    });
  return {
    out: sink((s) => {
      out += s;
    }),
    err: sink((s) => {
      err += s;
    }),
    text: () => ({ out, err }),
  };
}

/** Per account: open items, unapplied credits and the cached balance against the subledger postings. */
export async function subledgerSums(t: TestApp, accountId: number) {
  const [row] = await t.database.rows<Record<string, bigint | null>>(
    t.database.db,
    sql`SELECT
      (SELECT coalesce(sum(open_cents), 0)::int8 FROM receivable_items WHERE account_id = ${accountId}) AS open_items,
      (SELECT coalesce(sum(open_cents), 0)::int8 FROM receivable_credits WHERE account_id = ${accountId}) AS unapplied,
      (SELECT coalesce(sum(p.amount_cents), 0)::int8 FROM journal_postings p JOIN gl_accounts g ON g.code = p.gl_account
        WHERE p.account_id = ${accountId} AND g.subledger = 'receivable') AS receivable_postings,
      (SELECT coalesce(sum(p.amount_cents), 0)::int8 FROM journal_postings p JOIN gl_accounts g ON g.code = p.gl_account
        WHERE p.account_id = ${accountId} AND g.subledger = 'unapplied') AS unapplied_postings,
      (SELECT balance_cents FROM account_balances WHERE account_id = ${accountId}) AS cached`,
  );
  return row!;
}
