import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { Problem } from "../../platform/errors.js";
import { type BulkCreditInput, postCreditsBulk } from "./bulk-credits.js";
import { postCredit, verifyLedger } from "./index.js";
import { charge, credit, newAccount } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

async function refusal(call: Promise<unknown>): Promise<Problem> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof Problem)) throw new Error(`expected a problem, got ${String(err)}`);
  return err;
}

/** Charges and a directed credit that leaves money unapplied beside open items; returns the account's items. */
async function receivables(account: number) {
  const a = await charge(t, account, 2_000, { due_date: "2026-02-15" });
  const b = await charge(t, account, 3_000, { due_date: "2026-01-15" });
  const c = await charge(t, account, 1_500, { due_date: null });
  const d = await charge(t, account, 2_500, { due_date: "2026-03-20" });
  // 2,500 directed to the unbilled item: 1,000 stays unapplied while the billed items are open.
  await credit(t, account, 2_500, { directed_item_ids: [c.item.id] });
  return [a, b, c, d];
}

/** The account's items, credits, clearings and entries with ids replaced by their order on the account. */
async function picture(account: number) {
  const items = await rows<{ id: bigint; open_cents: bigint; version: number }>(
    sql`SELECT id, open_cents, version FROM receivable_items WHERE account_id = ${account} ORDER BY id`,
  );
  const credits = await rows<{ id: bigint; kind: string; gl_account: string; open_cents: bigint; version: number }>(
    sql`SELECT id, kind, gl_account, open_cents, version FROM receivable_credits
        WHERE account_id = ${account} ORDER BY id`,
  );
  const itemNo = new Map(items.map((r, i) => [r.id, i]));
  const creditNo = new Map(credits.map((r, i) => [r.id, i]));
  const matches = await rows<{ item_id: bigint; credit_id: bigint; amount_cents: bigint }>(
    sql`SELECT item_id, credit_id, amount_cents FROM receivable_matches WHERE account_id = ${account} ORDER BY id`,
  );
  const postings = await rows<{
    entry_id: bigint;
    kind: string;
    description: string;
    gl_account: string;
    amount_cents: bigint;
    item_id: bigint | null;
    credit_id: bigint | null;
  }>(
    sql`SELECT p.entry_id, e.kind, e.description, p.gl_account, p.amount_cents, p.item_id, p.credit_id
        FROM journal_postings p JOIN journal_entries e ON e.id = p.entry_id WHERE e.account_id = ${account}`,
  );
  const entries = new Map<bigint, string[]>();
  for (const p of postings) {
    const item = p.item_id === null ? "" : `i${itemNo.get(p.item_id)}`;
    const cr = p.credit_id === null ? "" : `c${creditNo.get(p.credit_id)}`;
    const line = `${p.kind}/${p.description} ${p.gl_account} ${p.amount_cents} ${item}${cr}`;
    entries.set(p.entry_id, [...(entries.get(p.entry_id) ?? []), line]);
  }
  const [{ balance }] = (await rows<{ balance: bigint }>(
    sql`SELECT balance_cents AS balance FROM account_balances WHERE account_id = ${account}`,
  )) as [{ balance: bigint }];
  return {
    balance,
    items: items.map((r) => [r.open_cents, r.version]),
    credits: credits.map((r) => [r.kind, r.gl_account, r.open_cents, r.version]),
    matches: matches.map((m) => [itemNo.get(m.item_id), creditNo.get(m.credit_id), m.amount_cents]),
    entries: [...entries.values()].map((l) => l.sort().join(" | ")).sort(),
  };
}

describe("posting credits in bulk", () => {
  it("writes what postCredit writes one at a time in list order, an account named several times", async () => {
    const [bulkA, bulkB, oneA, oneB] = [
      await newAccount(t),
      await newAccount(t),
      await newAccount(t),
      await newAccount(t),
    ];
    for (const account of [bulkA, oneA]) await receivables(account);
    for (const account of [bulkB, oneB]) await charge(t, account, 900, { due_date: "2026-02-01" });
    const list = (a: number, b: number): BulkCreditInput[] => [
      { account_id: a, kind: "payment", amount_cents: 2_500n, reference: "r1", description: "first" },
      { account_id: b, kind: "payment", amount_cents: 400n, reference: "r2" },
      { account_id: a, kind: "credit_adjustment", amount_cents: 1_200n, reference: "r3", description: "courtesy" },
      { account_id: b, kind: "payment", amount_cents: 1_000n, gl_debit_account: "2150", reference: "r4" },
      { account_id: a, kind: "payment", amount_cents: 9_000n, reference: "r5", description: "big" },
      { account_id: a, kind: "payment", amount_cents: 50n, reference: "r6", description: "after" },
    ];
    const posted = await postCreditsBulk(t.ctx, list(bulkA, bulkB));
    for (const input of list(oneA, oneB)) await postCredit(t.ctx, input);
    expect(await picture(bulkA)).toEqual(await picture(oneA));
    expect(await picture(bulkB)).toEqual(await picture(oneB));

    // Running balances: A starts at 9,000 - 2,500 = 6,500 owed; B at 900.
    expect(posted.map((p) => p.balance_cents)).toEqual([4_000n, 500n, 2_800n, -500n, -6_200n, -6_250n]);
    expect(posted.map((p) => p.unapplied_cents)).toEqual([0n, 0n, 0n, 500n, 6_200n, 50n]);
    expect(posted.map((p) => p.gl_account)).toEqual(["1020", "1020", "4090", "2150", "1020", "1020"]);
    // The first credit's clearing spends the older unapplied 1,000 first (on the oldest due), then its own money.
    expect(posted[0]!.matches.map((m) => [m.credit_id === posted[0]!.credit_id, m.amount_cents])).toEqual([
      [false, 1_000n],
      [true, 2_000n],
      [true, 500n],
    ]);
    expect(posted[5]!.clearing_entry_id).toBeNull();
    expect(posted[5]!.matches).toEqual([]);
    const ids = posted.map((p) => p.credit_id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    // No audit rows of its own: the caller audits the chunk.
    const audited = await rows<{ n: bigint }>(
      sql`SELECT count(*)::int8 AS n FROM audit_log WHERE entity_type = 'receivable_credit'
          AND entity_id = ANY(${sql.param(ids.map(String))}::text[])`,
    );
    expect(audited[0]!.n).toBe(0n);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("refuses bad inputs naming each field, as the caller names them", async () => {
    const account = await newAccount(t);
    const ok: BulkCreditInput = { account_id: account, kind: "payment", amount_cents: 100n, reference: "x" };
    const bad = await refusal(
      postCreditsBulk(t.ctx, [ok, { ...ok, amount_cents: 0n }, { ...ok, kind: "gift" as "payment" }]),
    );
    expect(bad.status).toBe(400);
    expect((bad.extra.errors as { field: string }[]).map((e) => e.field)).toEqual(["1.amount_cents", "2.kind"]);
    const named = { field: (i: number, name: string) => `lines.${i + 10}.${name}` };
    const missing = await refusal(
      t.database.db.transaction((db) =>
        postCreditsBulk({ ...t.ctx, db }, [ok, { ...ok, account_id: 999_999_999 }], named),
      ),
    );
    expect(missing.extra.errors).toEqual([{ field: "lines.11.account_id", message: "no such account" }]);
    for (const gl of ["2100", "9999"]) {
      const refused = await refusal(
        t.database.db.transaction((db) =>
          postCreditsBulk({ ...t.ctx, db }, [ok, { ...ok, gl_debit_account: gl }], named),
        ),
      );
      expect(refused.extra.errors).toEqual([{ field: "lines.11.gl_debit_account", message: expect.any(String) }]);
    }
    expect(await postCreditsBulk(t.ctx, [])).toEqual([]);
    const [{ n }] = (await rows<{ n: bigint }>(
      sql`SELECT count(*)::int8 AS n FROM receivable_credits WHERE account_id = ${account}`,
    )) as [{ n: bigint }];
    expect(n).toBe(0n);
  });
});
