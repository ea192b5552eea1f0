import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { Problem } from "../../platform/errors.js";
import { accountBalances, accountItems, accountLedger, postGeneralEntry, reverseEntry, verifyLedger } from "./index.js";
import { charge, credit, newAccount } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

/** The problem a call is refused with. */
async function refusal(call: Promise<unknown>): Promise<Problem> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof Problem)) throw new Error(`expected a problem, got ${String(err)}`);
  return err;
}

describe("charges and credits", () => {
  it("posts a charge as an open item and a balanced entry dated by the business clock", async () => {
    const account = await newAccount(t);
    t.clock.set("2026-03-03T07:30:00Z"); // still 2 March in California
    const posted = await charge(t, account, 12_345, {
      service_period: { from: "2026-02-01", to: "2026-02-28" },
      reference: "bill:1",
    });
    expect(posted.item).toMatchObject({
      account_id: account,
      category: "energy",
      service_period: { from: "2026-02-01", to: "2026-02-28" },
      due_date: "2026-03-20",
      accounting_date: "2026-03-02",
      original_cents: 12_345n,
      open_cents: 12_345n,
      status: "open",
    });
    expect(posted.balance_cents).toBe(12_345n);
    const lines = await rows<{ gl_account: string; amount_cents: bigint; accounting_date: string }>(
      sql`SELECT p.gl_account, p.amount_cents, e.accounting_date FROM journal_postings p
          JOIN journal_entries e ON e.id = p.entry_id WHERE p.entry_id = ${posted.entry_id} ORDER BY p.id`,
    );
    expect(lines).toEqual([
      { gl_account: "1100", amount_cents: 12_345n, accounting_date: "2026-03-02" },
      { gl_account: "4010", amount_cents: -12_345n, accounting_date: "2026-03-02" },
    ]);
    const [audited] = await rows<{ action: string }>(
      sql`SELECT action FROM audit_log WHERE entity_type = 'receivable_item' AND entity_id = ${String(posted.item.id)}`,
    );
    expect(audited?.action).toBe("ledger.charge");
    t.clock.set("2026-03-02T17:00:00Z");
  });

  it("matches a payment to the oldest due item first, unbilled items last", async () => {
    const account = await newAccount(t);
    const later = await charge(t, account, 5_000, { due_date: "2026-04-20" });
    const unbilled = await charge(t, account, 700, { due_date: null, category: "fee" });
    const older = await charge(t, account, 3_000, { due_date: "2026-02-20" });
    const paid = await credit(t, account, 8_500);
    expect(paid.matches.map((m) => [m.item_id, m.amount_cents])).toEqual([
      [older.item.id, 3_000n],
      [later.item.id, 5_000n],
      [unbilled.item.id, 500n],
    ]);
    expect(paid.unapplied_cents).toBe(0n);
    expect(paid.balance_cents).toBe(200n);
    const { items } = await accountItems(t.ctx, account);
    expect(items.map((i) => [i.id, i.status, i.open_cents])).toEqual([
      [later.item.id, "cleared", 0n],
      [unbilled.item.id, "open", 200n],
      [older.item.id, "cleared", 0n],
    ]);
  });

  it("matches a directed payment to the items named, in that order, and keeps the rest unapplied", async () => {
    const account = await newAccount(t);
    const a = await charge(t, account, 1_000, { due_date: "2026-02-01" });
    const b = await charge(t, account, 2_000, { due_date: "2026-03-01" });
    const c = await charge(t, account, 4_000, { due_date: "2026-04-01" });
    // Directed: c before b although b falls due first.
    const paid = await credit(t, account, 4_500, { directed_item_ids: [c.item.id, b.item.id] });
    expect(paid.matches.map((m) => [m.item_id, m.amount_cents])).toEqual([
      [c.item.id, 4_000n],
      [b.item.id, 500n],
    ]);
    expect(paid.unapplied_cents).toBe(0n);
    // More than the directed item needs: the rest stays unapplied, although item a is open.
    const paid2 = await credit(t, account, 2_500, { directed_item_ids: [b.item.id] });
    expect(paid2.matches.map((m) => [m.item_id, m.amount_cents])).toEqual([[b.item.id, 1_500n]]);
    expect(paid2.unapplied_cents).toBe(1_000n);
    const before = await accountBalances(t.ctx, account);
    expect(before).toMatchObject({ balance_cents: 0n, open_items_cents: 1_000n, unapplied_credit_cents: 1_000n });

    // A later charge lets the unapplied credits (oldest first) consume the open items, oldest due first.
    const fee = await charge(t, account, 300, { category: "fee", due_date: "2026-03-25" });
    expect(fee.clearing.map((m) => [m.item_id, m.credit_id, m.amount_cents])).toEqual([
      [a.item.id, paid2.credit.id, 1_000n],
    ]);
    expect(fee.item.open_cents).toBe(300n);
    expect(fee.balance_cents).toBe(300n);
  });

  it("keeps a credit with nothing to pay as unapplied, and a later charge consumes it", async () => {
    const account = await newAccount(t);
    const prepaid = await credit(t, account, 10_000, { reference: "pay:prepay" });
    expect(prepaid).toMatchObject({ matches: [], unapplied_cents: 10_000n, balance_cents: -10_000n });
    expect(prepaid.credit.status).toBe("unapplied");
    expect(await accountBalances(t.ctx, account)).toMatchObject({
      balance_cents: -10_000n,
      amount_due_cents: -10_000n,
      past_due_cents: 0n,
      unapplied_credit_cents: 10_000n,
    });
    const billed = await charge(t, account, 6_000);
    expect(billed.clearing).toEqual([expect.objectContaining({ credit_id: prepaid.credit.id, amount_cents: 6_000n })]);
    expect(billed.item.status).toBe("cleared");
    expect(await accountBalances(t.ctx, account)).toMatchObject({
      balance_cents: -4_000n,
      unapplied_credit_cents: 4_000n,
    });
  });

  it("refuses bad input naming the field, and changes nothing", async () => {
    const account = await newAccount(t);
    const other = await newAccount(t);
    const foreign = await charge(t, other, 100);
    const [before] = await rows<{ n: bigint }>(sql`SELECT count(*)::int8 AS n FROM journal_entries`);
    // Each call starts only when its turn comes: a refusal left waiting would be an unhandled rejection.
    const cases: [() => Promise<unknown>, number, string][] = [
      [() => charge(t, account, 0), 400, "amount_cents"],
      [() => charge(t, account, -5), 400, "amount_cents"],
      [() => charge(t, account, 100, { due_date: "2026-02-30" }), 400, "due_date"],
      [
        () => charge(t, account, 100, { service_period: { from: "2026-03-01", to: "2026-02-01" } }),
        400,
        "service_period",
      ],
      [() => charge(t, account, 100, { gl_credit_account: "9999" }), 400, "gl_credit_account"],
      [() => charge(t, account, 100, { gl_credit_account: "1100" }), 400, "gl_credit_account"],
      [() => charge(t, 999_999, 100), 404, "account_id"],
      [() => credit(t, account, 100, { directed_item_ids: [foreign.item.id] }), 400, "directed_item_ids.0"],
      [() => credit(t, account, 100, { gl_debit_account: "2100" }), 400, "gl_debit_account"],
    ];
    for (const [call, status, field] of cases) {
      const problem = await refusal(call());
      expect(problem.status).toBe(status);
      expect((problem.extra.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    const [after] = await rows<{ n: bigint }>(sql`SELECT count(*)::int8 AS n FROM journal_entries`);
    expect(after!.n).toBe(before!.n);
  });
});

describe("aging by the business date", () => {
  it("ages open items by days past due as the clock moves", async () => {
    const account = await newAccount(t);
    t.clock.set("2026-01-15T18:00:00Z");
    await charge(t, account, 100, { due_date: "2026-01-10" });
    await charge(t, account, 200, { due_date: "2026-02-09" });
    await charge(t, account, 400, { due_date: "2026-03-01" });
    await charge(t, account, 800, { due_date: "2026-03-02" });
    await charge(t, account, 1_600, { due_date: null });
    t.clock.set("2026-03-02T17:00:00Z");
    // Due 2026-01-10: 51 days late; 02-09: 21; 03-01: 1; due today: current; unbilled: current.
    expect(await accountBalances(t.ctx, account)).toEqual({
      account_id: account,
      as_of: "2026-03-02",
      balance_cents: 3_100n,
      amount_due_cents: 1_500n,
      past_due_cents: 700n,
      open_items_cents: 3_100n,
      unbilled_cents: 1_600n,
      unapplied_credit_cents: 0n,
      aging: {
        current_cents: 2_400n,
        days_1_30_cents: 600n,
        days_31_60_cents: 100n,
        days_61_90_cents: 0n,
        days_91_plus_cents: 0n,
      },
    });
    t.clock.set("2026-04-11T17:00:00Z"); // 91, 61, 41 and 40 days late
    expect((await accountBalances(t.ctx, account)).aging).toEqual({
      current_cents: 1_600n,
      days_1_30_cents: 0n,
      days_31_60_cents: 1_200n,
      days_61_90_cents: 200n,
      days_91_plus_cents: 100n,
    });
    t.clock.set("2026-03-02T17:00:00Z");
  });
});

describe("reversal", () => {
  it("reverses a partly paid charge: the clearing is reset, the mirror posted, the freed credit re-applied", async () => {
    const account = await newAccount(t);
    const wrong = await charge(t, account, 5_000, { due_date: "2026-02-01", reference: "bill:wrong" });
    const next = await charge(t, account, 3_000, { due_date: "2026-03-01" });
    const paid = await credit(t, account, 4_000);
    expect(paid.matches.map((m) => m.item_id)).toEqual([wrong.item.id]);

    const reversed = await reverseEntry(t.ctx, wrong.entry_id, "billed the wrong meter");
    expect(reversed.reset_entry_id).not.toBeNull();
    expect(reversed.balance_cents).toBe(-1_000n);
    const mirror = await rows<{ gl_account: string; amount_cents: bigint; reverses_entry_id: unknown }>(
      sql`SELECT p.gl_account, p.amount_cents, e.reverses_entry_id FROM journal_postings p
          JOIN journal_entries e ON e.id = p.entry_id WHERE e.id = ${reversed.reversal_entry_id} ORDER BY p.id`,
    );
    expect(mirror.map((m) => [m.gl_account, m.amount_cents])).toEqual([
      ["1100", -5_000n],
      ["4010", 5_000n],
    ]);
    expect(Number(mirror[0]!.reverses_entry_id)).toBe(wrong.entry_id);
    const { items, credits } = await accountItems(t.ctx, account);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(wrong.item.id)).toMatchObject({ status: "reversed", open_cents: 0n });
    expect(byId.get(wrong.item.id)!.matches[0]!.undone_by_entry_id).toBe(reversed.reset_entry_id);
    expect(byId.get(next.item.id)).toMatchObject({ status: "cleared", open_cents: 0n });
    expect(credits[0]).toMatchObject({ unapplied_cents: 1_000n, status: "unapplied" });

    const again = await refusal(reverseEntry(t.ctx, wrong.entry_id, "twice"));
    expect(again).toMatchObject({ status: 422, extra: { rule: "ledger.already_reversed" } });
    const reversal = await refusal(reverseEntry(t.ctx, reversed.reversal_entry_id, "undo"));
    expect(reversal).toMatchObject({ status: 422, extra: { rule: "ledger.entry_not_reversible" } });
    expect((await refusal(reverseEntry(t.ctx, 987_654, "none"))).status).toBe(404);
  });

  it("reverses a payment (returned cheque): its items are open again and its credit gone", async () => {
    const account = await newAccount(t);
    const bill = await charge(t, account, 2_000);
    const paid = await credit(t, account, 2_500);
    const later = await charge(t, account, 400, { category: "fee" });
    expect(later.item.status).toBe("cleared");
    const returned = await reverseEntry(t.ctx, paid.entry_id, "returned cheque");
    expect(returned.balance_cents).toBe(2_400n);
    const { items, credits } = await accountItems(t.ctx, account, { status: "open" });
    expect(items.map((i) => [i.id, i.open_cents])).toEqual([
      [bill.item.id, 2_000n],
      [later.item.id, 400n],
    ]);
    expect(credits).toEqual([]);
    const ledger = await accountLedger(t.ctx, account);
    expect(ledger.complete).toBe(true);
    expect(ledger.postings.at(-1)!.running_balance_cents).toBe(2_400n);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("reverses a GL-only entry with its mirror, and refuses a GL-only entry on a subledger account", async () => {
    const deposit = await postGeneralEntry(t.ctx, {
      description: "drawer 3 to the bank",
      reference: "drawer:3",
      postings: [
        { gl_account: "1020", amount_cents: 9_900n },
        { gl_account: "1010", amount_cents: -9_900n },
      ],
    });
    const reversed = await reverseEntry(t.ctx, deposit.entry_id, "deposited twice");
    expect(reversed.balance_cents).toBeNull();
    const onSubledger = await refusal(
      postGeneralEntry(t.ctx, {
        description: "x",
        reference: "x",
        postings: [
          { gl_account: "1100", amount_cents: 1n },
          { gl_account: "4010", amount_cents: -1n },
        ],
      }),
    );
    expect(onSubledger.status).toBe(400);
    const unbalanced = await refusal(
      postGeneralEntry(t.ctx, {
        description: "x",
        reference: "x",
        postings: [
          { gl_account: "1020", amount_cents: 2n },
          { gl_account: "1010", amount_cents: -1n },
        ],
      }),
    );
    expect(unbalanced.extra.errors).toEqual([{ field: "postings", message: "unbalanced" }]);
  });
});
