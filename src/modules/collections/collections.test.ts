import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, count, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { creditFacts } from "../credit/index.js";
import { postCharge, postCredit, verifyLedger } from "../ledger/index.js";
import { completeOrder, getOrder } from "../orders/index.js";
import { takePayment } from "../payments/index.js";
import { PROFILE_DEFAULTS } from "../policy/index.js";
import { makeArrangement } from "./arrangements.js";
import { closeBankruptcy, recordBankruptcy } from "./bankruptcy.js";
import { runCollections } from "./daily.js";
import { openDispute, putHeatForecasts } from "./disputes.js";
import { restorationOf, restoreService } from "./restoration.js";
import { decide } from "./steps.js";
import { collectionsOf } from "./summary.js";

// Day by day on an injected clock: a $120 bill due 2026-01-20, unpaid. Under the municipal profile the run sends a
// reminder 3 days after the due date, the past-due notice after 7 (disconnection no sooner than 5 + 10 days later),
// the final notice 48 hours before that day and the disconnect order on it; protections hold the final notice and
// the order and say why; paying cancels the order; an arrangement holds collection until it is broken.
let t: TestApp;
let serial = 0;

beforeAll(async () => {
  t = await testApp({ now: "2026-01-02T18:00:00Z" });
}, 120_000);
afterAll(async () => t?.close());

const at = (day: string) => t.clock.set(`${day}T18:00:00Z`);
const plus = (day: string, n: number) => Temporal.PlainDate.from(day).add({ days: n }).toString();

async function customer(over: { flags?: unknown[]; birth?: string; territory?: string } = {}) {
  serial++;
  const made = await newCustomer(t, {
    party: aPerson({
      first_name: `Coll${serial}`,
      date_of_birth: over.birth ?? "1990-04-01",
      identity: { type: "ssn", number: `123-45-${String(7000 + serial)}` },
      flags: over.flags ?? [],
    }),
    premise: aPremise({ address_line1: `${300 + serial} Dunning Way`, baseline_territory: over.territory ?? "S" }),
    service_agreement: { tariff_code: "E-1", start_date: "2025-12-01" },
  });
  return made.account.id as number;
}

/** A bill's energy charge of `cents`, billed on 2026-01-01 and due on `due`. */
async function bill(accountId: number, cents: number, due = "2026-01-20") {
  at("2026-01-01");
  return postCharge(t.ctx, {
    account_id: accountId,
    category: "energy",
    amount_cents: BigInt(cents),
    due_date: due,
    service_period: { from: "2025-12-01", to: "2025-12-31" },
    reference: `bill:test:${accountId}:${due}`,
  });
}

async function eventsOf(accountId: number) {
  return t.database.rows<{
    on_date: string;
    kind: string;
    rule_id: string;
    explanation: string;
    channel: string | null;
  }>(
    t.database.db,
    sql`SELECT on_date::text AS on_date, kind, rule_id, explanation, channel FROM collection_events
        WHERE account_id = ${accountId}::int8 ORDER BY id`,
  );
}

async function stateOf(accountId: number) {
  const [s] = await t.database.rows<Record<string, unknown>>(
    t.database.db,
    sql`SELECT step, step_on::text AS step_on, disconnect_from::text AS disconnect_from, blocked_rule, blocked_reason,
          order_id FROM collection_states WHERE account_id = ${accountId}::int8`,
  );
  return s ?? null;
}

/** Runs collections every day from one day to another, both included. */
async function days(from: string, to: string) {
  for (let d = from; d <= to; d = plus(d, 1)) {
    at(d);
    await runCollections(t.ctx);
  }
}

describe("the daily collections run, day by day", () => {
  let plain: number;
  let lifeSupport: number;
  let payer: number;
  let arranged: number;
  let keeper: number;
  let disputed: number;

  beforeAll(async () => {
    plain = await customer();
    lifeSupport = await customer({ flags: [{ flag: "life_support", effective_from: "2025-06-01" }] });
    payer = await customer();
    arranged = await customer();
    keeper = await customer();
    disputed = await customer();
    for (const a of [plain, lifeSupport, payer, arranged, keeper]) await bill(a, 12_000);
    const item = await bill(disputed, 12_000);
    at("2026-01-10");
    await openDispute(t.ctx, disputed, { reason: "says the meter was misread", item_ids: [item.item.id] });
  }, 120_000);

  it("sends the reminder, past-due notice and final notice on the policy's days, then orders the disconnection", async () => {
    await days("2026-01-19", "2026-01-26");
    expect((await eventsOf(plain)).map((e) => [e.on_date, e.kind])).toEqual([["2026-01-23", "reminder"]]);
    await days("2026-01-27", "2026-02-12");
    const events = await eventsOf(plain);
    expect(events.map((e) => [e.on_date, e.kind])).toEqual([
      ["2026-01-23", "reminder"],
      ["2026-01-27", "notice"],
      ["2026-02-09", "final_notice"],
      ["2026-02-11", "disconnect_ordered"],
    ]);
    expect(events[1]!.explanation).toBe(
      "Past-due notice: $120.00 was due 2026-01-20, 7 or more days ago; service may be disconnected on or after " +
        "2026-02-11 (5 days for mail, then 10).",
    );
    expect(events[1]!.channel).toBe("mail");
    const state = await stateOf(plain);
    expect(state).toMatchObject({ step: "disconnect_ordered", step_on: "2026-02-11", disconnect_from: "2026-02-11" });
    const [order] = await t.database.rows<{ kind: string; status: string; due_on: string }>(
      t.database.db,
      sql`SELECT kind, status, due_on::text AS due_on FROM service_orders WHERE id = ${state!.order_id as bigint}::int8`,
    );
    expect(order).toEqual({ kind: "disconnect_nonpay", status: "open", due_on: "2026-02-11" });
    const section = await collectionsOf(t.ctx, plain);
    expect(section).toMatchObject({
      collectible_past_due_cents: 12_000n,
      disputed_cents: 0n,
      pre_petition_cents: 0n,
      state: { step: "disconnect_ordered" },
    });
    expect(section.events.filter((e) => e.notice).map((e) => e.kind)).toEqual(["final_notice", "notice", "reminder"]);
  });

  it("adds nothing when run again on the same day", async () => {
    const before = await count(t, "collection_events");
    const orders = await count(t, "service_orders");
    const again = await runCollections(t.ctx);
    expect(again).toMatchObject({ reminder: 0, notice: 0, final_notice: 0, disconnect_ordered: 0 });
    expect(await count(t, "collection_events")).toBe(before);
    expect(await count(t, "service_orders")).toBe(orders);
  });

  it("never orders a life-support customer's disconnection, and the held step says why", async () => {
    await days("2026-02-13", "2026-03-15");
    const events = await eventsOf(lifeSupport);
    expect(events.map((e) => [e.on_date, e.kind])).toEqual([
      ["2026-01-23", "reminder"],
      ["2026-01-27", "notice"],
      ["2026-02-09", "blocked"],
    ]);
    expect(events[2]!.rule_id).toBe("collections.protect.life_support");
    expect(events[2]!.explanation).toBe(
      "The final (48-hour) notice due today is held: life support is on file since 2025-06-01.",
    );
    expect(await stateOf(lifeSupport)).toMatchObject({
      step: "notice",
      blocked_rule: "collections.protect.life_support",
      order_id: null,
    });
    expect(
      await t.database.rows(t.database.db, sql`SELECT id FROM service_orders WHERE account_id = ${lifeSupport}::int8`),
    ).toEqual([]);
  });

  it("leaves disputed items alone: no notice while the dispute is open", async () => {
    expect(await eventsOf(disputed)).toEqual([]);
    expect(await stateOf(disputed)).toBeNull();
    expect(await collectionsOf(t.ctx, disputed)).toMatchObject({
      collectible_past_due_cents: 0n,
      disputed_cents: 12_000n,
    });
  });

  it("cancels the disconnect order when the customer pays before the work", async () => {
    const state = await stateOf(payer);
    expect(state).toMatchObject({ step: "disconnect_ordered" });
    at("2026-03-16");
    await takePayment(t.ctx, {
      account_id: payer,
      amount_cents: 12_000,
      tender: { type: "check", check_number: "5001" },
      channel: "mail",
    });
    const result = await runCollections(t.ctx);
    expect(result.orders_cancelled).toBeGreaterThanOrEqual(1);
    expect(await stateOf(payer)).toBeNull();
    const [order] = await t.database.rows<{ status: string; cancel_reason: string }>(
      t.database.db,
      sql`SELECT status, cancel_reason FROM service_orders WHERE id = ${state!.order_id as bigint}::int8`,
    );
    expect(order).toEqual({ status: "cancelled", cancel_reason: "paid before the work" });
    expect((await eventsOf(payer)).at(-1)).toMatchObject({ kind: "cured", on_date: "2026-03-16" });
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});

describe("arrangements", () => {
  it("holds collection while kept, and a missed installment breaks it: collection resumes where it stood", async () => {
    const a = await customer();
    await bill(a, 30_000, "2026-04-01");
    await days("2026-04-02", "2026-04-08");
    expect((await stateOf(a))?.step).toBe("notice");
    at("2026-04-09");
    const made = await makeArrangement(t.ctx, a, { kind: "arrangement", down_payment_cents: 6_000n, installments: 3 });
    expect(made.installments.map((i) => [i.seq, i.due_on, i.amount_cents])).toEqual([
      [0, "2026-04-09", 6_000n],
      [1, "2026-05-09", 8_000n],
      [2, "2026-06-09", 8_000n],
      [3, "2026-07-09", 8_000n],
    ]);
    // The final notice would be due on 2026-04-21 (the notice of 04-08 + 15 - 2): held by the arrangement.
    await days("2026-04-09", "2026-04-14");
    expect((await eventsOf(a)).map((e) => e.kind)).toEqual(["reminder", "notice", "arrangement_made"]);
    // The down payment was due 04-09; 5 days of grace: broken on 04-15.
    await days("2026-04-15", "2026-04-24");
    const events = await eventsOf(a);
    expect(events.map((e) => [e.on_date, e.kind])).toEqual([
      ["2026-04-04", "reminder"],
      ["2026-04-08", "notice"],
      ["2026-04-09", "arrangement_made"],
      ["2026-04-15", "arrangement_broken"],
      ["2026-04-21", "final_notice"],
      ["2026-04-23", "disconnect_ordered"],
    ]);
    expect(events[3]!.explanation).toBe(
      `Payment arrangement ${made.id} broken: $0.00 paid of the $60.00 due more than 5 days ago. Collection resumes.`,
    );
  });

  it("kept by paying the down payment and installments: no final notice", async () => {
    const a = await customer();
    await bill(a, 30_000, "2026-04-01");
    await days("2026-04-02", "2026-04-08");
    at("2026-04-09");
    await makeArrangement(t.ctx, a, { kind: "arrangement", down_payment_cents: 6_000n, installments: 3 });
    await takePayment(t.ctx, {
      account_id: a,
      amount_cents: 6_000,
      tender: { type: "check", check_number: "6001" },
      channel: "mail",
    });
    await days("2026-04-10", "2026-05-09");
    at("2026-05-09");
    await takePayment(t.ctx, {
      account_id: a,
      amount_cents: 8_000,
      tender: { type: "check", check_number: "6002" },
      channel: "mail",
    });
    await days("2026-05-10", "2026-05-20");
    const kinds = (await eventsOf(a)).map((e) => e.kind);
    expect(kinds).toEqual(["reminder", "notice", "arrangement_made", "blocked"]);
    expect((await stateOf(a))?.blocked_rule).toBe("collections.hold.arrangement");
  });

  it("refuses an arrangement past the policy's months, and an extension past its days, naming the rule", async () => {
    const a = await customer();
    await bill(a, 20_000, "2026-05-01");
    at("2026-05-12");
    const post = (payload: unknown) =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/accounts/${a}/arrangements`,
        headers: { "idempotency-key": randomUUID() },
        payload: payload as object,
      });
    const headers = { ...(await t.as("collector")) };
    const send = async (payload: unknown) =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/accounts/${a}/arrangements`,
        headers: { ...headers, "idempotency-key": randomUUID() },
        payload: payload as object,
      });
    expect((await post({ kind: "arrangement", installments: 3 })).statusCode).toBe(401);
    const long = await send({ kind: "arrangement", installments: 13 });
    expect(long.statusCode).toBe(422);
    expect(long.json()).toMatchObject({
      rule: "collections.arrangement.max_months",
      errors: [{ field: "installments", message: "at most 12 months" }],
    });
    const late = await send({ kind: "extension", pay_by: "2026-07-01" });
    expect(late.statusCode).toBe(422);
    expect(late.json()).toMatchObject({ rule: "collections.extension.max_days", errors: [{ field: "pay_by" }] });
    expect(await count(t, `arrangements WHERE account_id = ${a}`)).toBe(0);
    const ok = await send({ kind: "extension", pay_by: "2026-06-01" });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ kind: "extension", arrears_cents: 20000, status: "active" });
  });
});

describe("the profiles decide differently on the same facts", () => {
  const facts = {
    account_id: 1,
    past_due_cents: 20_000n,
    oldest_due: "2026-06-01",
    state: {
      step: "notice" as const,
      step_on: "2026-06-08",
      notice_on: "2026-06-08",
      disconnect_from: "2026-06-23",
      blocked_rule: null,
      order_status: null,
    },
    dispute: null,
    arrangement: null,
    medical_baseline_from: null,
    life_support_from: null,
    oldest_birth: "1950-02-01",
    heat: { on: "2026-06-22", high_f: 104, territory: "S" },
    pledge: null,
    bankruptcy: null,
    disputed_cents: 0n,
    pre_petition_cents: 0n,
  };

  it("sends a 76-year-old's final notice under the municipal profile, and holds it under the IOU's (65+ and heat)", () => {
    const municipal = decide(facts, PROFILE_DEFAULTS.municipal.collections, "2026-06-21");
    expect(municipal).toMatchObject({ kind: "step", step: "final_notice" });
    const iou = decide(facts, PROFILE_DEFAULTS.iou.collections, "2026-06-21");
    expect(iou).toMatchObject({ kind: "blocked", would: "final_notice" });
    expect(iou.kind === "blocked" && iou.holds.map((h) => h.rule_id)).toEqual([
      "collections.protect.age_65",
      "collections.protect.heat",
    ]);
  });

  it("holds the disconnection for a heat forecast under the IOU profile, through the run and policy explain", async () => {
    const a = await customer({ territory: "X" });
    await bill(a, 20_000, "2026-06-01");
    await putSetting(t.ctx, "policy.profile", { effective_from: "2026-06-01", value: "iou" });
    try {
      at("2026-06-10");
      await putHeatForecasts(t.ctx, [{ territory: "X", forecast_on: "2026-06-24", high_f: 103 }]);
      await days("2026-06-02", "2026-06-22");
      const events = await eventsOf(a);
      expect(events.map((e) => [e.on_date, e.kind, e.rule_id])).toEqual([
        ["2026-06-04", "reminder", "collections.reminder"],
        ["2026-06-08", "notice", "collections.notice"],
        ["2026-06-21", "blocked", "collections.protect.heat"],
      ]);
      const res = await t.app.inject({
        method: "GET",
        url: `/api/v1/accounts/${a}/policy`,
        headers: await t.as("csr"),
      });
      const held = res.json().decisions.find((d: { decision: string }) => d.decision === "blocked");
      expect(held).toMatchObject({ rule_id: "collections.protect.heat" });
      expect(held.explanation).toContain("103 F is forecast for 2026-06-24 in territory X");
    } finally {
      await t.database.rows(t.database.db, sql`DELETE FROM settings WHERE key = 'policy.profile'`);
    }
  });
});

describe("restoring service after a disconnection for non-payment", () => {
  it("asks for the past due, the fee and the deposit under the municipal profile; none of the fee or deposit under the IOU's", async () => {
    const a = await customer();
    await bill(a, 15_000, "2026-07-01");
    await days("2026-07-02", "2026-07-23");
    const [order] = await t.database.rows<{ id: bigint }>(
      t.database.db,
      sql`SELECT id FROM service_orders WHERE account_id = ${a}::int8 AND kind = 'disconnect_nonpay'`,
    );
    at("2026-07-24");
    await completeOrder(t.ctx, Number(order!.id), { version: 1, read: "48213", notes: "meter locked off" });
    await runCollections(t.ctx);
    expect((await eventsOf(a)).at(-1)).toMatchObject({ kind: "disconnected" });
    expect((await creditFacts(t.ctx, (await party(a)) as number, "2026-07-24")).disconnections_12).toBe(1);

    const needs = await restorationOf(t.ctx, a);
    expect(needs).toMatchObject({ disconnected: true, all_met: false, reconnect_order_id: null });
    expect(needs.requirements.map((r) => [r.rule_id.split(".").slice(0, 2).join("."), r.met])).toEqual([
      ["restoration.past_due", false],
      ["restoration.fee", false],
      ["deposit.reestablishment", false],
    ]);
    expect(needs.requirements[0]!.explanation).toBe("Pay the past-due $150.00, or make a payment arrangement for it.");
    expect(needs.requirements[1]!.explanation).toBe("A reconnection fee of $75.00: billed when you restore.");

    // The IOU profile on the same facts: no fee, no deposit.
    await putSetting(t.ctx, "policy.profile", {
      effective_from: "2026-07-24",
      effective_to: "2026-07-24",
      value: "iou",
    });
    const iou = await restorationOf(t.ctx, a);
    await t.database.rows(t.database.db, sql`DELETE FROM settings WHERE key = 'policy.profile'`);
    expect(iou.requirements.map((r) => [r.rule_id, r.met])).toEqual([
      ["restoration.past_due", false],
      ["restoration.fee.none", true],
      ["deposit.reestablishment.not_allowed", true],
    ]);
    expect(iou.requirements[1]!.explanation).toBe("No reconnection fee under the iou profile (CPUC D.20-06-003).");

    // Refused while the past due is unpaid: nothing billed.
    const items = await count(t, `receivable_items WHERE account_id = ${a}`);
    await expect(restoreService(t.ctx, a)).rejects.toMatchObject({
      status: 422,
      extra: { rule: "restoration.past_due" },
    });
    expect(await count(t, `receivable_items WHERE account_id = ${a}`)).toBe(items);

    const pay = (cents: number, check: string) =>
      takePayment(t.ctx, {
        account_id: a,
        amount_cents: cents,
        tender: { type: "check", check_number: check },
        channel: "counter",
      });
    await pay(15_000, "7001");
    const billed = await restoreService(t.ctx, a);
    expect(billed.all_met).toBe(false);
    expect(billed.reconnect_order_id).toBeNull();
    const fee = billed.requirements.find((r) => r.rule_id === "restoration.fee")!;
    const deposit = billed.requirements.find((r) => r.rule_id === "restoration.deposit")!;
    expect(fee.explanation).toBe("Pay the reconnection fee: $75.00 of $75.00 is unpaid.");
    await pay(Number(fee.amount_cents + deposit.amount_cents), "7002");
    const restored = await restoreService(t.ctx, a);
    expect(restored.all_met).toBe(true);
    const reconnect = await getOrder(t.ctx, restored.reconnect_order_id!);
    expect(reconnect).toMatchObject({ kind: "reconnect", status: "open", source: `restoration:${order!.id}` });
    // Asked again: the same order, nothing more billed.
    expect((await restoreService(t.ctx, a)).reconnect_order_id).toBe(reconnect.id);

    at("2026-07-25");
    await completeOrder(t.ctx, reconnect.id, { version: 1, read: "48215" });
    await runCollections(t.ctx);
    expect((await eventsOf(a)).at(-1)).toMatchObject({ kind: "cured", rule_id: "collections.restored" });
    expect(await stateOf(a)).toBeNull();
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});

async function party(accountId: number) {
  const [row] = await t.database.rows<{ main_party_id: bigint }>(
    t.database.db,
    sql`SELECT main_party_id FROM accounts WHERE id = ${accountId}::int8`,
  );
  return Number(row!.main_party_id);
}

describe("bankruptcy", () => {
  it("splits the debt at the petition date, never duns the stayed part, and writes it off on discharge", async () => {
    const a = await customer();
    at("2026-09-01");
    await postCharge(t.ctx, {
      account_id: a,
      category: "energy",
      amount_cents: 10_000n,
      due_date: "2026-09-20",
      service_period: { from: "2026-08-01", to: "2026-08-31" },
      reference: `bill:bk:${a}:1`,
    });
    at("2026-10-01");
    await postCharge(t.ctx, {
      account_id: a,
      category: "energy",
      amount_cents: 12_400n,
      due_date: "2026-10-20",
      service_period: { from: "2026-09-01", to: "2026-09-30" },
      reference: `bill:bk:${a}:2`,
    });
    at("2026-09-18");
    const refused = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${a}/bankruptcies`,
      headers: { ...(await t.as("lead")), "idempotency-key": randomUUID() },
      payload: {
        chapter: 7,
        court: "U.S. Bankruptcy Court, E.D. Cal.",
        case_number: "26-21001",
        petition_date: "2026-09-30",
      },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      rule: "collections.bankruptcy.petition_in_future",
      errors: [{ field: "petition_date", message: "not after 2026-09-18" }],
    });
    expect(await count(t, `bankruptcies WHERE account_id = ${a}`)).toBe(0);

    at("2026-10-02");
    const filed = await recordBankruptcy(t.ctx, a, {
      chapter: 7,
      court: "U.S. Bankruptcy Court, E.D. Cal.",
      case_number: "26-21001",
      petition_date: "2026-09-16",
    });
    // August in full, and 15 of September's 30 days of the second bill: $100.00 + $62.00.
    expect(filed.pre_petition_cents).toBe(16_200n);
    expect(filed.items.map((i) => i.pre_petition_cents)).toEqual([10_000n, 6_200n]);
    // Adequate assurance is asked at once; the customer pays it (directed to it: the stayed debt is not paid).
    const [assurance] = await t.database.rows<{ id: bigint; open_cents: bigint }>(
      t.database.db,
      sql`SELECT id, open_cents FROM receivable_items WHERE account_id = ${a}::int8 AND category = 'deposit'`,
    );
    expect(BigInt(assurance!.open_cents)).toBeGreaterThan(0n);
    await postCredit(t.ctx, {
      account_id: a,
      kind: "payment",
      amount_cents: BigInt(assurance!.open_cents),
      directed_item_ids: [Number(assurance!.id)],
      reference: `payment:test:assurance:${a}`,
    });
    await days("2026-10-03", "2026-10-28");
    const events = await eventsOf(a);
    // Nothing on the stayed $100.00 due 09-20; the post-petition $62.00 due 10-20 is dunned on its own days.
    expect(events.map((e) => [e.on_date, e.kind])).toEqual([
      ["2026-10-02", "bankruptcy_filed"],
      ["2026-10-23", "reminder"],
      ["2026-10-27", "notice"],
    ]);
    expect(events[2]!.explanation).toMatch(/^Past-due notice: \$62\.00 was due 2026-10-20/);

    const pdf = await t.app.inject({
      method: "GET",
      url: `/api/v1/bankruptcies/${filed.id}/proof-of-claim`,
      headers: await t.as("lead"),
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");

    const discharged = await closeBankruptcy(t.ctx, filed.id, { version: filed.version, outcome: "discharged" });
    expect(discharged).toMatchObject({ status: "discharged", pre_petition_open_cents: 0n });
    const balances = await collectionsOf(t.ctx, a);
    expect(balances.balances.balance_cents).toBe(6_200n);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});

describe("disputes and pledges: bad input", () => {
  it("refuses a dispute of another account's item and a pledge that expires before it was made, naming the field", async () => {
    const a = await customer();
    const b = await customer();
    const other = await bill(b, 5_000, "2026-11-01");
    const disputes = await count(t, "disputes");
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${a}/disputes`,
      headers: await t.as("csr"),
      payload: { reason: "not my bill", item_ids: [other.item.id] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: "item_ids.0", message: `item ${other.item.id} is not an open item of this account` },
    ]);
    expect(await count(t, "disputes")).toBe(disputes);
    at("2026-11-05");
    const pledge = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${a}/assistance-pledges`,
      headers: await t.as("csr"),
      payload: {
        agency: "Sacramento LIHEAP",
        amount_cents: 25_000,
        pledged_on: "2026-11-04",
        expires_on: "2026-11-01",
      },
    });
    expect(pledge.statusCode).toBe(400);
    expect(pledge.json().errors).toEqual([{ field: "expires_on", message: "before pledged_on" }]);
    expect(await count(t, "assistance_pledges")).toBe(0);
  });
});

describe("pledges on the account", () => {
  it("lists the agencies' pledges in the collections section, newest first, a pending one past its day as expired", async () => {
    const a = await customer();
    const other = await customer();
    at("2026-11-05");
    const csr = await t.as("csr");
    const pledge = (account: number, body: Record<string, unknown>) =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/accounts/${account}/assistance-pledges`,
        headers: csr,
        payload: body,
      });
    const first = await pledge(a, {
      agency: "Sacramento LIHEAP",
      amount_cents: 25_000,
      pledged_on: "2026-11-02",
      expires_on: "2026-11-06",
    });
    expect(first.statusCode).toBe(201);
    const second = await pledge(a, {
      agency: "Salvation Army REACH",
      amount_cents: 7_550,
      pledged_on: "2026-11-04",
      expires_on: "2026-12-04",
    });
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual({
      id: expect.any(Number),
      account_id: a,
      agency: "Salvation Army REACH",
      amount_cents: 7_550,
      pledged_on: "2026-11-04",
      expires_on: "2026-12-04",
      status: "pending",
      recorded_by: "t-csr",
      version: 1,
    });
    const theirs = await pledge(other, {
      agency: "Sacramento LIHEAP",
      amount_cents: 12_000,
      pledged_on: "2026-11-05",
      expires_on: "2026-12-05",
    });
    expect(theirs.statusCode).toBe(201);

    at("2026-11-10");
    const res = await t.app.inject({ method: "GET", url: `/api/v1/accounts/${a}/collections`, headers: csr });
    expect(res.statusCode).toBe(200);
    expect(res.json().pledges).toEqual([
      {
        id: second.json().id,
        account_id: a,
        agency: "Salvation Army REACH",
        amount_cents: 7_550,
        pledged_on: "2026-11-04",
        expires_on: "2026-12-04",
        status: "pending",
        recorded_by: "t-csr",
        version: 1,
      },
      {
        id: first.json().id,
        account_id: a,
        agency: "Sacramento LIHEAP",
        amount_cents: 25_000,
        pledged_on: "2026-11-02",
        expires_on: "2026-11-06",
        status: "expired",
        recorded_by: "t-csr",
        version: 1,
      },
    ]);
    const elsewhere = await t.app.inject({ method: "GET", url: `/api/v1/accounts/${other}/collections`, headers: csr });
    expect(elsewhere.json().pledges.map((p: { id: number }) => p.id)).toEqual([theirs.json().id]);

    // The agency pays: the pledge is closed as received, once; a stale version or an expired pledge is refused.
    const close = (id: number, body: Record<string, unknown>) =>
      t.app.inject({ method: "POST", url: `/api/v1/assistance-pledges/${id}/close`, headers: csr, payload: body });
    const received = await close(second.json().id, { version: 1, status: "received" });
    expect(received.statusCode).toBe(200);
    expect(received.json()).toMatchObject({ status: "received", version: 2 });
    expect((await close(second.json().id, { version: 1, status: "cancelled" })).statusCode).toBe(409);
    const again = await close(second.json().id, { version: 2, status: "cancelled" });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toBe(`pledge ${second.json().id} is already received`);
    expect((await close(first.json().id, { version: 1, status: "received" })).json().detail).toBe(
      `pledge ${first.json().id} is already expired`,
    );
    const bad = await close(theirs.json().id, { version: 1, status: "paid" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe("status");
    const withdrawn = await close(theirs.json().id, { version: 1, status: "cancelled" });
    expect(withdrawn.json()).toMatchObject({ status: "cancelled" });
    const [pending] = await t.database.rows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int4 AS n FROM assistance_pledges WHERE account_id IN (${a}, ${other}) AND status = 'pending'`,
    );
    expect(pending!.n).toBe(1);
  });
});
