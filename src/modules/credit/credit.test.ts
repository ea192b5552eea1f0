import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { postCharge } from "../ledger/index.js";
import { reversePayment, takePayment } from "../payments/index.js";
import { PROFILE_DEFAULTS } from "../policy/index.js";
import { decideDeposit, depositAmount } from "./deposit-decision.js";
import { type CreditFacts, scoreCredit } from "./score.js";

// Credit and deposits under the two policy profiles: the internal score from real payment history (charges due,
// payments on time or late, a returned check), the deposit decision and its sentence, and policy explain.
let t: TestApp;
const customers: Record<string, { id: number; number: string }> = {};

/** Nine monthly bills of $100 from June 2025, due on the 20th; paid on the 15th, or the 25th for the late months. */
async function history(accountId: number, late: number[], returnedMonth?: number) {
  for (let m = 0; m < 9; m++) {
    const month = new Date(Date.UTC(2025, 5 + m, 1));
    const ym = month.toISOString().slice(0, 7);
    t.clock.set(`${ym}-02T18:00:00Z`);
    await postCharge(t.ctx, {
      account_id: accountId,
      category: "energy",
      amount_cents: 10_000n,
      due_date: `${ym}-20`,
      service_period: { from: `${ym}-01`, to: `${ym}-01` },
      reference: `bill:${ym}`,
      description: "",
    });
    t.clock.set(`${ym}-${late.includes(m) ? "25" : "15"}T18:00:00Z`);
    const paid = await takePayment(t.ctx, {
      account_id: accountId,
      amount_cents: 10_000,
      tender: { type: "check", check_number: `${accountId}${m}` },
      channel: "mail",
    });
    if (m === returnedMonth) {
      await reversePayment(t.ctx, paid.id, { reason: "returned_check" });
      await takePayment(t.ctx, {
        account_id: accountId,
        amount_cents: 12_500,
        tender: { type: "money_order", serial_number: `MO${accountId}${m}` },
        channel: "counter",
      });
    }
  }
}

beforeAll(async () => {
  t = await testApp({ now: "2025-06-01T18:00:00Z" });
  const make = async (name: string, ssn: string) => {
    const made = await newCustomer(t, {
      party: aPerson({ first_name: name, identity: { type: "ssn", number: ssn } }),
      premise: aPremise({ address_line1: `${100 + Object.keys(customers).length} ${name} Way` }),
      service_agreement: { tariff_code: "E-1", start_date: "2025-06-01" },
    });
    customers[name] = { id: made.account.id, number: made.account.account_number };
  };
  await make("Late", "123-45-6781");
  await make("Prompt", "123-45-6782");
  await history(customers.Late!.id, [2, 5, 7], 4);
  await history(customers.Prompt!.id, []);
  t.clock.set("2026-03-02T18:00:00Z");
  await make("Newcomer", "123-45-6783");
}, 120_000);
afterAll(async () => t?.close());

const explain = async (name: string, query = "") => {
  const res = await t.app.inject({
    method: "GET",
    url: `/api/v1/accounts/${customers[name]!.id}/policy${query}`,
    headers: await t.as("csr"),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    profile: string;
    as_of: string;
    decisions: { rule_id: string; decision: string; facts: Record<string, unknown>; explanation: string }[];
  };
};
const decision = (d: Awaited<ReturnType<typeof explain>>, prefix: string) =>
  d.decisions.find((x) => x.rule_id.startsWith(prefix))!;

describe("the credit score and the deposit to start service", () => {
  it("scores a customer from late and returned payments, and requires a deposit on poor credit (municipal)", async () => {
    const late = await explain("Late");
    expect(late.profile).toBe("municipal");
    const rating = decision(late, "credit.rating");
    expect(rating.facts).toMatchObject({
      late_payments_12: 3,
      returned_payments_12: 1,
      history_months: 8,
      score: 100 - 3 * 8 - 20,
    });
    expect(rating.rule_id).toBe("credit.rating.poor");
    const deposit = decision(late, "deposit.establishment");
    expect(deposit.rule_id).toBe("deposit.establishment.poor_credit");
    expect(deposit.decision).toBe("required");
    // No bills at the premise yet: the residential average, $120.00, times 2.
    expect(deposit.explanation).toBe(
      "A deposit of $240.00 (2 x the estimated average monthly bill of $120.00, from the residential average, the " +
        "premise having too little history) is required to start service: the customer's credit score is 56 " +
        "(poor, below 60): 3 late payments in the last 12 months (-24); 1 returned payment in the last 12 months (-20).",
    );

    const prompt = await explain("Prompt");
    expect(decision(prompt, "credit.rating").rule_id).toBe("credit.rating.good");
    expect(decision(prompt, "deposit.establishment")).toMatchObject({
      rule_id: "deposit.establishment.good_credit",
      decision: "none",
    });

    const newcomer = await explain("Newcomer");
    expect(decision(newcomer, "deposit.establishment")).toMatchObject({
      rule_id: "deposit.establishment.no_history",
      decision: "required",
    });
  });

  it("gives the other decision under the investor-owned-utility profile, on the same facts", async () => {
    const municipal = await explain("Late");
    const iou = await explain("Late", "?profile=iou");
    expect(iou.profile).toBe("iou");
    expect(decision(iou, "credit.rating").facts).toEqual(decision(municipal, "credit.rating").facts);
    expect(decision(iou, "deposit.establishment")).toMatchObject({
      rule_id: "deposit.establishment.not_allowed",
      decision: "not_allowed",
      explanation:
        "No deposit to start service: the investor-owned-utility profile charges none for this reason (CPUC D.20-06-003).",
    });

    // The utility switches to the IOU profile from a date: explain follows the setting, before and after.
    const admin = await t.as("admin");
    const put = await t.app.inject({
      method: "PUT",
      url: "/api/v1/settings/policy.profile",
      headers: admin,
      payload: { effective_from: "2026-03-02", value: "iou" },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(decision(await explain("Late"), "deposit.establishment").decision).toBe("not_allowed");
    expect(decision(await explain("Late", "?date=2026-03-01"), "deposit.establishment").decision).toBe("required");
  });

  it("refuses a negative multiple and a bad date, naming the field, and changes nothing", async () => {
    const admin = await t.as("admin");
    const rules = structuredClone(PROFILE_DEFAULTS.municipal);
    const bad = await t.app.inject({
      method: "PUT",
      url: "/api/v1/settings/policy.rules.municipal",
      headers: admin,
      payload: { effective_from: "2026-03-02", value: { ...rules, deposit: { ...rules.deposit, multiple: "-2" } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([
      { field: "value.deposit.multiple", message: "a positive number up to 3, such as 2 or 2.5" },
    ]);
    const unchanged = await t.app.inject({
      method: "GET",
      url: "/api/v1/settings/policy.rules.municipal",
      headers: admin,
    });
    expect(unchanged.json().schedule).toEqual([]);
    const badDate = await t.app.inject({
      method: "GET",
      url: `/api/v1/accounts/${customers.Late!.id}/policy?date=2026-13-01`,
      headers: await t.as("csr"),
    });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().errors[0].field).toBe("date");
  });
});

describe("policy versions", () => {
  it("a temporary version applies inside its range only, and one overlapping it is refused with the rule named", async () => {
    const admin = await t.as("admin");
    const summer = structuredClone(PROFILE_DEFAULTS.iou);
    summer.deposit.bankruptcy_days = 30;
    const put = (body: object) =>
      t.app.inject({ method: "PUT", url: "/api/v1/settings/policy.rules.iou", headers: admin, payload: body });
    const ok = await put({ effective_from: "2026-06-01", effective_to: "2026-08-31", value: summer });
    expect(ok.statusCode, ok.body).toBe(200);
    const clash = await put({ effective_from: "2026-08-01", effective_to: "2026-09-30", value: summer });
    expect(clash.statusCode).toBe(422);
    expect(clash.json()).toMatchObject({
      rule: "settings.overlap",
      detail: "policy.rules.iou from 2026-08-01 to 2026-09-30 overlaps the version from 2026-06-01 to 2026-08-31",
      errors: [{ field: "effective_to" }],
    });
    const inside = await put({ effective_from: "2026-07-01", value: summer });
    expect(inside.statusCode).toBe(422);
    expect(inside.json().errors[0].field).toBe("effective_from");
    const backwards = await put({ effective_from: "2026-10-01", effective_to: "2026-09-01", value: summer });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe("effective_to");
    const { policyInForce } = await import("../policy/index.js");
    expect((await policyInForce(t.ctx, "2026-07-15", "iou")).rules.deposit.bankruptcy_days).toBe(30);
    expect((await policyInForce(t.ctx, "2026-09-01", "iou")).rules.deposit.bankruptcy_days).toBe(20);
    const schedule = (
      await t.app.inject({ method: "GET", url: "/api/v1/settings/policy.rules.iou", headers: admin })
    ).json().schedule;
    expect(
      schedule.map((v: { effective_from: string; effective_to: string | null }) => [v.effective_from, v.effective_to]),
    ).toEqual([["2026-06-01", "2026-08-31"]]);
  });
});

describe("the rules alone", () => {
  const facts = (over: Partial<CreditFacts> = {}): CreditFacts => ({
    party_id: 1,
    as_of: "2026-03-02",
    history_months: 24,
    bills_24: 24,
    late_payments_12: 0,
    late_payments_24: 0,
    returned_payments_12: 0,
    returned_payments_24: 0,
    disconnections_12: 0,
    disconnections_24: 0,
    ...over,
  });
  const rules = PROFILE_DEFAULTS.municipal.credit;

  it("takes points for each event by age, and rates below the line poor", () => {
    expect(scoreCredit(facts(), rules)).toMatchObject({ score: 100, rating: "good" });
    expect(scoreCredit(facts({ late_payments_12: 2, late_payments_24: 5 }), rules)).toMatchObject({
      score: 100 - 16 - 9,
      rating: "good",
      reasons: ["2 late payments in the last 12 months (-16)", "3 late payments 12 to 24 months ago (-9)"],
    });
    expect(scoreCredit(facts({ disconnections_12: 1, disconnections_24: 1, late_payments_12: 1 }), rules).rating).toBe(
      "poor",
    );
    expect(scoreCredit(facts({ history_months: 3, bills_24: 3 }), rules).rating).toBe("no_history");
    expect(scoreCredit(facts({ late_payments_12: 20, late_payments_24: 20 }), rules).score).toBe(0);
  });

  it("a deposit is the multiple of the monthly estimate rounded up to whole dollars, never less", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10_000_000n }), fc.constantFrom("1", "1.5", "2", "2.25", "3"), (m, k) => {
        const amount = depositAmount(m, k);
        const exact = (m * BigInt(Math.round(Number(k) * 100))) / 100n; // k has at most 2 places
        expect(amount % 100n).toBe(0n);
        expect(amount >= exact).toBe(true);
        expect(amount - exact < 101n).toBe(true);
      }),
    );
  });

  it("the two profiles decide differently on the same facts, each naming its rule", () => {
    const credit = scoreCredit(facts({ late_payments_12: 6, late_payments_24: 6 }), rules);
    const estimate = {
      monthly_cents: 15_000n,
      basis: "premise_history" as const,
      premise_ids: [1],
      bills: 12,
      days: 365,
      customer_class: "residential",
    };
    const at = (profile: "municipal" | "iou") =>
      decideDeposit(
        "establishment",
        { profile, rules: PROFILE_DEFAULTS[profile], as_of: "2026-03-02" },
        credit,
        estimate,
      );
    expect(at("municipal")).toMatchObject({ rule_id: "deposit.establishment.poor_credit", amount_cents: "30000" });
    expect(at("iou")).toMatchObject({ rule_id: "deposit.establishment.not_allowed", amount_cents: null });
    // Bankruptcy assurance stays under both.
    for (const p of ["municipal", "iou"] as const) {
      expect(
        decideDeposit(
          "bankruptcy_assurance",
          { profile: p, rules: PROFILE_DEFAULTS[p], as_of: "2026-03-02" },
          credit,
          estimate,
        ).decision,
      ).toBe("required");
    }
  });
});
