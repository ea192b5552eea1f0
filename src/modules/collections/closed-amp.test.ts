import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { postCharge, verifyLedger } from "../ledger/index.js";
import { takePayment } from "../payments/index.js";
import { PROFILE_DEFAULTS } from "../policy/index.js";
import { placementFile } from "./agency.js";
import { ampDecision, ampOf, enrolAmp, twelfth } from "./amp.js";
import { recordBankruptcy } from "./bankruptcy.js";
import { runCollections } from "./daily.js";

// Closed accounts, arrearage management and the order payments clear in, day by day on an injected clock.
let t: TestApp;
let serial = 0;

beforeAll(async () => {
  t = await testApp({ now: "2026-01-02T18:00:00Z" });
}, 120_000);
afterAll(async () => t?.close());

const at = (day: string) => t.clock.set(`${day}T18:00:00Z`);
const plus = (day: string, n: number) => Temporal.PlainDate.from(day).add({ days: n }).toString();

async function customer(start = "2025-12-01") {
  serial++;
  const made = await newCustomer(t, {
    party: aPerson({
      first_name: `Closed${serial}`,
      identity: { type: "ssn", number: `234-56-${String(7000 + serial)}` },
    }),
    premise: aPremise({ address_line1: `${500 + serial} Final Bill Road` }),
    service_agreement: { tariff_code: "E-1", start_date: start },
  });
  return { account: made.account.id as number, party: made.party.id as number, number: made.account.account_number };
}

async function charge(accountId: number, cents: number, due: string, ref = due) {
  return postCharge(t.ctx, {
    account_id: accountId,
    category: "energy",
    amount_cents: BigInt(cents),
    due_date: due,
    service_period: { from: plus(due, -50), to: plus(due, -21) },
    reference: `bill:closed:${accountId}:${ref}`,
  });
}

async function pay(accountId: number, cents: number, check: string) {
  return takePayment(t.ctx, {
    account_id: accountId,
    amount_cents: cents,
    tender: { type: "check", check_number: check },
    channel: "mail",
  });
}

const close = (accountId: number, on: string) =>
  t.database.rows(
    t.database.db,
    sql`UPDATE accounts SET status = 'closed', closed_on = ${on}::date WHERE id = ${accountId}::int8`,
  );

async function eventsOf(accountId: number) {
  return t.database.rows<{ on_date: string; kind: string; rule_id: string; explanation: string }>(
    t.database.db,
    sql`SELECT on_date::text AS on_date, kind, rule_id, explanation FROM collection_events
        WHERE account_id = ${accountId}::int8 ORDER BY id`,
  );
}

async function openOf(accountId: number) {
  const [r] = await t.database.rows<{ items: bigint; credits: bigint }>(
    t.database.db,
    sql`SELECT (SELECT coalesce(sum(open_cents), 0) FROM receivable_items WHERE account_id = ${accountId}::int8)::int8
                 AS items,
               (SELECT coalesce(sum(open_cents), 0) FROM receivable_credits WHERE account_id = ${accountId}::int8)::int8
                 AS credits`,
  );
  return { items: BigInt(r!.items), credits: BigInt(r!.credits) };
}

async function days(from: string, to: string) {
  for (let d = from; d <= to; d = plus(d, 1)) {
    at(d);
    await runCollections(t.ctx);
  }
}

describe("a closed account's balance", () => {
  it("is dunned, written off, referred to the agency, and a later payment is a recovery", async () => {
    const c = await customer();
    at("2026-01-01");
    await charge(c.account, 30_000, "2026-01-20");
    await close(c.account, "2026-01-05");
    await days("2026-01-19", "2026-04-21");
    const events = await eventsOf(c.account);
    expect(events.map((e) => [e.on_date, e.kind, e.rule_id])).toEqual([
      ["2026-01-25", "closed_notice", "collections.closed.notice"],
      ["2026-02-19", "closed_final_notice", "collections.closed.notice"],
      ["2026-04-20", "written_off", "collections.closed.write_off"],
      ["2026-04-20", "referred", "collections.closed.agency"],
    ]);
    expect(events[2]!.explanation).toBe(
      `$300.00 owed on closed account ${c.number}, unpaid 90 days after the final bill's due date (2026-01-20), ` +
        "written off to bad debt and referred to the collection agency.",
    );
    // No open-account steps for a closed account: no reminder, no disconnect order.
    expect(events.some((e) => e.kind === "reminder" || e.kind === "disconnect_ordered")).toBe(false);
    expect(await openOf(c.account)).toEqual({ items: 0n, credits: 0n });

    const files = await t.app.inject({
      method: "GET",
      url: "/api/v1/collections/agency-files",
      headers: await t.as("collector"),
    });
    expect(files.statusCode).toBe(200);
    const file = files.json().files.find((f: { on_date: string }) => f.on_date === "2026-04-20");
    expect(file).toMatchObject({
      agency: "Sandbox Recovery Agency",
      format: "csv",
      record_count: 1,
      total_cents: 30000,
    });
    const text = await t.app.inject({
      method: "GET",
      url: `/api/v1/collections/agency-files/${file.id}`,
      headers: await t.as("collector"),
    });
    expect(text.headers["content-type"]).toContain("text/csv");
    const lines = text.body.trim().split("\r\n");
    expect(lines[0]).toBe(
      "account_number,customer_name,mailing_line1,mailing_city,mailing_state,mailing_zip,phone,amount,final_due," +
        "written_off_on,last_payment_on",
    );
    expect(lines[1]).toContain(`${c.number},`);
    expect(lines[1]).toContain(",300.00,2026-01-20,2026-04-20,");

    // A payment after the write-off is a recovery: the debt is reinstated against bad-debt recoveries and paid.
    at("2026-05-04");
    await pay(c.account, 10_000, "7001");
    await days("2026-05-04", "2026-05-05");
    const recovery = (await eventsOf(c.account)).filter((e) => e.kind === "recovery");
    expect(recovery).toHaveLength(1);
    expect(recovery[0]!.explanation).toBe(
      `$100.00 paid on account ${c.number} after $300.00 was written off on 2026-04-20: recovered from bad debt ` +
        "($200.00 still written off).",
    );
    expect(await openOf(c.account)).toEqual({ items: 0n, credits: 0n });
    const [gl] = await t.database.rows<{ credit: bigint }>(
      t.database.db,
      sql`SELECT coalesce(-sum(p.amount_cents), 0)::int8 AS credit FROM journal_postings AS p
          JOIN journal_entries AS e ON e.id = p.entry_id
          WHERE e.account_id = ${c.account}::int8 AND p.gl_account = '4095'`,
    );
    expect(BigInt(gl!.credit)).toBe(10_000n);
    const [placement] = await t.database.rows<{ recovered_cents: bigint }>(
      t.database.db,
      sql`SELECT recovered_cents FROM agency_placements WHERE account_id = ${c.account}::int8`,
    );
    expect(BigInt(placement!.recovered_cents)).toBe(10_000n);
    const section = await t.app.inject({
      method: "GET",
      url: `/api/v1/accounts/${c.account}/collections`,
      headers: await t.as("csr"),
    });
    expect(section.json().closed).toMatchObject({
      step: "referred",
      written_off_cents: 30000,
      recovered_cents: 10000,
      placement: { agency: "Sandbox Recovery Agency", placed_on: "2026-04-20", amount_cents: 30000 },
    });
    expect(section.json().decisions).toEqual([
      {
        rule_id: "collections.closed",
        decision: "none",
        facts: expect.objectContaining({ step: "referred" }),
        explanation:
          "$300.00 written off on 2026-04-20 and referred to the collection agency; $100.00 recovered since.",
      },
    ]);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("moves to the customer's active account where policy allows, debit or credit", async () => {
    const old = await customer();
    const current = await customer();
    await t.database.rows(
      t.database.db,
      sql`UPDATE accounts SET main_party_id = ${current.party}::int8 WHERE id = ${old.account}::int8`,
    );
    at("2026-05-10");
    await charge(old.account, 8_450, "2026-05-29");
    await close(old.account, "2026-05-10");
    at("2026-05-11");
    const result = await runCollections(t.ctx);
    expect(result.closed_transferred).toBeGreaterThanOrEqual(1);
    expect(await openOf(old.account)).toEqual({ items: 0n, credits: 0n });
    const [moved] = await t.database.rows<{ category: string; open_cents: bigint; description: string; due: string }>(
      t.database.db,
      sql`SELECT category, open_cents, description, due_date::text AS due FROM receivable_items
          WHERE account_id = ${current.account}::int8 AND category = 'transfer'`,
    );
    expect(moved).toMatchObject({ category: "transfer", description: `Balance from closed account ${old.number}` });
    expect(BigInt(moved!.open_cents)).toBe(8_450n);
    const said = (await eventsOf(current.account)).find((e) => e.kind === "balance_transferred");
    expect(said?.explanation).toBe(
      `$84.50 owed on closed account ${old.number} moved to the customer's active account ${current.number} ` +
        "(closed accounts: debit balances move to an active account).",
    );

    // A credit left on a closed account (an overpayment) moves too, and pays the active account's transfer item.
    const older = await customer();
    await t.database.rows(
      t.database.db,
      sql`UPDATE accounts SET main_party_id = ${current.party}::int8 WHERE id = ${older.account}::int8`,
    );
    at("2026-05-12");
    await pay(older.account, 2_000, "7002");
    await close(older.account, "2026-05-12");
    await runCollections(t.ctx);
    expect(await openOf(older.account)).toEqual({ items: 0n, credits: 0n });
    expect((await openOf(current.account)).items).toBe(6_450n);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});

describe("arrearage management (AMP)", () => {
  const ampFacts = {
    account_id: 1,
    customer_class: "residential",
    opened_on: "2025-01-01",
    program: "care",
    old_arrears_cents: 62_000n,
    arrears_cents: 74_000n,
    active_plan_id: null,
    arrangement_id: null,
  };

  it("is offered under the IOU profile and not the municipal one, on the same facts", () => {
    const iou = ampDecision(ampFacts, PROFILE_DEFAULTS.iou.collections, "2026-06-01");
    expect(iou).toMatchObject({ rule_id: "collections.amp.eligible", eligible: true, enrol_cents: 74_000n });
    expect(iou.explanation).toBe(
      "Eligible for AMP (CARE, $620.00 of arrears 90+ days old): $740.00 would be held from collection and a " +
        "twelfth ($61.66) forgiven for each bill paid on time.",
    );
    const municipal = ampDecision(ampFacts, PROFILE_DEFAULTS.municipal.collections, "2026-06-01");
    expect(municipal).toMatchObject({ rule_id: "collections.amp.off", eligible: false });
    const few = ampDecision(
      { ...ampFacts, old_arrears_cents: 40_000n },
      PROFILE_DEFAULTS.iou.collections,
      "2026-06-01",
    );
    expect(few).toMatchObject({ rule_id: "collections.amp.arrears", eligible: false });
    const noCare = ampDecision({ ...ampFacts, program: null }, PROFILE_DEFAULTS.iou.collections, "2026-06-01");
    expect(noCare.rule_id).toBe("collections.amp.program");
  });

  it("twelve twelfths add up to what was enrolled", () => {
    for (const enrolled of [1n, 11n, 74_000n, 800_000n, 123_457n]) {
      let sum = 0n;
      for (let k = 1; k <= 12; k++) sum += twelfth(enrolled, k);
      expect(sum).toBe(enrolled);
    }
  });

  it("holds the enrolled arrears, forgives a twelfth per bill paid on time, and ends after two misses", async () => {
    const c = await customer("2025-06-01");
    await t.database.rows(
      t.database.db,
      sql`UPDATE accounts SET opened_on = '2025-06-01' WHERE id = ${c.account}::int8;`,
    );
    await t.database.rows(
      t.database.db,
      sql`INSERT INTO enrolments (account_id, program, effective_from, household_size)
          VALUES (${c.account}::int8, 'care', '2025-06-01', 3)`,
    );
    at("2026-01-01");
    await charge(c.account, 36_000, "2026-02-20", "a");
    await charge(c.account, 24_000, "2026-03-20", "b");
    await putSetting(t.ctx, "policy.profile", { effective_from: "2026-06-01", value: "iou" });
    try {
      at("2026-06-25");
      const before = await ampOf(t.ctx, c.account);
      expect(before.decision).toMatchObject({ rule_id: "collections.amp.eligible", enrol_cents: 60_000n });
      const plan = await enrolAmp(t.ctx, c.account);
      expect(plan).toMatchObject({ status: "active", enrolled_cents: 60_000n, installment_cents: 5_000n });
      // Enrolled arrears are not dunned.
      await days("2026-06-25", "2026-06-26");
      const [state] = await t.database.rows(
        t.database.db,
        sql`SELECT step FROM collection_states WHERE account_id = ${c.account}::int8`,
      );
      expect(state).toBeUndefined();

      // A new bill paid on time: the payment goes to the new bill, not the enrolled arrears, and a twelfth is forgiven.
      at("2026-07-01");
      await charge(c.account, 9_000, "2026-07-20", "c");
      at("2026-07-15");
      await pay(c.account, 9_000, "8001");
      await days("2026-07-20", "2026-07-21");
      expect(await openOf(c.account)).toEqual({ items: 55_000n, credits: 0n });
      // Two bills missed in a row end the plan; what was not forgiven returns to collection.
      at("2026-08-01");
      await charge(c.account, 9_500, "2026-08-20", "d");
      at("2026-09-01");
      await charge(c.account, 9_700, "2026-09-20", "e");
      await days("2026-08-20", "2026-09-22");
      const events = (await eventsOf(c.account)).filter((e) => e.kind.startsWith("amp_"));
      expect(events.map((e) => [e.on_date, e.kind])).toEqual([
        ["2026-06-25", "amp_enrolled"],
        ["2026-07-21", "amp_forgiven"],
        ["2026-09-21", "amp_removed"],
      ]);
      expect(events[1]!.explanation).toBe(
        "The bill due 2026-07-20 was paid on time: $50.00 of AMP arrears forgiven (1 of 12).",
      );
      const after = await ampOf(t.ctx, c.account);
      expect(after.plans[0]).toMatchObject({ status: "removed", forgiven_cents: 5_000n, on_time: 1, misses: 2 });
      const [s] = await t.database.rows<{ past_due_cents: bigint }>(
        t.database.db,
        sql`SELECT past_due_cents FROM collection_states WHERE account_id = ${c.account}::int8`,
      );
      expect(BigInt(s!.past_due_cents)).toBe(55_000n + 9_500n + 9_700n);
      expect((await verifyLedger(t.ctx)).violations).toEqual([]);
    } finally {
      await t.database.rows(t.database.db, sql`DELETE FROM settings WHERE key = 'policy.profile'`);
    }
  });

  it("is refused naming the rule under the municipal profile", async () => {
    const c = await customer();
    at("2026-10-01");
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${c.account}/amp`,
      headers: { ...(await t.as("collector")), "idempotency-key": `amp-enrol-${c.account}-test` },
      payload: {},
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ rule: "collections.amp.off", errors: [{ field: "account_id" }] });
  });
});

describe("payments on an account in bankruptcy", () => {
  it("go to the post-petition debt first; the stayed debt is paid last", async () => {
    const c = await customer();
    at("2026-10-01");
    await charge(c.account, 10_000, "2026-10-20", "pre");
    at("2026-10-25");
    await recordBankruptcy(t.ctx, c.account, {
      chapter: 13,
      court: "U.S. Bankruptcy Court, C.D. Cal.",
      case_number: "2:26-bk-40001",
      petition_date: "2026-10-24",
    });
    at("2026-11-01");
    const post = await charge(c.account, 7_000, "2026-11-20", "post");
    // The adequate-assurance deposit requested with the case is post-petition too, and falls due first.
    const [deposit] = await t.database.rows<{ open_cents: bigint }>(
      t.database.db,
      sql`SELECT open_cents FROM receivable_items WHERE account_id = ${c.account}::int8 AND category = 'deposit'`,
    );
    await pay(c.account, Number(deposit!.open_cents) + 7_000, "9001");
    const open = await t.database.rows<{ reference: string; open_cents: bigint }>(
      t.database.db,
      sql`SELECT reference, open_cents FROM receivable_items WHERE account_id = ${c.account}::int8 AND open_cents > 0`,
    );
    expect(open.map((i) => [i.reference, BigInt(i.open_cents)])).toEqual([[`bill:closed:${c.account}:pre`, 10_000n]]);
    expect(post.item.id).toBeGreaterThan(0);
  });
});

describe("the placement file's layout", () => {
  it("writes fixed-width records, amounts right-aligned with zeros", () => {
    const text = placementFile(
      {
        agency: "X",
        format: "fixed",
        fields: [
          { field: "account_number", width: 12 },
          { field: "customer_name", width: 8 },
          { field: "amount", width: 10 },
        ],
      },
      [{ account_number: "1234567890", customer_name: "Ada Lovelace", amount: "300.00" } as never],
    );
    expect(text).toBe("1234567890  Ada Love0000030000\r\n");
  });
});
