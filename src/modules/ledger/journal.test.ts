import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { runCommand } from "../../cli/commands.js";
import { accountItems, verifyLedger } from "./index.js";
import { captureIO, charge, credit, newAccount, subledgerSums } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

/** The database's message for a statement it refused (drizzle wraps the driver's error). */
async function dbError(call: Promise<unknown>): Promise<string> {
  const err = (await call.then(
    () => null,
    (e: unknown) => e,
  )) as { message?: string; cause?: { message?: string } } | null;
  if (!err) throw new Error("the statement was not refused");
  return `${err.message} ${err.cause?.message ?? ""}`;
}

describe("the journal in the database", () => {
  it("refuses UPDATE and DELETE of entries and postings", async () => {
    const account = await newAccount(t);
    const { entry_id } = await charge(t, account, 100);
    const attempts = [
      sql`UPDATE journal_postings SET amount_cents = amount_cents + 1 WHERE entry_id = ${entry_id}`,
      sql`DELETE FROM journal_postings WHERE entry_id = ${entry_id}`,
      sql`UPDATE journal_entries SET accounting_date = '2020-01-01' WHERE id = ${entry_id}`,
      sql`DELETE FROM journal_entries WHERE id = ${entry_id}`,
    ];
    for (const attempt of attempts) {
      expect(await dbError(t.database.db.execute(attempt))).toMatch(/the journal is immutable/);
    }
    const [row] = await rows<{ n: bigint }>(
      sql`SELECT count(*)::int8 AS n FROM journal_postings WHERE entry_id = ${entry_id}`,
    );
    expect(row!.n).toBe(2n);
  });

  it("refuses at commit an entry whose postings do not sum to zero", async () => {
    const insertUnbalanced = t.database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO journal_entries (id, kind, accounting_date, actor_name)
                           OVERRIDING SYSTEM VALUE VALUES (900000001, 'general', '2026-03-02', 'test')`);
      await tx.execute(sql`INSERT INTO journal_postings (entry_id, gl_account, amount_cents)
                           VALUES (900000001, '1020', 100), (900000001, '1010', -99)`);
    });
    expect(await dbError(insertUnbalanced)).toMatch(
      /journal entry 900000001 does not balance: 2 postings summing to 1/,
    );
    const lonely = t.database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO journal_entries (id, kind, accounting_date, actor_name)
                           OVERRIDING SYSTEM VALUE VALUES (900000002, 'general', '2026-03-02', 'test')`);
    });
    expect(await dbError(lonely)).toMatch(/journal entry 900000002 does not balance: 0 postings/);
    const [row] = await rows<{ n: bigint }>(
      sql`SELECT count(*)::int8 AS n FROM journal_entries WHERE id IN (900000001, 900000002)`,
    );
    expect(row!.n).toBe(0n);
  });
});

describe("kilowatt ledger verify", () => {
  it("prints ledger balanced on a sound ledger, and exits 1 naming a tampered cached balance and item", async () => {
    const account = await newAccount(t);
    const bill = await charge(t, account, 4_200);
    await credit(t, account, 1_000);
    const clean = captureIO();
    expect(await runCommand(t.ctx, "ledger verify", {}, clean)).toBe(0);
    const [count] = await rows<{ n: bigint }>(sql`SELECT count(*)::int8 AS n FROM journal_entries`);
    expect(clean.text().out).toBe(`ledger balanced: ${count!.n} entries\n`);

    await t.database.db.execute(
      sql`UPDATE account_balances SET balance_cents = balance_cents + 1 WHERE account_id = ${account}`,
    );
    await t.database.db.execute(sql`UPDATE receivable_items SET open_cents = 1 WHERE id = ${bill.item.id}`);
    const tampered = captureIO();
    expect(await runCommand(t.ctx, "ledger verify", {}, tampered)).toBe(1);
    const { out, err } = tampered.text();
    expect(out).toContain(`account ${account}: receivable postings 3200 vs open items 1;`);
    expect(out).toContain(`cached balance 3201`);
    expect(out).toContain(`item ${bill.item.id} (account ${account}): open 1, by postings 3200, by clearings 3200`);
    expect(err).toMatch(/ledger NOT balanced: 2 violations/);
    const asJson = captureIO();
    expect(await runCommand(t.ctx, "ledger verify", { format: "json" }, asJson)).toBe(1);
    expect(JSON.parse(asJson.text().out)).toMatchObject({
      balanced: false,
      violations: [
        { kind: "account_mismatch", account_id: account, cached_balance_cents: "3201" },
        { kind: "item_mismatch", id: bill.item.id },
      ],
    });

    await t.database.db.execute(
      sql`UPDATE account_balances SET balance_cents = balance_cents - 1 WHERE account_id = ${account}`,
    );
    await t.database.db.execute(sql`UPDATE receivable_items SET open_cents = 3200 WHERE id = ${bill.item.id}`);
    expect(await runCommand(t.ctx, "ledger verify", {}, captureIO())).toBe(0);
  });
});

describe("concurrency", () => {
  it("ends exact after 50 concurrent credits to one account", async () => {
    const account = await newAccount(t);
    const bill = await charge(t, account, 3_000);
    const fresh = await newAccount(t); // no balance row yet: the first credits race to create it
    const amounts = Array.from({ length: 50 }, (_, i) => 100 + i);
    await Promise.all(
      amounts.flatMap((cents, i) => [
        credit(t, account, cents, { reference: `pay:${i}` }),
        credit(t, fresh, cents, { reference: `pay:${i}` }),
      ]),
    );
    const paid = BigInt(amounts.reduce((a, b) => a + b, 0));
    const sums = await subledgerSums(t, account);
    expect(sums).toEqual({
      open_items: 0n,
      unapplied: paid - 3_000n,
      receivable_postings: 0n,
      unapplied_postings: 3_000n - paid,
      cached: 3_000n - paid,
    });
    const { items } = await accountItems(t.ctx, account);
    expect(items[0]!.id).toBe(bill.item.id);
    expect(items[0]!.matches.reduce((sum, m) => sum + m.amount_cents, 0n)).toBe(3_000n);
    expect((await subledgerSums(t, fresh)).cached).toBe(-paid);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});

describe("the read routes", () => {
  it("serve balances, items, the ledger and the chart to ledger.read, and refuse others", async () => {
    const account = await newAccount(t);
    const bill = await charge(t, account, 2_500, { due_date: "2026-02-15" });
    await credit(t, account, 1_000);
    const get = async (url: string, role = "csr") => t.app.inject({ method: "GET", url, headers: await t.as(role) });

    const balances = await get(`/api/v1/accounts/${account}/balances`, "cashier");
    expect(balances.statusCode).toBe(200);
    expect(balances.json()).toMatchObject({
      balance_cents: 1_500,
      amount_due_cents: 1_500,
      past_due_cents: 1_500,
      aging: { days_1_30_cents: 1_500 },
    });
    const items = await get(`/api/v1/accounts/${account}/items`, "collector");
    expect(items.json().items[0]).toMatchObject({
      id: bill.item.id,
      open_cents: 1_500,
      matches: [{ amount_cents: 1_000 }],
    });
    expect((await get(`/api/v1/accounts/${account}/items?status=bogus`)).statusCode).toBe(400);
    const ledger = await get(`/api/v1/accounts/${account}/ledger`, "billing_analyst");
    expect(ledger.json().postings.map((p: { running_balance_cents: number }) => p.running_balance_cents)).toEqual([
      2_500, 1_500, 1_500, 1_500,
    ]);
    const chart = await get("/api/v1/ledger/gl-accounts", "admin");
    expect(chart.json().gl_accounts.find((g: { code: string }) => g.code === "1100")).toMatchObject({
      purpose: "receivables",
      subledger: "receivable",
      normal_balance: "debit",
    });
    expect((await get(`/api/v1/accounts/${account}/balances`, "field")).statusCode).toBe(403);
    expect((await get("/api/v1/accounts/999999/items")).statusCode).toBe(404);
  });
});
