import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { systemClock } from "../../platform/clock.js";
import { loadConfig } from "../../platform/config.js";
import { putSetting } from "../../platform/settings.js";
import { postCharge, verifyLedger } from "../ledger/index.js";
import { takePayment } from "../payments/index.js";
import { PROFILE_DEFAULTS } from "../policy/index.js";
import { applyClosedAccountDeposits } from "./apply.js";
import { depositInterest, refundDueDeposits } from "./refunds.js";

// Deposits through the ledger on an injected clock: required by policy for a customer with no history, billed in
// installments, paid, then refunded after twelve months of on-time payments with the interest policy pays; a late
// payment restarts the run; a letter of credit waives; the IOU profile refuses; bad input changes nothing.
let t: TestApp;
let serial = 0;

beforeAll(async () => {
  t = await testApp({ now: "2025-01-06T18:00:00Z" });
  const rules = structuredClone(PROFILE_DEFAULTS.municipal);
  rules.deposit.interest_percent = "1.5";
  await putSetting(t.ctx, "policy.rules.municipal", { effective_from: "2024-01-01", value: rules });
}, 120_000);
afterAll(async () => t?.close());

async function customer(ssn = `123-45-${String(6000 + ++serial)}`) {
  const made = await newCustomer(t, {
    party: aPerson({ first_name: `Dep${serial}`, identity: { type: "ssn", number: ssn } }),
    premise: aPremise({ address_line1: `${200 + serial} Deposit Ave` }),
    service_agreement: { tariff_code: "E-1", start_date: t.clock.today().toString() },
  });
  return made.account.id as number;
}

const post = async (url: string, payload: unknown, role = "csr") =>
  t.app.inject({
    method: "POST",
    url,
    headers: { ...(await t.as(role)), "idempotency-key": randomUUID() },
    payload: payload as object,
  });

async function pay(accountId: number, cents: number, on: string) {
  t.clock.set(`${on}T18:00:00Z`);
  await takePayment(t.ctx, {
    account_id: accountId,
    amount_cents: cents,
    tender: { type: "check", check_number: `C${accountId}${on.replaceAll("-", "")}` },
    channel: "mail",
  });
}

/** A $90 bill each month from February 2025 (due the 20th), paid on the 15th or, for `late` months, on the 25th. */
async function bills(accountId: number, months: number, late: number[] = []) {
  for (let m = 0; m < months; m++) {
    const d = new Date(Date.UTC(2025, 1 + m, 1)).toISOString().slice(0, 7);
    t.clock.set(`${d}-02T18:00:00Z`);
    await postCharge(t.ctx, {
      account_id: accountId,
      category: "energy",
      amount_cents: 9_000n,
      due_date: `${d}-20`,
      service_period: { from: `${d}-01`, to: `${d}-01` },
      reference: `bill:${d}`,
    });
    await pay(accountId, 9_000, `${d}-${late.includes(m) ? "25" : "15"}`);
  }
}

const depositRow = async (id: number) =>
  (
    await t.database.rows<{
      status: string;
      returned_cents: bigint;
      interest_cents: bigint;
      closed_note: string | null;
    }>(
      t.database.db,
      sql`SELECT status, returned_cents, interest_cents, closed_note FROM deposits WHERE id = ${id}::int8`,
    )
  )[0]!;

const balance = async (accountId: number) =>
  (
    await t.app.inject({ method: "GET", url: `/api/v1/accounts/${accountId}/balances`, headers: await t.as("csr") })
  ).json();

describe("deposits on a moving clock", () => {
  it("bills a no-history customer's deposit in installments and refunds it after 12 on-time months, with interest", async () => {
    t.clock.set("2025-01-06T18:00:00Z");
    const account = await customer();
    const required = await post(`/api/v1/accounts/${account}/deposits`, { reason: "establishment", installments: 2 });
    expect(required.statusCode, required.body).toBe(201);
    const deposit = required.json();
    expect(deposit).toMatchObject({
      status: "billed",
      amount_cents: "24000",
      installments: 2,
      unpaid_cents: "24000",
      rule_id: "deposit.establishment.no_history",
    });
    expect(deposit.explanation).toMatch(
      /^A deposit of \$240\.00 \(2 x the estimated average monthly bill of \$120\.00/,
    );
    const items = await t.database.rows<{ original_cents: bigint; due_date: string; reference: string }>(
      t.database.db,
      sql`SELECT original_cents, due_date::text AS due_date, reference FROM receivable_items
          WHERE account_id = ${account}::int8 AND category = 'deposit' ORDER BY id`,
    );
    expect(items).toEqual([
      { original_cents: 12_000n, due_date: "2025-01-25", reference: `deposit:${deposit.id}:1` },
      { original_cents: 12_000n, due_date: "2025-02-25", reference: `deposit:${deposit.id}:2` },
    ]);
    // The decision acted on is kept with its rule.
    const [kept] = await t.database.rows<{ rule_id: string; subject: string }>(
      t.database.db,
      sql`SELECT rule_id, subject FROM policy_decisions WHERE account_id = ${account}::int8`,
    );
    expect(kept).toEqual({ rule_id: "deposit.establishment.no_history", subject: `deposit:${deposit.id}` });

    await pay(account, 12_000, "2025-01-20");
    await bills(account, 1);
    await pay(account, 12_000, "2025-02-18"); // the deposit is paid in full on Feb 18
    await bills(account, 13);

    t.clock.set("2026-02-17T18:00:00Z");
    expect((await refundDueDeposits(t.ctx)).refunded).toEqual([]);
    t.clock.set("2026-02-18T18:00:00Z");
    const run = await refundDueDeposits(t.ctx);
    const interest = depositInterest(24_000n, "1.5", 365);
    expect(interest).toBe(360n);
    expect(run.refunded).toEqual([
      expect.objectContaining({
        deposit_id: deposit.id,
        returned_cents: "24000",
        interest_cents: "360",
        held_from: "2025-02-18",
        run_from: "2025-02-18",
      }),
    ]);
    expect(run.refunded[0]!.explanation).toBe(
      `Deposit ${deposit.id} ($240.00) refunded to the account with $3.60 interest (1.5% a year for 365 days): 12 ` +
        "months without a late payment since 2025-02-18, when it was paid in full.",
    );
    expect(await depositRow(deposit.id)).toMatchObject({
      status: "refunded",
      returned_cents: 24_000n,
      interest_cents: 360n,
    });
    // Nothing is owed, so the refund and its interest wait on the account as a credit.
    expect((await balance(account)).balance_cents).toBe(-24_360);
    expect((await refundDueDeposits(t.ctx)).refunded).toEqual([]);
  }, 120_000);

  it("a late payment restarts the run: no refund twelve months after payment, one twelve months after the late bill", async () => {
    t.clock.set("2025-01-06T18:00:00Z");
    const account = await customer();
    const deposit = (await post(`/api/v1/accounts/${account}/deposits`, { reason: "establishment" })).json();
    await pay(account, 24_000, "2025-01-10");
    await bills(account, 18, [4]); // June 2025's bill, due June 20, paid on June 25
    t.clock.set("2026-01-10T18:00:00Z");
    const early = await refundDueDeposits(t.ctx);
    expect(early.refunded.map((r) => r.deposit_id)).not.toContain(deposit.id);
    t.clock.set("2026-06-19T18:00:00Z");
    expect((await refundDueDeposits(t.ctx)).refunded.map((r) => r.deposit_id)).not.toContain(deposit.id);
    t.clock.set("2026-06-20T18:00:00Z");
    const due = (await refundDueDeposits(t.ctx)).refunded.find((r) => r.deposit_id === deposit.id)!;
    expect(due).toMatchObject({ run_from: "2025-06-20", held_from: "2025-01-10", returned_cents: "24000" });
    expect(due.explanation).toContain("the run restarted after the bill due 2025-06-20 was paid late");
    expect(due.interest_cents).toBe(depositInterest(24_000n, "1.5", 526).toString());
    const verified = await verifyLedger(t.ctx);
    expect(verified.violations).toEqual([]);
  }, 120_000);

  it("applies a deposit to the final bill when the account closes, cancelling what was not yet paid", async () => {
    t.clock.set("2025-01-06T18:00:00Z");
    const account = await customer();
    const deposit = (
      await post(`/api/v1/accounts/${account}/deposits`, { reason: "establishment", installments: 2 })
    ).json();
    await pay(account, 12_000, "2025-01-20"); // the first installment; the second ($120) is never paid
    t.clock.set("2025-02-10T18:00:00Z");
    await postCharge(t.ctx, {
      account_id: account,
      category: "energy",
      amount_cents: 9_000n,
      due_date: "2025-03-02",
      service_period: { from: "2025-01-06", to: "2025-02-09" },
      reference: "bill:final",
      description: "Final bill",
    });
    const before = (
      await t.app.inject({ method: "GET", url: `/api/v1/accounts/${account}`, headers: await t.as("csr") })
    ).json();
    const closed = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/accounts/${account}`,
      headers: await t.as("csr"),
      payload: { status: "closed", version: before.version },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    t.clock.set("2025-02-11T18:00:00Z");
    const applied = await applyClosedAccountDeposits(t.ctx, "2025-02-11");
    const mine = applied.find((a) => a.deposit_id === deposit.id)!;
    expect(mine).toMatchObject({ applied_cents: "12000", reversed_cents: "12000" });
    expect(mine.explanation).toMatch(
      /^Deposit \d+ applied to the account at its close \(2025-02-10\): \$120\.00 paid on it/,
    );
    expect(await depositRow(deposit.id)).toMatchObject({ status: "applied", returned_cents: 12_000n });
    // The final bill ($90) is paid from the deposit; $30 and the interest wait as a credit to refund.
    const owed = await balance(account);
    expect(owed.balance_cents).toBe(-(3_000 + Number(mine.interest_cents)));
    expect((await applyClosedAccountDeposits(t.ctx, "2025-02-11")).map((a) => a.deposit_id)).not.toContain(deposit.id);
  }, 120_000);

  it("the refund run follows KILOWATT_NOW as the command line's clock does", async () => {
    const config = loadConfig({ KILOWATT_NOW: "2027-01-04T17:00:00Z", KILOWATT_DATA_KEY: "07".repeat(32) });
    const clock = systemClock(config.timezone, config.now);
    expect(clock.today().toString()).toBe("2027-01-04");
    const run = await refundDueDeposits({ ...t.ctx, clock });
    expect(run.as_of).toBe("2027-01-04");
  });
});

describe("what policy refuses and what waives", () => {
  it("a letter of credit that falls short is kept and says why; one that meets policy waives the deposit", async () => {
    t.clock.set("2026-03-02T18:00:00Z");
    const account = await customer();
    const deposit = (await post(`/api/v1/accounts/${account}/deposits`, { reason: "establishment" })).json();
    expect((await balance(account)).balance_cents).toBe(24_000);
    // Asked twice: the decision is now the deposit on the account, and a second one is refused.
    const twice = await post(`/api/v1/accounts/${account}/deposits`, { reason: "establishment" });
    expect(twice.statusCode).toBe(422);
    expect(twice.json()).toMatchObject({
      rule: "deposit.establishment.already_billed",
      detail: `Deposit ${deposit.id} of $240.00 to start service is on the account since 2026-03-02: $0.00 paid, $240.00 still to pay.`,
    });
    const short = await post(`/api/v1/accounts/${account}/letters-of-credit`, {
      issuer: "Riverside Public Utilities",
      months_of_service: 8,
      late_payments: 1,
      disconnections: 0,
      issued_on: "2026-02-20",
    });
    expect(short.statusCode, short.body).toBe(201);
    expect(short.json()).toMatchObject({
      waives: false,
      shortfall: "8 months of service (policy asks 12), 1 late payment (at most 0)",
      waived: [],
    });
    const good = await post(`/api/v1/accounts/${account}/letters-of-credit`, {
      issuer: "Sacramento Municipal Utility District",
      months_of_service: 36,
      late_payments: 0,
      disconnections: 0,
      issued_on: "2026-02-25",
    });
    expect(good.json()).toMatchObject({ waives: true, waived: [{ id: deposit.id, status: "waived" }] });
    expect(await depositRow(deposit.id)).toMatchObject({ status: "waived" });
    expect((await balance(account)).balance_cents).toBe(0);
    // Policy now says no deposit, naming the letter; asking again is refused with that rule.
    const again = await post(`/api/v1/accounts/${account}/deposits`, { reason: "establishment" });
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({ rule: "deposit.establishment.letter_of_credit" });
  });

  it("refuses a deposit the IOU profile forbids, keeps bankruptcy assurance, and refuses bad input by field", async () => {
    t.clock.set("2026-03-02T18:00:00Z");
    const account = await customer();
    await putSetting(t.ctx, "policy.profile", { effective_from: "2026-03-02", value: "iou" });
    const before = await t.database.rows<{ n: bigint }>(t.database.db, sql`SELECT count(*)::int8 AS n FROM deposits`);
    const refused = await post(`/api/v1/accounts/${account}/deposits`, { reason: "establishment" });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      rule: "deposit.establishment.not_allowed",
      errors: [{ field: "reason" }],
      detail:
        "No deposit to start service: the investor-owned-utility profile charges none for this reason (CPUC D.20-06-003).",
    });
    const tooMany = await post(`/api/v1/accounts/${account}/deposits`, {
      reason: "bankruptcy_assurance",
      installments: 5,
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors).toEqual([{ field: "installments", message: "1 to 3 (policy)" }]);
    const unknown = await post(`/api/v1/accounts/${account}/deposits`, { reason: "whim" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toMatch(/reason/);
    const after = await t.database.rows<{ n: bigint }>(t.database.db, sql`SELECT count(*)::int8 AS n FROM deposits`);
    expect(after).toEqual(before);
    const assurance = await post(`/api/v1/accounts/${account}/deposits`, { reason: "bankruptcy_assurance" });
    expect(assurance.statusCode, assurance.body).toBe(201);
    expect(assurance.json().rule_id).toBe("deposit.bankruptcy_assurance.required");
    const [assured] = await t.database.rows<{ due_date: string }>(
      t.database.db,
      sql`SELECT due_date::text AS due_date FROM receivable_items
          WHERE reference = ${`deposit:${assurance.json().id}:1`}`,
    );
    expect(assured!.due_date).toBe("2026-03-22"); // 20 days after the request
    await putSetting(t.ctx, "policy.profile", { effective_from: "2026-03-02", value: "municipal", version: 1 });
  });

  it("an external check (the sandbox bureau) decides for a customer with no history", async () => {
    t.clock.set("2026-03-02T18:00:00Z");
    const good = await customer("123-45-9999");
    const check = await post(`/api/v1/accounts/${good}/credit-checks`, {});
    expect(check.statusCode, check.body).toBe(201);
    expect(check.json()).toMatchObject({ bureau: "sandbox", score: 780, rating: "good" });
    const summary = (
      await t.app.inject({ method: "GET", url: `/api/v1/accounts/${good}/credit`, headers: await t.as("csr") })
    ).json();
    expect(summary.decisions[1]).toMatchObject({
      rule_id: "deposit.establishment.credit_check_good",
      decision: "none",
    });
    const poor = await customer("123-45-1111");
    await post(`/api/v1/accounts/${poor}/credit-checks`, {});
    const refusedCheck = (
      await t.app.inject({ method: "GET", url: `/api/v1/accounts/${poor}/credit`, headers: await t.as("csr") })
    ).json();
    expect(refusedCheck.decisions[1]).toMatchObject({
      rule_id: "deposit.establishment.credit_check_poor",
      decision: "required",
    });
    expect(refusedCheck.checks[0]).toMatchObject({ score: 540, rating: "poor" });
  });
});
