import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { Problem } from "../../platform/errors.js";
import { accountItems, CREDIT_KINDS, ITEM_CATEGORIES, reverseEntry, verifyLedger } from "./index.js";
import { charge, credit, newAccount, subledgerSums } from "./test-fixtures.js";

// Random sequences of charges, credits (directed or not), reversals and days passing, over a few accounts, keep every
// ledger invariant: entries balance, items and credits equal their postings, the cached balance equals the postings
// and a simple model of the balance, and verify finds nothing.

let t: TestApp;
const accounts: number[] = [];
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  for (let i = 0; i < 3; i++) accounts.push(await newAccount(t));
});
afterAll(async () => t?.close());

const cents = fc.integer({ min: 1, max: 50_000 });
const operation = fc.oneof(
  fc.record({
    type: fc.constant("charge" as const),
    account: fc.nat(2),
    cents,
    due: fc.option(fc.integer({ min: -120, max: 60 })),
    category: fc.constantFrom(...ITEM_CATEGORIES),
  }),
  fc.record({
    type: fc.constant("credit" as const),
    account: fc.nat(2),
    cents,
    kind: fc.constantFrom(...CREDIT_KINDS),
    directed: fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 3 })),
  }),
  fc.record({ type: fc.constant("reverse" as const), pick: fc.nat() }),
  fc.record({ type: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 45 }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never;

/** Entries posted so far: what each did to its account's balance, and whether it has been reversed. */
const posted: { entryId: number; account: number; delta: bigint; reversed: boolean }[] = [];

async function apply(op: Operation, expected: Map<number, bigint>) {
  const move = (account: number, delta: bigint) => expected.set(account, (expected.get(account) ?? 0n) + delta);
  if (op.type === "advance") {
    t.clock.advance({ hours: 24 * op.days });
  } else if (op.type === "charge") {
    const account = accounts[op.account]!;
    const due = op.due === null ? null : t.clock.today().add({ days: op.due }).toString();
    const r = await charge(t, account, op.cents, { due_date: due, category: op.category });
    posted.push({ entryId: r.entry_id, account, delta: BigInt(op.cents), reversed: false });
    move(account, BigInt(op.cents));
  } else if (op.type === "credit") {
    const account = accounts[op.account]!;
    let directed: number[] | undefined;
    if (op.directed) {
      const open = (await accountItems(t.ctx, account, { status: "open" })).items.map((i) => i.id);
      if (open.length) directed = [...new Set(op.directed.map((n) => open[n % open.length]!))];
    }
    const r = await credit(t, account, op.cents, { kind: op.kind, directed_item_ids: directed });
    const own = r.matches.filter((m) => m.credit_id === r.credit.id).reduce((s, m) => s + m.amount_cents, 0n);
    expect(r.credit.unapplied_cents + own).toBe(BigInt(op.cents));
    posted.push({ entryId: r.entry_id, account, delta: -BigInt(op.cents), reversed: false });
    move(account, -BigInt(op.cents));
  } else if (posted.length) {
    const target = posted[op.pick % posted.length]!;
    const done = await reverseEntry(t.ctx, target.entryId, "property test").then(
      () => null,
      (e: unknown) => e,
    );
    if (target.reversed) {
      expect(done).toBeInstanceOf(Problem);
      expect((done as Problem).extra.rule).toBe("ledger.already_reversed");
    } else {
      expect(done).toBeNull();
      target.reversed = true;
      move(target.account, -target.delta);
    }
  }
}

describe("the ledger under random operations", () => {
  it("keeps entries balanced, items equal to postings, cached balances exact and verify clean", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 12 }), async (ops) => {
        const expected = new Map<number, bigint>();
        for (const account of accounts) expected.set(account, (await subledgerSums(t, account)).cached ?? 0n);
        for (const op of ops) await apply(op, expected);

        for (const account of accounts) {
          const sums = await subledgerSums(t, account);
          expect(sums.receivable_postings).toBe(sums.open_items);
          expect(-sums.unapplied_postings!).toBe(sums.unapplied);
          expect(sums.cached ?? 0n).toBe(sums.open_items! - sums.unapplied!);
          expect(sums.cached ?? 0n).toBe(expected.get(account));
        }
        const unbalanced = await t.database.rows<{ n: bigint }>(
          t.database.db,
          sql`SELECT count(*)::int8 AS n FROM (SELECT entry_id FROM journal_postings
              GROUP BY entry_id HAVING sum(amount_cents) <> 0) bad`,
        );
        expect(unbalanced[0]!.n).toBe(0n);
        const verdict = await verifyLedger(t.ctx);
        expect(verdict.violations).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
