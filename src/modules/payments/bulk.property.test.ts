import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { postCharge, postCredit, verifyLedger } from "../ledger/index.js";
import { newAccount } from "../ledger/test-fixtures.js";
import { postPaymentsBulk } from "./bulk.js";
import { takePayment } from "./service.js";

// Posting a list of payments set-based leaves every account exactly as taking them one at a time in list order does:
// the same balances, open items, credits (original, unapplied, version), clearings in the same order, the same
// journal entries and postings, and a verified ledger. Two databases start alike; each run makes fresh accounts in
// both with the same random charges (billed or not), payments and directed credits (which leave credits unapplied
// beside open items), then posts the same random list with postPaymentsBulk (in random chunks) on one and
// takePayment one by one on the other. Ids differ between the two, so rows are compared by their order per account.

let bulk: TestApp;
let single: TestApp;
beforeAll(async () => {
  [bulk, single] = await Promise.all([
    testApp({ now: "2026-03-02T17:00:00Z" }),
    testApp({ now: "2026-03-02T17:00:00Z" }),
  ]);
});
afterAll(async () => {
  await bulk?.close();
  await single?.close();
});

const setupOp = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("charge" as const),
      cents: fc.integer({ min: 1, max: 50_000 }),
      due: fc.option(fc.integer({ min: -60, max: 30 }), { freq: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant("credit" as const), cents: fc.integer({ min: 1, max: 60_000 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("directed" as const),
      cents: fc.integer({ min: 1, max: 60_000 }),
      pick: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 20 }) }) },
);
type SetupOp = typeof setupOp extends fc.Arbitrary<infer O> ? O : never;

const scenario = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.record({
    setup: fc.array(fc.array(setupOp, { maxLength: 6 }), { minLength: n, maxLength: n }),
    payments: fc.array(fc.record({ account: fc.nat(n - 1), cents: fc.integer({ min: 1, max: 60_000 }) }), {
      minLength: 1,
      maxLength: 14,
    }),
    chunk: fc.integer({ min: 1, max: 14 }),
    note: fc.option(fc.constantFrom("mailed in", "second notice stub"), { nil: null }),
  }),
);

/** The same call on both databases; both must succeed, or both refuse alike. */
async function both<T>(call: (t: TestApp) => Promise<T>): Promise<[T, T] | null> {
  const settle = (t: TestApp) =>
    call(t).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error: String(error) }),
    );
  const a = await settle(bulk);
  const b = await settle(single);
  expect(a.ok).toBe(b.ok);
  if (!a.ok || !b.ok) {
    expect(a).toEqual(b);
    return null;
  }
  return [a.value, b.value];
}

/** Per database, the item ids of each account in the order charged. */
type Charged = Map<TestApp, number[][]>;

async function applySetup(op: SetupOp, k: number, accounts: Map<TestApp, number[]>, charged: Charged) {
  if (op.type === "advance") {
    bulk.clock.advance({ hours: 24 * op.days });
    single.clock.advance({ hours: 24 * op.days });
  } else if (op.type === "charge") {
    const posted = await both((t) =>
      postCharge(t.ctx, {
        account_id: accounts.get(t)![k]!,
        category: "energy",
        amount_cents: BigInt(op.cents),
        due_date: op.due === null ? null : t.clock.today().add({ days: op.due }).toString(),
        reference: "prop:charge",
      }),
    );
    if (posted) {
      charged.get(bulk)![k]!.push(posted[0].item.id);
      charged.get(single)![k]!.push(posted[1].item.id);
    }
  } else {
    const items = (t: TestApp) => charged.get(t)![k]!;
    if (op.type === "directed" && items(bulk).length === 0) return;
    await both((t) =>
      postCredit(t.ctx, {
        account_id: accounts.get(t)![k]!,
        kind: "payment",
        amount_cents: BigInt(op.cents),
        directed_item_ids: op.type === "directed" ? [items(t)[op.pick % items(t).length]!] : undefined,
        reference: "prop:credit",
      }),
    );
  }
}

/** An account's receivables with ids replaced by their order on the account. */
async function picture(t: TestApp, accountId: number) {
  const rows = <R>(q: ReturnType<typeof sql>) => t.database.rows<R>(t.database.db, q);
  const items = await rows<{
    id: bigint;
    due_date: string | null;
    original_cents: bigint;
    open_cents: bigint;
    version: number;
  }>(
    sql`SELECT id, due_date::text AS due_date, original_cents, open_cents, version FROM receivable_items
        WHERE account_id = ${accountId} ORDER BY id`,
  );
  const credits = await rows<{
    id: bigint;
    kind: string;
    accounting_date: string;
    original_cents: bigint;
    open_cents: bigint;
    gl_account: string;
    version: number;
  }>(
    sql`SELECT id, kind, accounting_date::text AS accounting_date, original_cents, open_cents, gl_account, version
        FROM receivable_credits WHERE account_id = ${accountId} ORDER BY id`,
  );
  const itemNo = new Map(items.map((r, i) => [Number(r.id), i]));
  const creditNo = new Map(credits.map((r, i) => [Number(r.id), i]));
  const matches = await rows<{ item_id: bigint; credit_id: bigint; amount_cents: bigint; accounting_date: string }>(
    sql`SELECT item_id, credit_id, amount_cents, accounting_date::text AS accounting_date FROM receivable_matches
        WHERE account_id = ${accountId} ORDER BY id`,
  );
  const postings = await rows<{
    entry_id: bigint;
    kind: string;
    accounting_date: string;
    gl_account: string;
    amount_cents: bigint;
    item_id: bigint | null;
    credit_id: bigint | null;
  }>(
    sql`SELECT p.entry_id, e.kind, e.accounting_date::text AS accounting_date, p.gl_account, p.amount_cents,
               p.item_id, p.credit_id
        FROM journal_postings p JOIN journal_entries e ON e.id = p.entry_id
        WHERE e.account_id = ${accountId} ORDER BY p.id`,
  );
  const entries = new Map<bigint, string[]>();
  for (const p of postings) {
    const line = [
      p.kind,
      p.accounting_date,
      p.gl_account,
      p.amount_cents,
      p.item_id === null ? "-" : `i${itemNo.get(Number(p.item_id))}`,
      p.credit_id === null ? "-" : `c${creditNo.get(Number(p.credit_id))}`,
    ].join(" ");
    entries.set(p.entry_id, [...(entries.get(p.entry_id) ?? []), line]);
  }
  const payments = await rows<{
    received_on: string;
    channel: string;
    total_cents: bigint;
    note: string | null;
    type: string;
    check_number: string | null;
    tender_gl: string;
    line_gl: string;
    credit_id: bigint;
    payment_id: bigint;
    reference: string;
    description: string;
  }>(
    sql`SELECT p.received_on::text AS received_on, p.channel, p.total_cents, p.note, t.type, t.check_number,
               t.gl_account AS tender_gl, l.gl_account AS line_gl, l.credit_id, p.id AS payment_id, c.reference,
               c.description
        FROM payment_lines l JOIN payments p ON p.id = l.payment_id JOIN payment_tenders t ON t.payment_id = p.id
        JOIN receivable_credits c ON c.id = l.credit_id
        WHERE l.account_id = ${accountId} ORDER BY l.credit_id`,
  );
  const [balance] = await rows<{ b: bigint | null }>(
    sql`SELECT (SELECT balance_cents FROM account_balances WHERE account_id = ${accountId}) AS b`,
  );
  return {
    balance: balance?.b ?? 0n,
    items: items.map(({ id: _id, ...rest }) => rest),
    credits: credits.map(({ id: _id, ...rest }) => rest),
    matches: matches.map((m) => ({
      item: itemNo.get(Number(m.item_id)),
      credit: creditNo.get(Number(m.credit_id)),
      amount: m.amount_cents,
      on: m.accounting_date,
    })),
    // Entries as a sorted list of their sorted postings: the bulk path numbers its entries in another order.
    entries: [...entries.values()].map((lines) => lines.sort().join(" | ")).sort(),
    payments: payments.map(({ credit_id, payment_id, reference, description, ...rest }) => ({
      ...rest,
      credit: creditNo.get(Number(credit_id)),
      // The credit and its entries carry the payment's own id, as takePayment words them.
      reference: reference === `payment:${payment_id}`,
      description: description.replace(`payment ${payment_id}: `, "payment #: "),
    })),
  };
}

let run = 0;

describe("postPaymentsBulk (property)", () => {
  it("leaves every account as posting the payments one at a time in list order does", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ setup, payments, chunk, note }) => {
        run++;
        const accounts = new Map<TestApp, number[]>([
          [bulk, []],
          [single, []],
        ]);
        const charged: Charged = new Map([
          [bulk, setup.map(() => [])],
          [single, setup.map(() => [])],
        ]);
        for (const _ of setup) {
          accounts.get(bulk)!.push(await newAccount(bulk));
          accounts.get(single)!.push(await newAccount(single));
        }
        for (const [k, ops] of setup.entries()) for (const op of ops) await applySetup(op, k, accounts, charged);
        expect(bulk.clock.today().toString()).toBe(single.clock.today().toString());
        const today = bulk.clock.today().toString();

        const list = payments.map((p, i) => ({
          sourceRef: `prop:${run}:${i}`,
          accountId: accounts.get(bulk)![p.account]!,
          amountCents: BigInt(p.cents),
          tender: { type: "check" as const, checkNumber: `C${run}x${i}` },
          channel: "mail",
          receivedOn: today,
          note,
        }));
        const posted = [];
        for (let i = 0; i < list.length; i += chunk) {
          posted.push(
            ...(await postPaymentsBulk(bulk.ctx, list.slice(i, i + chunk), {
              action: "test.bulk",
              entityType: "test_run",
              entityId: run,
            })),
          );
        }
        expect(posted.map((p) => p.alreadyPosted)).toEqual(list.map(() => false));
        for (const [i, p] of payments.entries()) {
          await takePayment(single.ctx, {
            account_id: accounts.get(single)![p.account]!,
            amount_cents: p.cents,
            tender: { type: "check", check_number: `C${run}x${i}` },
            channel: "mail",
            received_on: today,
            note: note ?? undefined,
          });
        }

        for (const k of setup.keys()) {
          const a = await picture(bulk, accounts.get(bulk)![k]!);
          const b = await picture(single, accounts.get(single)![k]!);
          expect(a).toEqual(b);
        }
        expect((await verifyLedger(bulk.ctx)).violations).toEqual([]);
        expect((await verifyLedger(single.ctx)).violations).toEqual([]);
      }),
      { numRuns: 25, endOnFailure: true },
    );
  }, 300_000);
});
