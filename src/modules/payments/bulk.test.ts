import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { Problem } from "../../platform/errors.js";
import { verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { type BulkPayment, postPaymentsBulk } from "./bulk.js";
import { takePayment } from "./service.js";
import { balanceOf, moneyCounts, read, send } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);
const chunkAudit = { action: "test.bulk_post", entityType: "test_run", entityId: 1 };
let serial = 0;

/** A check payment for the list, with a fresh source reference unless one is given. */
const aCheck = (accountId: number, cents: number, over: Partial<BulkPayment> = {}): BulkPayment => ({
  sourceRef: `test:${++serial}`,
  accountId,
  amountCents: BigInt(cents),
  tender: { type: "check", checkNumber: `${1000 + serial}` },
  channel: "lockbox",
  receivedOn: "2026-03-01",
  ...over,
});

async function refusal(call: Promise<unknown>): Promise<Problem> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof Problem)) throw new Error(`expected a problem, got ${String(err)}`);
  return err;
}

describe("posting payments in bulk", () => {
  it("posts each payment with its tender, line, credit and entries, oldest due first, as takePayment would", async () => {
    const account = await newAccount(t);
    const older = await charge(t, account, 3_000, { due_date: "2026-02-10" });
    const newer = await charge(t, account, 4_000, { due_date: "2026-03-20" });
    const list = [aCheck(account, 5_000), aCheck(account, 4_000, { note: "second check" })];
    const posted = await postPaymentsBulk(t.ctx, list, chunkAudit);
    expect(posted).toEqual(
      list.map((p) => ({
        sourceRef: p.sourceRef,
        paymentId: expect.any(Number),
        accountId: account,
        amountCents: p.amountCents,
        alreadyPosted: false,
      })),
    );
    expect(posted[1]!.paymentId).toBeGreaterThan(posted[0]!.paymentId);
    expect(await balanceOf(t, account)).toBe(-2_000n);

    const res = await read(t, `/api/v1/payments/${posted[0]!.paymentId}`);
    expect(res.statusCode).toBe(200);
    const first = res.json();
    expect(first).toMatchObject({
      status: "posted",
      accounting_date: "2026-03-02",
      received_on: "2026-03-01",
      channel: "lockbox",
      total_cents: 5_000,
      taken_by: "test",
      tenders: [{ type: "check", amount_cents: 5_000, check_number: list[0]!.tender.checkNumber, gl_account: "1020" }],
      distribution: [{ account_id: account, amount_cents: 5_000, status: "posted", unapplied_cents: 0 }],
    });
    // The first pays the older bill and part of the newer; the second the rest, leaving 2,000 unapplied.
    const matches = await rows<{ item_id: bigint; credit_id: bigint; amount_cents: bigint }>(
      sql`SELECT item_id, credit_id, amount_cents FROM receivable_matches WHERE account_id = ${account} ORDER BY id`,
    );
    const second = (await read(t, `/api/v1/payments/${posted[1]!.paymentId}`)).json();
    expect(second.distribution[0].unapplied_cents).toBe(2_000);
    expect(second.note).toBe("second check");
    expect(matches).toEqual([
      { item_id: BigInt(older.item.id), credit_id: BigInt(first.distribution[0].credit_id), amount_cents: 3_000n },
      { item_id: BigInt(newer.item.id), credit_id: BigInt(first.distribution[0].credit_id), amount_cents: 2_000n },
      { item_id: BigInt(newer.item.id), credit_id: BigInt(second.distribution[0].credit_id), amount_cents: 2_000n },
    ]);
    const [entry] = await rows<{ kind: string; reference: string; description: string }>(
      sql`SELECT kind, reference, description FROM journal_entries WHERE id = ${first.distribution[0].entry_id}`,
    );
    expect(entry).toEqual({
      kind: "credit",
      reference: `payment:${first.id}`,
      description: `payment ${first.id}: Check #${list[0]!.tender.checkNumber}`,
    });
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("shows bulk-posted payments in the account's payment history and lets them be reversed like any other", async () => {
    const account = await newAccount(t);
    await charge(t, account, 10_000);
    const [posted] = await postPaymentsBulk(
      t.ctx,
      [aCheck(account, 6_000, { tender: { type: "money_order", serialNumber: "MO-77" } })],
      chunkAudit,
    );
    const history = await read(t, `/api/v1/accounts/${account}/payments`);
    expect(history.statusCode).toBe(200);
    expect(history.json().payments).toMatchObject([
      {
        id: posted!.paymentId,
        status: "posted",
        channel: "lockbox",
        total_cents: 6_000,
        account_amount_cents: 6_000,
        tenders: [{ type: "money_order", amount_cents: 6_000, description: "Money order #MO-77" }],
      },
    ]);
    const reversed = await send(
      t,
      `/api/v1/payments/${posted!.paymentId}/reversal`,
      { reason: "returned_check" },
      { role: "supervisor" },
    );
    expect(reversed.statusCode).toBe(201);
    // Back to the bill, plus the returned-payment fee.
    expect(await balanceOf(t, account)).toBe(10_000n + 2_500n);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("skips payments whose source reference was posted already, moving nothing for them", async () => {
    const account = await newAccount(t);
    await charge(t, account, 9_000);
    const first = [aCheck(account, 1_000), aCheck(account, 2_000)];
    const done = await postPaymentsBulk(t.ctx, first, chunkAudit);
    const before = await moneyCounts(t);
    const again = await postPaymentsBulk(t.ctx, [...first, aCheck(account, 500)], chunkAudit);
    expect(again.map((p) => p.alreadyPosted)).toEqual([true, true, false]);
    expect(again.slice(0, 2).map((p) => p.paymentId)).toEqual(done.map((p) => p.paymentId));
    expect(await balanceOf(t, account)).toBe(9_000n - 3_500n);
    const after = await moneyCounts(t);
    expect(after.payments).toBe(before.payments! + 1);
    expect(after.receivable_credits).toBe(before.receivable_credits! + 1);
    // Everything posted already: nothing moves, the run is still audited.
    const none = await postPaymentsBulk(t.ctx, first, chunkAudit);
    expect(none.every((p) => p.alreadyPosted)).toBe(true);
    expect(await moneyCounts(t)).toEqual(after);
  });

  it("audits the chunk in one row (count, total, first and last source references) and each payment for its account's history", async () => {
    const a = await newAccount(t);
    const b = await newAccount(t);
    const list = [aCheck(a, 1_100), aCheck(b, 2_200), aCheck(a, 3_300)];
    const entityId = `chunk-${serial}`;
    const [{ n: before }] = (await rows<{ n: bigint }>(sql`SELECT count(*)::int8 AS n FROM audit_log`)) as [
      { n: bigint },
    ];
    await postPaymentsBulk(t.ctx, list, { action: "lockbox.chunk", entityType: "lockbox_file", entityId, note: "x" });
    const audited = await rows<{ action: string; entity_type: string; entity_id: string; after: unknown }>(
      sql`SELECT action, entity_type, entity_id, after FROM audit_log WHERE id > (SELECT max(id) - 10 FROM audit_log)
          AND entity_id = ${entityId}`,
    );
    expect(audited).toEqual([
      {
        action: "lockbox.chunk",
        entity_type: "lockbox_file",
        entity_id: entityId,
        after: {
          count: 3,
          total_cents: "6600",
          already_posted: 0,
          first_source_ref: list[0]!.sourceRef,
          last_source_ref: list[2]!.sourceRef,
          note: "x",
        },
      },
    ]);
    const [{ n }] = (await rows<{ n: bigint }>(sql`SELECT count(*)::int8 AS n FROM audit_log`)) as [{ n: bigint }];
    expect(n - before).toBe(4n);
    const taken = await rows<{ account_id: bigint; after: { total_cents: string; channel: string } }>(
      sql`SELECT account_id, after FROM audit_log WHERE action = 'payments.take' AND id > (SELECT max(id) - 10 FROM audit_log)
          ORDER BY id`,
    );
    expect(taken.map((r) => [Number(r.account_id), r.after.total_cents])).toEqual([
      [a, "1100"],
      [b, "2200"],
      [a, "3300"],
    ]);
    const timeline = await t.app.inject({ url: `/api/v1/accounts/${a}/activity`, headers: await t.as("csr") });
    const titles = (timeline.json().events as { title: string }[]).map((e) => e.title);
    expect(titles).toEqual(expect.arrayContaining(["Payment $11.00 received", "Payment $33.00 received"]));
  });

  it("debits the GL account named (payment suspense), and refuses a subledger account naming the payment", async () => {
    const account = await newAccount(t);
    const [posted] = await postPaymentsBulk(t.ctx, [aCheck(account, 700, { glDebitAccount: "2150" })], chunkAudit);
    const [line] = await rows<{ gl_account: string; tender_gl: string; debit: string }>(
      sql`SELECT l.gl_account, t.gl_account AS tender_gl,
                 (SELECT gl_account FROM journal_postings WHERE entry_id = l.entry_id AND amount_cents > 0) AS debit
          FROM payment_lines l JOIN payment_tenders t ON t.payment_id = l.payment_id
          WHERE l.payment_id = ${posted!.paymentId}`,
    );
    expect(line).toEqual({ gl_account: "2150", tender_gl: "2150", debit: "2150" });
    const before = await moneyCounts(t);
    const err = await refusal(
      postPaymentsBulk(t.ctx, [aCheck(account, 100), aCheck(account, 100, { glDebitAccount: "2100" })], chunkAudit),
    );
    expect(err.status).toBe(400);
    expect(err.extra.errors).toEqual([{ field: "payments.1.gl_debit_account", message: expect.any(String) }]);
    expect(await moneyCounts(t)).toEqual(before);
  });

  it("refuses unknown accounts and bad fields naming each payment, and writes nothing", async () => {
    const account = await newAccount(t);
    const before = await moneyCounts(t);
    const unknown = await refusal(
      postPaymentsBulk(t.ctx, [aCheck(account, 100), aCheck(987_654_321, 100), aCheck(account, 100)], chunkAudit),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.extra.errors).toEqual([{ field: "payments.1.account_id", message: "no such account" }]);
    const same = aCheck(account, 100);
    const bad = await refusal(
      postPaymentsBulk(
        t.ctx,
        [
          same,
          { ...same },
          aCheck(account, 0),
          aCheck(account, 100, { receivedOn: "2026-03-03" }),
          aCheck(account, 100, { receivedOn: "2026-02-30" }),
          aCheck(account, 100, { tender: { type: "card" as "cash" } }),
        ],
        chunkAudit,
      ),
    );
    expect(bad.status).toBe(400);
    expect((bad.extra.errors as { field: string }[]).map((e) => e.field)).toEqual([
      "payments.1.source_ref",
      "payments.2.amount_cents",
      "payments.3.received_on",
      "payments.4.received_on",
      "payments.5.tender.type",
    ]);
    expect(await moneyCounts(t)).toEqual(before);
    expect(await postPaymentsBulk(t.ctx, [], chunkAudit)).toEqual([]);
  });

  it("posts within the caller's transaction: rolled back with it", async () => {
    const account = await newAccount(t);
    const before = await moneyCounts(t);
    await expect(
      t.database.db.transaction(async (db) => {
        await postPaymentsBulk({ ...t.ctx, db }, [aCheck(account, 100)], chunkAudit);
        throw new Error("the caller gives up");
      }),
    ).rejects.toThrow("the caller gives up");
    expect(await moneyCounts(t)).toEqual(before);
  });

  it("never deadlocks with other bulk posts and single payments over several accounts, at once", async () => {
    const accounts: number[] = [];
    const expected = new Map<number, bigint>();
    for (let i = 0; i < 24; i++) {
      accounts.push(await newAccount(t));
      await charge(t, accounts[i]!, 50_000, { due_date: "2026-02-01" });
      expected.set(accounts[i]!, 50_000n);
    }
    for (let round = 0; round < 4; round++) await concurrentRound(accounts, expected);
    for (const a of accounts) expect(await balanceOf(t, a)).toBe(expected.get(a));
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});

/**
 * Three bulk posts over the same accounts in different orders, and payments each spread over three accounts (which
 * lock them one after the other, ascending), all at once.
 */
async function concurrentRound(accounts: number[], expected: Map<number, bigint>) {
  const pay = (list: number[], cents: number) => {
    for (const a of list) expected.set(a, expected.get(a)! - BigInt(cents));
    return list.map((a) => aCheck(a, cents));
  };
  const shuffled = accounts.map((_a, i) => accounts[(i * 7) % accounts.length]!);
  const bulks = [pay(accounts, 100), pay([...accounts].reverse(), 200), pay(shuffled, 300)].map((list) =>
    postPaymentsBulk(t.ctx, list, chunkAudit),
  );
  const singles = [0, 1, 2, 3, 4, 5].map((i) => {
    const spread = [accounts[i]!, accounts[i + 9]!, accounts[i + 18]!];
    pay(spread, 10);
    return takePayment(t.ctx, {
      channel: "back_office",
      tenders: [{ type: "check", amount_cents: 30, check_number: `S${serial}x${i}` }],
      distribution: spread.map((account_id) => ({ account_id, amount_cents: 10 })),
    });
  });
  const outcomes = await Promise.allSettled([...bulks, ...singles]);
  expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
}
