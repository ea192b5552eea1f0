import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { runCommand } from "../../cli/commands.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { insertBill, pdfText } from "../billing/bill-fixtures.js";
import { billPdf, cancelBill, runBills } from "../billing/index.js";
import { insertReads, type TestRead } from "../billing/read-fixtures.js";
import { accountBalances, postBillsBulk, postCredit, verifyLedger } from "../ledger/index.js";
import { captureIO } from "../ledger/test-fixtures.js";
import { PROFILE_DEFAULTS } from "../policy/index.js";
import { runLevelPay } from "./daily.js";
import { enrolLevelPay } from "./enrol.js";
import { applyBill, averageUp, type BillIn, type LevelPayRules, type PlanState, reviewedLevel } from "./plan.js";
import { levelPayOf } from "./summary.js";

// A year of real bills from real bill runs on an injected clock, day by day: the account is refused while it is past
// due, enrolled once paid up at the average of its last 12 bills rounded up to the dollar; each bill after that asks
// the level amount (above it, the difference deferred; below it, charged), the plan is reviewed with the 4th and 8th
// bills and trued up with the 12th. The customer pays what they owe after each bill, so what they owe after the next
// one is exactly the level amount (plus a true-up). The ledger checks clean throughout.

let t: TestApp;
let serial = 0;
const rules: LevelPayRules = PROFILE_DEFAULTS.municipal.collections.level_pay;
const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);
const at = (day: string) => t.clock.set(`${day}T18:00:00Z`);
const plusDays = (day: string, n: number) => Temporal.PlainDate.from(day).add({ days: n }).toString();

beforeAll(async () => {
  t = await testApp({ now: "2025-01-02T18:00:00Z" });
  await seedDemoTariffs(t.ctx);
}, 120_000);
afterAll(async () => t?.close());

async function customer(start: string, cycle = "19") {
  serial++;
  const c = await newCustomer(t, {
    party: aPerson({ first_name: `Level${serial}`, identity: { type: "ssn", number: `623-47-${1000 + serial}` } }),
    premise: aPremise({ address_line1: `${400 + serial} Even Way`, baseline_territory: "T" }),
    service_agreement: { tariff_code: "E-1", start_date: start },
    account: { bill_cycle: cycle, notice_channel: "mail" },
  });
  await rows(
    sql`UPDATE meter_installations SET installed_on = ${start}
        WHERE service_point_id = (SELECT service_point_id FROM service_agreements WHERE id = ${c.service_agreement.id})`,
  );
  return { id: c.account.id as number, sa: c.service_agreement.id as number };
}

/** The GL balance of the level pay deferred account (debits less credits). */
async function deferredGl(): Promise<bigint> {
  const [row] = await rows<{ total: bigint }>(
    sql`SELECT coalesce(sum(p.amount_cents), 0)::int8 AS total FROM journal_postings AS p
        JOIN gl_accounts AS g ON g.code = p.gl_account WHERE g.purpose = 'level_pay_deferred'`,
  );
  return row!.total;
}

async function plansDeferred(): Promise<bigint> {
  const [row] = await rows<{ total: bigint }>(
    sql`SELECT coalesce(sum(deferred_cents), 0)::int8 AS total FROM level_pay_plans`,
  );
  return row!.total;
}

const balanceOf = async (id: number) => (await accountBalances(t.ctx, id)).balance_cents;

/** Pays what the account owes, as the customer does after each bill. */
async function payUp(accountId: number, day: string) {
  const owed = await balanceOf(accountId);
  if (owed > 0n) {
    await postCredit(t.ctx, {
      account_id: accountId,
      kind: "payment",
      amount_cents: owed,
      reference: `test:pay:${accountId}:${day}`,
    });
  }
}

async function expectLedgerClean() {
  const v = await verifyLedger(t.ctx);
  expect(v.violations).toEqual([]);
  expect(v.balanced).toBe(true);
  expect(await deferredGl()).toBe(await plansDeferred());
}

async function eventsOf(accountId: number) {
  return rows<{
    kind: string;
    bill_id: bigint | null;
    actual_cents: bigint | null;
    level_cents: bigint;
    deferred_after_cents: bigint;
    settled_cents: bigint | null;
    entry_id: bigint | null;
    rule_id: string;
    explanation: string;
  }>(
    sql`SELECT kind, bill_id, actual_cents, level_cents, deferred_after_cents, settled_cents, entry_id, rule_id,
               explanation
        FROM level_pay_events WHERE account_id = ${accountId} ORDER BY id`,
  );
}

async function refusal(accountId: number) {
  return t.app.inject({
    method: "POST",
    url: `/api/v1/accounts/${accountId}/level-pay`,
    headers: { ...(await t.as("csr")), "idempotency-key": randomUUID() },
    payload: {},
  });
}

/** kWh a day over the month before each read day, two years of them: a mild year, then a hot summer. */
const SCHEDULE: [string, number][] = [
  ["2025-01-15", 0],
  ["2025-02-15", 16],
  ["2025-03-15", 15],
  ["2025-04-15", 14],
  ["2025-05-15", 15],
  ["2025-06-15", 18],
  ["2025-07-15", 20],
  ["2025-08-15", 21],
  ["2025-09-15", 18],
  ["2025-10-15", 15],
  ["2025-11-15", 14],
  ["2025-12-15", 16],
  ["2026-01-15", 17],
  ["2026-02-15", 14],
  ["2026-03-15", 15],
  ["2026-04-15", 16],
  ["2026-05-15", 30],
  ["2026-06-15", 34],
  ["2026-07-15", 38],
  ["2026-08-15", 38],
  ["2026-09-15", 30],
  ["2026-10-15", 16],
  ["2026-11-15", 14],
  ["2026-12-15", 16],
  ["2027-01-15", 17],
];
const READS: TestRead[] = SCHEDULE.map(([on, perDay], i) => {
  const before = SCHEDULE[i - 1]?.[0];
  const days = before ? Temporal.PlainDate.from(before).until(Temporal.PlainDate.from(on)).days : 0;
  return { on, kwh: String(perDay * days) };
});
const billDay = (read: string) => plusDays(read, 1);

describe("a year on level pay, bill by bill", () => {
  const account = { id: 0, sa: 0 };

  beforeAll(async () => {
    Object.assign(account, await customer("2025-01-01"));
    await insertReads(t.database, account.sa, READS);
    // A year of bills before level pay, none of them paid.
    for (const [on] of SCHEDULE.slice(1, 13)) {
      at(billDay(on));
      const run = await runBills(t.ctx, { cycle: "19", bill_date: billDay(on) });
      expect(run.billed).toBe(1);
    }
  }, 180_000);

  it("refuses while the account is past due, naming the rule; paid up, it enrols at the average rounded up", async () => {
    at("2026-01-20");
    const past = await refusal(account.id);
    expect(past.statusCode).toBe(422);
    expect(past.json()).toMatchObject({ rule: "level_pay.past_due" });
    expect(past.json().detail).toMatch(/^\$[\d,.]+ is past due: level pay starts once the account is current/);
    await payUp(account.id, "2026-01-20");
    const [sums] = await rows<{ n: number; total: bigint }>(
      sql`SELECT count(*)::int4 AS n, sum(total_cents)::int8 AS total FROM bills WHERE account_id = ${account.id}`,
    );
    expect(sums!.n).toBe(12);
    const view = await levelPayOf(t.ctx, account.id);
    expect(view.decision).toMatchObject({ rule_id: "level_pay.eligible", eligible: true });
    const level = averageUp(sums!.total, 12);
    expect(level % 100n).toBe(0n);
    expect(level).toBeGreaterThanOrEqual(sums!.total / 12n);
    expect(view.decision.explanation).toContain(`the average of the 12 bills of the last 12 months`);
    expect(view.decision.amount_cents).toBe(level.toString());

    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${account.id}/level-pay`,
      headers: { ...(await t.as("csr")), "idempotency-key": "levelpay-enrol-0001" },
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json().plan;
    expect(plan).toMatchObject({
      status: "enrolled",
      enrolled_on: "2026-01-20",
      level_cents: Number(level),
      deferred_cents: 0,
      last_review_on: "2026-01-16",
      next_review_on: "2026-05-16",
      true_up_on: "2027-01-16",
    });
    // The same request again answers the same; a second enrolment is refused with the rule.
    const replay = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${account.id}/level-pay`,
      headers: { ...(await t.as("csr")), "idempotency-key": "levelpay-enrol-0001" },
      payload: {},
    });
    expect(replay.statusCode).toBe(201);
    expect(replay.json().plan.id).toBe(plan.id);
    const twice = await refusal(account.id);
    expect(twice.statusCode).toBe(422);
    expect(twice.json()).toMatchObject({ rule: "level_pay.already_enrolled" });
    await expect(enrolLevelPay(t.ctx, account.id)).rejects.toMatchObject({
      status: 422,
      extra: { rule: "level_pay.already_enrolled" },
    });
    const events = await eventsOf(account.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "enrolled", rule_id: "level_pay.eligible", level_cents: level });
  });

  it("asks the level amount of every bill, defers the difference, reviews with the 4th and 8th, trues up with the 12th", async () => {
    let state: PlanState | null = null;
    let above = 0;
    let below = 0;
    const levels: bigint[] = [];
    for (const [i, [on]] of SCHEDULE.slice(13).entries()) {
      const day = billDay(on);
      at(day);
      const run = await runBills(t.ctx, { cycle: "19", bill_date: day });
      expect(run.billed, `bill of ${day}`).toBe(1);
      const [bill] = await rows<{ id: bigint; total_cents: bigint }>(
        sql`SELECT id, total_cents FROM bills WHERE account_id = ${account.id} AND bill_date = ${day}`,
      );
      const before = (await levelPayOf(t.ctx, account.id)).plan!;
      state ??= {
        level_cents: before.level_cents,
        deferred_cents: before.deferred_cents,
        last_review_on: before.last_review_on,
        true_up_on: before.true_up_on!,
      };
      at(plusDays(day, 1));
      const result = await runLevelPay(t.ctx);
      expect(result.bills).toBe(1);
      // What the pure rules say of the bill, with the window of the account's bills, is what was recorded.
      const window = await rows<{ n: number; total: bigint }>(
        sql`SELECT count(*)::int4 AS n, coalesce(sum(total_cents), 0)::int8 AS total FROM bills
            WHERE account_id = ${account.id} AND status = 'issued'
              AND bill_date > ${Temporal.PlainDate.from(day).subtract({ months: 12 }).toString()}::date
              AND bill_date <= ${day}::date`,
      );
      const step = applyBill(
        state,
        { bill_id: Number(bill!.id), bill_date: day, total_cents: bill!.total_cents },
        rules,
        () => ({
          count: window[0]!.n,
          total_cents: window[0]!.total,
        }),
      );
      const recorded = (await eventsOf(account.id)).filter((e) => e.bill_id === bill!.id);
      expect(recorded.map((e) => [e.kind, e.level_cents, e.deferred_after_cents, e.settled_cents])).toEqual(
        step.events.map((e) => [e.kind, e.level_cents, e.deferred_after_cents, e.settled_cents]),
      );
      const moved = bill!.total_cents - state.level_cents;
      if (moved > 0n) above++;
      if (moved < 0n) below++;
      expect(recorded[0]!.entry_id === null).toBe(moved === 0n);
      // Owed after the bill: the level amount, and a true-up when one fell due.
      const settled = step.events.find((e) => e.kind === "trued_up")?.settled_cents ?? 0n;
      expect(await balanceOf(account.id), `owed after the bill of ${day}`).toBe(state.level_cents + settled);
      state = step.state;
      levels.push(state.level_cents);
      const after = (await levelPayOf(t.ctx, account.id)).plan!;
      expect(after.deferred_cents).toBe(state.deferred_cents);
      expect(after.level_cents).toBe(state.level_cents);
      await expectLedgerClean();
      // Run again the same day: nothing new.
      expect((await runLevelPay(t.ctx)).bills).toBe(0);
      if (i === 3 || i === 7) expect(step.events.map((e) => e.kind)).toEqual(["billed", "reviewed"]);
      else if (i === 11) expect(step.events.map((e) => e.kind)).toEqual(["billed", "trued_up"]);
      else expect(step.events.map((e) => e.kind)).toEqual(["billed"]);
      await payUp(account.id, day);
    }
    expect(above).toBeGreaterThan(2);
    expect(below).toBeGreaterThan(2);
    const events = await eventsOf(account.id);
    const reviews = events.filter((e) => e.kind === "reviewed");
    expect(reviews.map((r) => r.rule_id)).toContain("level_pay.review.changed");
    const changed = reviews.find((r) => r.rule_id === "level_pay.review.changed")!;
    expect(changed.explanation).toMatch(
      /^Review with bill \d+ of 2026-\d\d-16: the last 12 bills average \$[\d,.]+, and the deferred balance of \$[\d,.]+ owed spread over the \d+ months to the true-up on 2027-01-16 adds \$[\d,.]+ a month: \$[\d,.]+ rounded up to the dollar, [\d.]+% above the level amount of \$[\d,.]+\. Policy changes it at 10% or more: the level amount is now \$[\d,.]+\.$/,
    );
    const trueUp = events.find((e) => e.kind === "trued_up")!;
    expect(trueUp.explanation).toContain("True-up with bill");
    expect(trueUp.deferred_after_cents).toBe(0n);
    const plan = (await levelPayOf(t.ctx, account.id)).plan!;
    expect(plan).toMatchObject({ deferred_cents: 0n, last_review_on: "2027-01-16", true_up_on: "2028-01-16" });
    expect(await deferredGl()).toBe(0n);
    expect(new Set(levels).size).toBeGreaterThan(1);
  });

  it("shows level pay on the bill document: what the customer pays, the deferred balance, the amount due", async () => {
    const [july] = await rows<{ id: bigint; amount_due_cents: bigint }>(
      sql`SELECT id, amount_due_cents FROM bills WHERE account_id = ${account.id} AND bill_date = '2026-07-16'`,
    );
    const [billed] = await rows<{ level_cents: bigint; deferred_after_cents: bigint; actual_cents: bigint }>(
      sql`SELECT level_cents, deferred_after_cents, actual_cents FROM level_pay_events
          WHERE bill_id = ${july!.id} AND kind = 'billed'`,
    );
    const text = pdfText(await billPdf(t.ctx, Number(july!.id), { compress: false }));
    const usd = (c: bigint) => `$${(c / 100n).toLocaleString("en-US")}.${(c % 100n).toString().padStart(2, "0")}`;
    expect(text).toContain(
      `Level pay: you pay ${usd(billed!.level_cents)}; deferred balance ${usd(billed!.deferred_after_cents)}`,
    );
    const due = july!.amount_due_cents - billed!.actual_cents + billed!.level_cents;
    expect(text).toContain(usd(due));
  });
});

describe("refusals and leaving", () => {
  /** A bill written as a run writes it and posted through the ledger: `cents` of energy (a credit when negative). */
  async function quickBill(account: { id: number; sa: number }, billDate: string, cents: bigint) {
    at(billDate);
    const from = Temporal.PlainDate.from(billDate).subtract({ months: 1 }).toString();
    const to = plusDays(billDate, -1);
    const bill = await insertBill(t.database, {
      account_id: account.id,
      service_agreement_id: account.sa,
      period_from: from,
      period_to: to,
      kwh: "100",
      bill_date: billDate,
      lines: [
        {
          description: "Energy",
          quantity: "100",
          unit: "kWh",
          price: "0.1",
          amount_cents: Number(cents),
          kind: "energy",
          rule: "E-1 energy",
        },
      ],
    });
    const part = { category: "energy" as const, amount_cents: cents > 0n ? cents : -cents, description: "Energy" };
    const [posted] = await postBillsBulk(t.ctx, [
      {
        account_id: account.id,
        reference: `bill:${bill.id}`,
        description: `Bill of ${billDate}`,
        due_date: plusDays(billDate, 21),
        service_period: { from, to },
        charges: cents > 0n ? [part] : [],
        credits: cents < 0n ? [part] : [],
      },
    ]);
    await rows(sql`UPDATE bills SET entry_id = ${posted!.entry_id} WHERE id = ${bill.id}`);
    return bill.id;
  }

  it("refuses an account without bills, and a closed one, with the rule and the sentence", async () => {
    at("2026-03-02");
    const fresh = await customer("2026-02-01");
    const res = await refusal(fresh.id);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      rule: "level_pay.no_bills",
      detail: "No bill in the last 12 months: the level amount is an average of bills, so it needs at least one.",
      errors: [{ field: "account_id" }],
    });
    await rows(sql`UPDATE accounts SET status = 'closed', closed_on = '2026-03-01' WHERE id = ${fresh.id}`);
    expect((await refusal(fresh.id)).json()).toMatchObject({ rule: "level_pay.account_closed" });
    const missing = await refusal(99_999_999);
    expect(missing.statusCode).toBe(404);
    const trainee = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${fresh.id}/level-pay`,
      headers: { ...(await t.as("trainee")), "idempotency-key": randomUUID() },
      payload: {},
    });
    expect(trainee.statusCode).toBe(403);
    const noKey = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${fresh.id}/level-pay`,
      headers: await t.as("csr"),
      payload: {},
    });
    expect(noKey.statusCode).toBe(400);
  });

  it("averages fewer bills for a younger account and says so; ends at the customer's request, settling the balance", async () => {
    const young = await customer("2025-10-01", "07");
    for (const [day, cents] of [
      ["2025-11-05", 9_012n],
      ["2025-12-05", 10_544n],
      ["2026-01-05", 12_001n],
    ] as const) {
      await quickBill(young, day, cents);
    }
    at("2026-01-10");
    expect((await levelPayOf(t.ctx, young.id)).decision.rule_id).toBe("level_pay.past_due");
    await payUp(young.id, "2026-01-10");
    const decision = (await levelPayOf(t.ctx, young.id)).decision;
    expect(decision).toMatchObject({ rule_id: "level_pay.eligible", amount_cents: "10600" });
    expect(decision.explanation).toBe(
      "Level pay of $106.00 a month: the average of the 3 bills of the last 12 months ($315.57 in all, $105.19 a " +
        "bill), rounded up to the dollar. The account has fewer than 12 months of bills, so the average is of the 3 " +
        "bills it has.",
    );
    await enrolLevelPay(t.ctx, young.id);
    // Two bills above the level amount: $40.00 and $20.00 deferred.
    await quickBill(young, "2026-02-05", 14_600n);
    await runLevelPay(t.ctx);
    await quickBill(young, "2026-03-05", 12_600n);
    await runLevelPay(t.ctx);
    const plan = (await levelPayOf(t.ctx, young.id)).plan!;
    expect(plan.deferred_cents).toBe(6_000n);
    // Paid up before enrolling: what is owed is the level amount of each bill since.
    expect(await balanceOf(young.id)).toBe(2n * 10_600n);
    at("2026-03-10");
    const headers = { ...(await t.as("csr")), "idempotency-key": randomUUID() };
    const stale = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${young.id}/level-pay/end`,
      headers,
      payload: { version: plan.version - 1, reason: "Customer asked to pay as billed" },
    });
    expect(stale.statusCode).toBe(409);
    const owedBefore = await balanceOf(young.id);
    const ended = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${young.id}/level-pay/end`,
      headers: { ...(await t.as("csr")), "idempotency-key": randomUUID() },
      payload: { version: plan.version, reason: "Customer asked to pay as billed" },
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json().plan).toMatchObject({ status: "ended", ended_on: "2026-03-10", deferred_cents: 0 });
    expect(await balanceOf(young.id)).toBe(owedBefore + 6_000n);
    const [last] = (await eventsOf(young.id)).slice(-1);
    expect(last).toMatchObject({ kind: "ended", rule_id: "level_pay.ended.customer_request", settled_cents: 6_000n });
    expect(last!.explanation).toBe(
      "Level pay ended on 2026-03-10 (Customer asked to pay as billed): the deferred balance of $60.00 is billed, " +
        "due 2026-03-29. Bills from now on are paid as billed.",
    );
    // Not enrolled any more: ending again is refused with the rule; later bills are not leveled.
    const again = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${young.id}/level-pay/end`,
      headers: { ...(await t.as("csr")), "idempotency-key": randomUUID() },
      payload: { version: plan.version + 1, reason: "again" },
    });
    expect(again.json()).toMatchObject({ rule: "level_pay.not_enrolled" });
    await quickBill(young, "2026-04-05", 20_000n);
    expect((await runLevelPay(t.ctx)).bills).toBe(0);
    await expectLedgerClean();
  });

  it("takes back a cancelled bill's difference, and ends the plan of an account that closed", async () => {
    const acct = await customer("2025-10-01", "08");
    await quickBill(acct, "2026-01-06", 10_000n);
    at("2026-01-07");
    await enrolLevelPay(t.ctx, acct.id);
    const over = await quickBill(acct, "2026-02-06", 13_000n);
    at("2026-02-07");
    await runLevelPay(t.ctx);
    // The account is behind (January's bill unpaid): the deferral goes to February's bill, not to the arrears.
    const owed = await accountBalances(t.ctx, acct.id);
    expect(owed).toMatchObject({ past_due_cents: 10_000n, balance_cents: 20_000n });
    const under = await quickBill(acct, "2026-03-06", 8_000n);
    at("2026-03-07");
    await runLevelPay(t.ctx);
    expect((await levelPayOf(t.ctx, acct.id)).plan!.deferred_cents).toBe(1_000n);
    const [{ version }] = (await rows<{ version: number }>(sql`SELECT version FROM bills WHERE id = ${over}`)) as [
      { version: number },
    ];
    await cancelBill(t.ctx, over, { version, reason: "misread meter" });
    at("2026-03-08");
    const run = await runLevelPay(t.ctx);
    expect(run.cancelled).toBe(1);
    expect((await levelPayOf(t.ctx, acct.id)).plan!.deferred_cents).toBe(-2_000n);
    const back = (await eventsOf(acct.id)).find((e) => e.kind === "bill_cancelled")!;
    expect(back.explanation).toMatch(
      /^Bill \d+ of 2026-02-06 was cancelled: the \$30\.00 it deferred is taken back; the deferred balance is now \$20\.00 in the customer's favour\.$/,
    );
    // What is owed: the bill of March at the level amount only.
    expect(await balanceOf(acct.id)).toBe(10_000n + 10_000n);
    await expectLedgerClean();
    expect(under).toBeGreaterThan(over);

    await rows(sql`UPDATE accounts SET status = 'closed', closed_on = '2026-03-20' WHERE id = ${acct.id}`);
    at("2026-03-21");
    const closing = await runLevelPay(t.ctx);
    expect(closing.ended).toBe(1);
    const plan = (await levelPayOf(t.ctx, acct.id)).plan!;
    expect(plan).toMatchObject({ status: "ended", ended_reason: "account closed", deferred_cents: 0n });
    expect(await balanceOf(acct.id)).toBe(20_000n - 2_000n);
    const [last] = (await eventsOf(acct.id)).slice(-1);
    expect(last!.explanation).toBe(
      "Level pay ended on 2026-03-21 (the account closed on 2026-03-20): the $20.00 paid over the bills is credited " +
        "to the account. Bills from now on are paid as billed.",
    );
    await expectLedgerClean();
  });

  it("keeps what was billed plus the deferred balance equal to the bills, at every step (the ledger posts it)", async () => {
    let day = "2026-04-01";
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -3_000, max: 40_000 }), { minLength: 3, maxLength: 8 }),
        async (amounts) => {
          const acct = await customer("2025-01-01", "09");
          day = plusDays(day, 3);
          await quickBill(acct, day, 12_345n);
          at(plusDays(day, 1));
          await enrolLevelPay(t.ctx, acct.id);
          const start = await balanceOf(acct.id);
          let bills = 0n;
          for (const cents of amounts) {
            day = plusDays(day, 31);
            await quickBill(acct, day, BigInt(cents === 0 ? 1 : cents));
            bills += BigInt(cents === 0 ? 1 : cents);
            at(plusDays(day, 1));
            await runLevelPay(t.ctx);
            const events = await eventsOf(acct.id);
            const asked = events.filter((e) => e.kind === "billed").reduce((s, e) => s + e.level_cents, 0n);
            const settled = events.reduce((s, e) => s + (e.kind === "trued_up" ? e.settled_cents! : 0n), 0n);
            const plan = (await levelPayOf(t.ctx, acct.id)).plan!;
            expect(asked + settled + plan.deferred_cents).toBe(bills);
            expect((await balanceOf(acct.id)) - start).toBe(asked + settled);
          }
          await expectLedgerClean();
        },
      ),
      { numRuns: 6 },
    );
  }, 240_000);
});

describe("kilowatt level-pay run", () => {
  it("runs the day's level pay: JSON on stdout, a line for people on stderr; a day to come is refused", async () => {
    at("2026-06-01");
    const io = captureIO();
    expect(await runCommand(t.ctx, "level-pay run", {}, io)).toBe(0);
    expect(JSON.parse(io.text().out)).toMatchObject({ as_of: "2026-06-01", profile: "municipal", bills: 0 });
    expect(io.text().err).toMatch(/^level pay 2026-06-01 \(municipal\): 0 bills leveled/);
    const future = captureIO();
    expect(await runCommand(t.ctx, "level-pay run", { date: "2026-06-02" }, future)).toBe(1);
    expect(future.text()).toMatchObject({ out: "" });
    expect(future.text().err).toMatch(/date: a date YYYY-MM-DD, not after today/);
  });
});

describe("the rules without the database", () => {
  const ruleSets = fc.record({
    average_months: fc.integer({ min: 1, max: 24 }),
    review_every_months: fc.integer({ min: 1, max: 12 }),
    review_change_percent: fc.constantFrom("0", "5", "10", "12.5"),
    true_up_after_months: fc.integer({ min: 1, max: 24 }),
  });

  it("keeps the level amounts asked, the true-ups settled and the deferred balance equal to the bills", () => {
    fc.assert(
      fc.property(
        ruleSets,
        fc.bigInt({ min: 0n, max: 50_000n }),
        fc.array(fc.bigInt({ min: -20_000n, max: 200_000n }), { minLength: 1, maxLength: 40 }),
        (r, start, totals) => {
          let state: PlanState = {
            level_cents: averageUp(start, 1),
            deferred_cents: 0n,
            last_review_on: "2026-01-01",
            true_up_on: Temporal.PlainDate.from("2026-01-01").add({ months: r.true_up_after_months }).toString(),
          };
          const history: BillIn[] = [];
          let asked = 0n;
          let settled = 0n;
          let billed = 0n;
          totals.forEach((total, i) => {
            const bill = {
              bill_id: i + 1,
              bill_date: Temporal.PlainDate.from("2026-02-01").add({ months: i }).toString(),
              total_cents: total,
            };
            history.push(bill);
            const step = applyBill(state, bill, r, (b) => {
              const from = Temporal.PlainDate.from(b.bill_date).subtract({ months: r.average_months }).toString();
              const w = history.filter((h) => h.bill_date > from && h.bill_date <= b.bill_date);
              return { count: w.length, total_cents: w.reduce((s, h) => s + h.total_cents, 0n) };
            });
            asked += state.level_cents;
            billed += total;
            for (const e of step.events) if (e.kind === "trued_up") settled += e.settled_cents!;
            state = step.state;
            expect(asked + settled + state.deferred_cents).toBe(billed);
            expect(state.level_cents % 100n).toBe(0n);
            expect(state.level_cents >= 0n).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rounds up to the dollar exactly, and spreads the deferred balance over the months left", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.integer({ min: 1, max: 24 }),
        fc.bigInt({ min: -500_000n, max: 500_000n }),
        fc.integer({ min: 1, max: 12 }),
        (total, n, deferred, months) => {
          const level = averageUp(total, n);
          expect(level * BigInt(n) >= total).toBe(true);
          expect((level - 100n) * BigInt(n) < total).toBe(true);
          const reviewed = reviewedLevel(total, n, deferred, months);
          const exact = total * BigInt(months) + deferred * BigInt(n);
          const denom = BigInt(n * months);
          if (reviewed > 0n) {
            expect(reviewed * denom >= exact).toBe(true);
            expect((reviewed - 100n) * denom < exact).toBe(true);
          } else expect(exact <= 0n).toBe(true);
        },
      ),
    );
    expect(averageUp(100_001n, 1)).toBe(100_100n);
    expect(averageUp(-5_000n, 2)).toBe(0n);
  });
});
