import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { REVERSAL_REASON_CODES, REVERSAL_REASONS } from "./inputs.js";
import { balanceOf, send } from "./test-fixtures.js";

// Random sequences of charges, payments over several accounts (several tenders), transfers, reversals (returned
// ones with their fee), adjustments and days passing, all through the API, keep the ledger verified and every
// account's balance equal to a simple model: charges add, payments subtract, a transfer moves, a reversal gives
// back what the payment still held and a returned one adds the fee.

const FEE = 2_500n;
let t: TestApp;
const accounts: number[] = [];
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  for (let i = 0; i < 4; i++) accounts.push(await newAccount(t));
  // Returned payments would make accounts cash-only; let every tender through so the model needs no calendar.
  await putSetting(t.ctx, "payments.cash_only.refused_tenders", { effective_from: "2000-01-01", value: [] });
});
afterAll(async () => t?.close());

const cents = fc.integer({ min: 1, max: 40_000 });
const tenderType = fc.constantFrom("check", "money_order", "card", "ach");
const operation = fc.oneof(
  fc.record({
    type: fc.constant("charge" as const),
    account: fc.nat(3),
    cents,
    due: fc.option(fc.integer({ min: -60, max: 30 })),
  }),
  fc.record({
    type: fc.constant("pay" as const),
    shares: fc.uniqueArray(fc.record({ account: fc.nat(3), cents }), {
      minLength: 1,
      maxLength: 3,
      selector: (s) => s.account,
    }),
    tenders: fc.array(tenderType, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    type: fc.constant("reverse" as const),
    pick: fc.nat(),
    reason: fc.constantFrom(...REVERSAL_REASON_CODES),
  }),
  fc.record({
    type: fc.constant("transfer" as const),
    pick: fc.nat(),
    to: fc.nat(3),
    part: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    type: fc.constant("adjust" as const),
    account: fc.nat(3),
    kind: fc.constantFrom("charge", "credit"),
    cents: fc.integer({ min: 1, max: 100_000 }),
  }),
  fc.record({ type: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 40 }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never;

/** The model: each account's balance, and each live payment's money per account and the account it was taken for. */
const expected = new Map<number, bigint>();
const live = new Map<number, { first: number; held: Map<number, bigint> }>();
const move = (account: number, delta: bigint) => expected.set(account, (expected.get(account) ?? 0n) + delta);

function tenderOf(type: string, amount: number, n: number) {
  switch (type) {
    case "check":
      return { type, amount_cents: amount, check_number: `${n}` };
    case "money_order":
      return { type, amount_cents: amount, serial_number: `MO${n}` };
    case "card":
      return { type, amount_cents: amount, processor_token: `tok_${n}`, brand: "visa", last4: "4242" };
    default:
      return { type, amount_cents: amount, processor_token: `ach_${n}`, account_last4: "6789" };
  }
}

let serial = 0;
async function apply(op: Operation) {
  const ok = (res: { statusCode: number; body: string }) => {
    if (res.statusCode !== 201) throw new Error(`${op.type} failed: ${res.statusCode} ${res.body}`);
  };
  if (op.type === "advance") {
    t.clock.advance({ hours: 24 * op.days });
  } else if (op.type === "charge") {
    const due = op.due === null ? null : t.clock.today().add({ days: op.due }).toString();
    await charge(t, accounts[op.account]!, op.cents, { due_date: due });
    move(accounts[op.account]!, BigInt(op.cents));
  } else if (op.type === "pay") {
    const total = op.shares.reduce((s, x) => s + x.cents, 0);
    // Split the total over the tenders (the first takes any odd cent).
    const each = Math.floor(total / op.tenders.length);
    const amounts = op.tenders.map((_, i) => (i === 0 ? total - each * (op.tenders.length - 1) : each));
    const tenders = op.tenders
      .map((type, i) => tenderOf(type, amounts[i]!, ++serial))
      .filter((x) => x.amount_cents > 0);
    const res = await send(
      t,
      "/api/v1/payments",
      {
        tenders,
        distribution: op.shares.map((s) => ({ account_id: accounts[s.account]!, amount_cents: s.cents })),
      },
      { role: "supervisor" },
    );
    ok(res);
    const held = new Map<number, bigint>();
    for (const s of op.shares) {
      held.set(accounts[s.account]!, BigInt(s.cents));
      move(accounts[s.account]!, -BigInt(s.cents));
    }
    live.set(res.json().id, { first: accounts[op.shares[0]!.account]!, held });
  } else if (op.type === "reverse" || op.type === "transfer") {
    const ids = [...live.keys()];
    if (ids.length === 0) return;
    const id = ids[op.pick % ids.length]!;
    const payment = live.get(id)!;
    if (op.type === "reverse") {
      ok(await send(t, `/api/v1/payments/${id}/reversal`, { reason: op.reason }, { role: "supervisor" }));
      for (const [account, held] of payment.held) move(account, held);
      if (REVERSAL_REASONS[op.reason].returned) {
        const [top] = [...payment.held].sort(([a, x], [b, y]) => (x === y ? a - b : x > y ? -1 : 1));
        move(payment.held.has(payment.first) ? payment.first : top![0], FEE);
      }
      live.delete(id);
    } else {
      const [from, held] = [...payment.held][op.pick % payment.held.size]!;
      const to = accounts[op.to]!;
      if (to === from) return;
      const amount = 1n + BigInt(Math.floor(op.part * Number(held - 1n)));
      ok(
        await send(
          t,
          `/api/v1/payments/${id}/transfer`,
          { from_account_id: from, to_account_id: to, amount_cents: Number(amount), reason: "property" },
          { role: "supervisor" },
        ),
      );
      move(from, amount);
      move(to, -amount);
      if (held === amount) payment.held.delete(from);
      else payment.held.set(from, held - amount);
      payment.held.set(to, (payment.held.get(to) ?? 0n) + amount);
    }
  } else {
    const account = accounts[op.account]!;
    ok(
      await send(
        t,
        `/api/v1/accounts/${account}/adjustments`,
        { kind: op.kind, amount_cents: op.cents, reason_code: "billing_error" },
        { role: "supervisor" },
      ),
    );
    move(account, op.kind === "charge" ? BigInt(op.cents) : -BigInt(op.cents));
  }
}

describe("payments, transfers, reversals and adjustments (property)", () => {
  it("keep the ledger verified and balances equal to the model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 20 }), async (ops) => {
        for (const op of ops) await apply(op);
        for (const account of accounts) expect(await balanceOf(t, account)).toBe(expected.get(account) ?? 0n);
        const verified = await verifyLedger(t.ctx);
        expect(verified.violations).toEqual([]);
      }),
      { numRuns: 40, endOnFailure: true },
    );
    expect(live.size + serial).toBeGreaterThan(0);
  });
});
