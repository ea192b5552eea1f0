import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { accountItems, verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { balanceOf, checkPayment, moneyCounts, payByCheck, read, send } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const transfer = (id: number, body: Record<string, unknown>, role = "csr") =>
  send(t, `/api/v1/payments/${id}/transfer`, body, { role });
const reverse = (id: number, body: Record<string, unknown>, role = "supervisor") =>
  send(t, `/api/v1/payments/${id}/reversal`, body, { role });

describe("payment transfer", () => {
  it("moves part of a payment to another account as a reversal and new credits, keeping the trail", async () => {
    const wrong = await newAccount(t);
    const right = await newAccount(t);
    await charge(t, right, 6_000);
    const p = await payByCheck(t, wrong, 10_000);
    expect(await balanceOf(t, wrong)).toBe(-10_000n);

    const res = await transfer(p.id, {
      from_account_id: wrong,
      to_account_id: right,
      amount_cents: 6_000,
      reason: "keyed to the neighbour's account",
    });
    expect(res.statusCode).toBe(201);
    const moved = res.json();
    expect(moved.status).toBe("posted");
    expect(moved.transfers).toMatchObject([
      { from_account_id: wrong, to_account_id: right, amount_cents: 6_000, reason: "keyed to the neighbour's account" },
    ]);
    const tid = moved.transfers[0].id;
    expect(
      moved.distribution.map((l: Record<string, unknown>) => [
        l.account_id,
        l.amount_cents,
        l.status,
        l.transfer_id,
        l.from_transfer_id,
      ]),
    ).toEqual([
      [wrong, 10_000, "transferred", tid, null],
      [wrong, 4_000, "posted", null, tid],
      [right, 6_000, "posted", null, tid],
    ]);
    expect(moved.distribution[0].reversal_entry_id).toEqual(expect.any(Number));
    expect(await balanceOf(t, wrong)).toBe(-4_000n);
    expect(await balanceOf(t, right)).toBe(0n);
    expect(moved.accounts.map((a: { amount_cents: number }) => a.amount_cents)).toEqual([4_000, 6_000]);

    // The rest, then: nothing more than is there; and the right account's history shows it.
    const tooMuch = await transfer(p.id, {
      from_account_id: wrong,
      to_account_id: right,
      amount_cents: 4_001,
      reason: "x",
    });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json()).toMatchObject({
      rule: "payments.transfer_exceeds_share",
      errors: [{ field: "amount_cents" }],
    });
    const all = await transfer(p.id, {
      from_account_id: wrong,
      to_account_id: right,
      amount_cents: 4_000,
      reason: "all of it",
    });
    expect(all.statusCode).toBe(201);
    expect(await balanceOf(t, wrong)).toBe(0n);
    expect(await balanceOf(t, right)).toBe(-4_000n);
    const history = (await read(t, `/api/v1/accounts/${right}/payments`)).json();
    expect(history.payments[0]).toMatchObject({ id: p.id, account_amount_cents: 10_000 });
    const old = (await read(t, `/api/v1/accounts/${wrong}/payments`)).json();
    expect(old.payments[0]).toMatchObject({ id: p.id, account_amount_cents: 0 });
  });

  it("refuses a transfer from an account the payment is not on, to itself, or to an unknown account", async () => {
    const a = await newAccount(t);
    const b = await newAccount(t);
    const p = await payByCheck(t, a, 1_000);
    const notOn = await transfer(p.id, { from_account_id: b, to_account_id: a, amount_cents: 100, reason: "x" });
    expect(notOn.statusCode).toBe(422);
    expect(notOn.json()).toMatchObject({ rule: "payments.not_on_account", errors: [{ field: "from_account_id" }] });
    const self = await transfer(p.id, { from_account_id: a, to_account_id: a, amount_cents: 100, reason: "x" });
    expect(self.statusCode).toBe(400);
    expect(self.json().errors[0].field).toBe("to_account_id");
    const unknown = await transfer(p.id, {
      from_account_id: a,
      to_account_id: 99_999_999,
      amount_cents: 100,
      reason: "x",
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors[0].field).toBe("to_account_id");
    const noPayment = await transfer(99_999_999, {
      from_account_id: a,
      to_account_id: b,
      amount_cents: 100,
      reason: "x",
    });
    expect(noPayment.statusCode).toBe(404);
    expect(
      (await transfer(p.id, { from_account_id: a, to_account_id: b, amount_cents: 100, reason: "x" }, "cashier"))
        .statusCode,
    ).toBe(403);
    expect(await balanceOf(t, a)).toBe(-1_000n);
  });
});

describe("payment reversal", () => {
  it("reverses every credit of a payment keyed in error: items open again, no fee", async () => {
    const a = await newAccount(t);
    const b = await newAccount(t);
    const bill = await charge(t, a, 3_000);
    const res = await send(t, "/api/v1/payments", {
      tenders: [{ type: "money_order", amount_cents: 5_000, serial_number: "MO-55" }],
      distribution: [
        { account_id: a, amount_cents: 3_000 },
        { account_id: b, amount_cents: 2_000 },
      ],
    });
    const p = res.json();
    const before = await moneyCounts(t);
    const rev = await reverse(p.id, { reason: "keyed_in_error", note: "wrong amount keyed" });
    expect(rev.statusCode).toBe(201);
    expect(rev.json()).toMatchObject({
      status: "reversed",
      reversal: { reason: "keyed_in_error", note: "wrong amount keyed", returned: false, fee_item_id: null },
    });
    expect(rev.json().distribution.every((l: { status: string }) => l.status === "reversed")).toBe(true);
    expect(await balanceOf(t, a)).toBe(3_000n);
    expect(await balanceOf(t, b)).toBe(0n);
    const { items } = await accountItems(t.ctx, a);
    expect(items.find((i) => i.id === bill.item.id)?.open_cents).toBe(3_000n);
    const after = await moneyCounts(t);
    expect(after.receivable_items).toBe(before.receivable_items);

    const twice = await reverse(p.id, { reason: "duplicate" });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().rule).toBe("payments.already_reversed");
    const moveReversed = await transfer(p.id, { from_account_id: a, to_account_id: b, amount_cents: 1, reason: "x" });
    expect(moveReversed.json().rule).toBe("payments.already_reversed");
    expect((await reverse(p.id, { reason: "nsf" }, "csr")).statusCode).toBe(403);
  });

  it("a returned check adds the fee; the second return within 12 months puts the account on cash only", async () => {
    const account = await newAccount(t);
    await charge(t, account, 10_000);
    const first = await payByCheck(t, account, 10_000);
    const r1 = await reverse(first.id, { reason: "returned_check" });
    expect(r1.statusCode).toBe(201);
    const fee = r1.json().reversal;
    expect(fee).toMatchObject({ returned: true, fee_cents: 2_500, fee_item_id: expect.any(Number) });
    const { items } = await accountItems(t.ctx, account);
    expect(items.find((i) => i.id === fee.fee_item_id)).toMatchObject({
      category: "fee",
      original_cents: 2_500n,
      due_date: null,
    });
    expect(await balanceOf(t, account)).toBe(12_500n);
    expect(r1.json().accounts[0].cash_only).toBe(false);
    expect((await read(t, `/api/v1/accounts/${account}`)).json().cash_only).toBe(false);

    // Eleven months on, a second check comes back: two in twelve months.
    t.clock.set("2027-02-01T18:00:00Z");
    const second = await payByCheck(t, account, 12_500);
    const r2 = await reverse(second.id, { reason: "nsf" });
    expect(r2.json().accounts[0]).toMatchObject({ cash_only: true, cash_only_until: "2028-02-01" });
    expect((await read(t, `/api/v1/accounts/${account}`)).json().cash_only).toBe(true);
    expect(await balanceOf(t, account)).toBe(15_000n);

    // Cash only: no personal check or ACH; a money order is fine.
    const check = await send(t, "/api/v1/payments", checkPayment(account, 1_000));
    expect(check.statusCode).toBe(422);
    expect(check.json()).toMatchObject({ rule: "payments.cash_only", errors: [{ field: "tender.type" }] });
    const mo = await send(t, "/api/v1/payments", {
      account_id: account,
      amount_cents: 1_000,
      tender: { type: "money_order", serial_number: "77-1" },
    });
    expect(mo.statusCode).toBe(201);

    // A year on it lapses.
    t.clock.set("2028-02-01T18:00:00Z");
    expect((await read(t, `/api/v1/accounts/${account}`)).json().cash_only).toBe(false);
    t.clock.set("2026-03-02T17:00:00Z");
  });

  it("does not count returns more than 12 months apart, and takes the fee as in force on the day", async () => {
    const account = await newAccount(t);
    t.clock.set("2026-03-02T17:00:00Z");
    await reverse((await payByCheck(t, account, 1_000)).id, { reason: "returned_check" });
    await putSetting(t.ctx, "payments.returned_payment.fee_cents", { effective_from: "2027-01-01", value: 3_000 });
    t.clock.set("2027-03-03T18:00:00Z");
    const r = await reverse((await payByCheck(t, account, 1_000)).id, { reason: "ach_return" });
    expect(r.json().reversal.fee_cents).toBe(3_000);
    expect(r.json().accounts[0].cash_only).toBe(false);
    t.clock.set("2026-03-02T17:00:00Z");
  });

  it("reverses a transferred payment on the account it now sits on and charges the fee there", async () => {
    const a = await newAccount(t);
    const b = await newAccount(t);
    const p = await payByCheck(t, a, 2_000);
    await transfer(p.id, { from_account_id: a, to_account_id: b, amount_cents: 2_000, reason: "wrong account" });
    const r = await reverse(p.id, { reason: "returned_check" });
    expect(r.statusCode).toBe(201);
    expect(await balanceOf(t, a)).toBe(0n);
    expect(await balanceOf(t, b)).toBe(2_500n);
    const [row] = await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql`SELECT count(*)::int8 AS n FROM audit_log WHERE entity_type = 'payment' AND entity_id = ${String(p.id)}`,
    );
    expect(row!.n).toBe(4n); // taken, transferred out, transferred in, reversed
  });

  it("leaves the ledger balanced", async () => {
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
