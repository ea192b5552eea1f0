import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { inTx } from "../../platform/context.js";
import { type BulkBillInput, postBillsBulk } from "./bulk-bills.js";
import { accountBalances, verifyLedger } from "./index.js";
import { charge, credit, newAccount } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

const bill = (account: number, n: number, over: Partial<BulkBillInput> = {}): BulkBillInput => ({
  account_id: account,
  reference: `bill:test-${n}`,
  description: `Bill ${n}`,
  due_date: "2026-03-23",
  service_period: { from: "2026-02-01", to: "2026-02-28" },
  charges: [
    { category: "energy", amount_cents: 8_000n, description: "Energy" },
    { category: "delivery", amount_cents: 2_500n, description: "Delivery" },
    { category: "tax", amount_cents: 420n, description: "Tax" },
  ],
  credits: [],
  ...over,
});

describe("postBillsBulk", () => {
  it("posts each bill as one balanced entry of items by category, clearing unapplied credits oldest due first", async () => {
    const a = await newAccount(t);
    const b = await newAccount(t);
    const c = await newAccount(t);
    // a: an old open item and 3,000 unapplied; b: nothing; c: a credit larger than its bill.
    await charge(t, a, 1_000, { due_date: "2026-01-20" });
    await credit(t, a, 4_000);
    await credit(t, c, 20_000);
    const posted = await inTx(t.ctx, (tx) =>
      postBillsBulk(tx, [
        bill(a, 1),
        bill(b, 2, {
          charges: [{ category: "energy", amount_cents: 3_000n, description: "Energy" }],
          credits: [{ category: "delivery", amount_cents: 5_823n, description: "California Climate Credit" }],
        }),
        bill(c, 3),
        bill(a, 4, { charges: [{ category: "energy", amount_cents: 100n, description: "Energy" }] }),
      ]),
    );
    expect(posted.map((p) => p.balance_cents)).toEqual([10_920n - 3_000n, 3_000n - 5_823n, 10_920n - 20_000n, 8_020n]);
    // a's 3,000 unapplied pays the bill's energy item (oldest due, then lowest id): 8,000 -> 5,000 open.
    const itemsA = await rows<{ category: string; open_cents: bigint; due_date: string | null }>(
      sql`SELECT category, open_cents, due_date::text FROM receivable_items WHERE account_id = ${a} ORDER BY id`,
    );
    expect(itemsA.map((i) => [i.category, i.open_cents])).toEqual([
      ["energy", 0n],
      ["energy", 5_000n],
      ["delivery", 2_500n],
      ["tax", 420n],
      ["energy", 100n],
    ]);
    // b's climate credit pays its energy item and leaves 2,823 unapplied.
    const [creditB] = await rows<{ kind: string; gl_account: string; open_cents: bigint }>(
      sql`SELECT kind, gl_account, open_cents FROM receivable_credits WHERE account_id = ${b}`,
    );
    expect(creditB).toMatchObject({ kind: "credit_adjustment", open_cents: 2_823n });
    const entries = await rows<{ kind: string; n: bigint }>(
      sql`SELECT kind, count(*) AS n FROM journal_entries WHERE reference LIKE 'bill:test-%' GROUP BY kind ORDER BY kind`,
    );
    expect(entries).toEqual([
      { kind: "bill", n: 4n },
      { kind: "clearing", n: 3n },
    ]);
    for (const id of [a, b, c]) {
      const balances = await accountBalances(t.ctx, id);
      expect(balances.balance_cents).toBe(posted.filter((p) => p.account_id === id).at(-1)!.balance_cents);
    }
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("refuses a part of zero and posts nothing", async () => {
    const a = await newAccount(t);
    await expect(
      inTx(t.ctx, (tx) =>
        postBillsBulk(tx, [bill(a, 5, { charges: [{ category: "energy", amount_cents: 0n, description: "x" }] })]),
      ),
    ).rejects.toThrow(/more than zero/);
    const [n] = await rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM receivable_items WHERE account_id = ${a}`);
    expect(n!.n).toBe(0n);
  });
});
