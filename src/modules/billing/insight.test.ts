import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { insertMonthlyBills } from "./bill-fixtures.js";
import { explainBill } from "./explain.js";
import { compareAccountRates } from "./history-compare.js";
import { insertReads, runAfterReads, type TestRead } from "./read-fixtures.js";
import { accountUsage } from "./usage.js";

let t: TestApp;
const account = { id: 0, sa: 0 };
/** Bill ids by the last day of their period. */
const billOf = new Map<string, number>();

/** kWh a day between read days, and the read day's kind. */
const SCHEDULE: [string, number, TestRead["kind"]?][] = [
  ["2025-04-16", 0],
  ["2025-05-15", 14],
  ["2025-06-17", 17],
  ["2025-07-16", 20],
  ["2025-08-15", 22],
  ["2025-09-16", 20],
  ["2025-10-15", 15],
  ["2025-11-14", 14],
  ["2025-12-15", 16],
  ["2026-01-14", 17],
  ["2026-02-13", 16],
  ["2026-03-16", 15],
  ["2026-04-16", 14],
  ["2026-05-15", 19],
  ["2026-06-17", 28, "estimated"],
  ["2026-07-16", 24],
  ["2026-08-17", 22],
];

const reads: TestRead[] = SCHEDULE.map(([on, perDay, kind], i) => {
  const before = SCHEDULE[i - 1]?.[0];
  const days = before
    ? Temporal.PlainDate.from(before).until(Temporal.PlainDate.from(on), { largestUnit: "days" }).days
    : 0;
  return { on, kwh: String(perDay * days), kind };
});

const sentences = (e: { reasons: { code: string; sentence: string }[] }, code: string) =>
  e.reasons.filter((r) => r.code === code).map((r) => r.sentence);

beforeAll(async () => {
  t = await testApp({ now: "2026-09-05T17:00:00Z" });
  await seedDemoTariffs(t.ctx);
  const c = await newCustomer(t, {
    premise: aPremise({ baseline_territory: "T" }),
    service_agreement: { tariff_code: "E-1", start_date: "2025-04-01" },
    account: { bill_cycle: "19", notice_channel: "mail" },
  });
  Object.assign(account, { id: c.account.id, sa: c.service_agreement.id });
  // The meter went in when service started.
  await t.database.rows(
    t.database.db,
    sql`UPDATE meter_installations SET installed_on = '2025-04-01'
        WHERE service_point_id = (SELECT service_point_id FROM service_agreements WHERE id = ${account.sa})`,
  );
  await insertReads(t.database, account.sa, reads);
  await runAfterReads(t.ctx, "19", reads);
  const made = await t.database.rows<{ id: number; to: string; status: string }>(
    t.database.db,
    sql`SELECT id::int4 AS id, period_to::text AS "to", status FROM bills WHERE account_id = ${account.id}`,
  );
  for (const b of made) {
    expect(b.status).toBe("issued");
    billOf.set(b.to, b.id);
  }
}, 180_000);
afterAll(async () => t?.close());

describe("why is this bill high", () => {
  it("sets a bill against the last one and the same period last year, in sentences to read out", async () => {
    expect(billOf.size).toBe(16);
    const e = await explainBill(t.ctx, billOf.get("2026-06-17")!);
    const prev = e.comparisons.previous!;
    const ly = e.comparisons.last_year!;
    expect(prev.bill.bill_id).toBe(billOf.get("2026-05-15"));
    expect(ly.bill.bill_id).toBe(billOf.get("2025-06-17"));
    expect(e.bill).toMatchObject({ days: 33, kwh: "924", kwh_per_day: "28.00", estimated: true });

    expect(e.headline).toMatch(
      /^This bill is \$[\d,]+\.\d\d, \$[\d,]+\.\d\d more than the last one \(\$[\d,]+\.\d\d\), mostly because you used more electricity each day \(28 kWh a day against 19\)\.$/,
    );
    expect(sentences(e, "days")).toEqual(["This bill covers 33 days; the last one covered 29."]);
    expect(sentences(e, "usage")).toEqual(["You used 924 kWh, 28 a day, up from 19 a day on the last bill (+47%)."]);
    expect(sentences(e, "estimated")[0]).toMatch(/^This bill was estimated: we could not read the meter\./);
    // June 1's version changed no price (it added a credit in August and September): not a rate change.
    expect(sentences(e, "rate_change")).toEqual([]);
    expect(sentences(e, "season")[0]).toMatch(
      /^This bill has 16 Winter days and 17 Summer days; the last one had 29 Winter days\./,
    );
    expect(sentences(e, "tiers")[0]).toMatch(
      /^[\d,.]+ kWh of this bill were over your baseline allowance, at the higher price; on the last bill [\d,.]+ kWh were\.$/,
    );
    expect(sentences(e, "last_year")).toEqual([
      `In the same period last year you used 17 kWh a day (561 kWh over 33 days) and the bill was ${usdOf(ly.bill.total_cents)}; this time 28 a day (+65%).`,
    ]);
    // Since June 2025: September 1, 2025, January 1 and March 1, 2026 changed prices.
    expect(sentences(e, "last_year_rates")).toEqual([
      "Since the same period last year E-1 prices changed 3 times, most recently on March 1, 2026.",
    ]);
    // The parts of the change add up to it.
    const c = prev.change;
    expect(c.total_cents).toBe(e.bill.total_cents - prev.bill.total_cents);
    expect(c.days_cents + c.usage_cents + c.price_cents + c.one_time_cents).toBe(c.total_cents);
    expect(c.usage_cents).toBeGreaterThan(c.days_cents);
  });

  it("says when prices changed during a bill, and which prices and charges moved", async () => {
    const march = await explainBill(t.ctx, billOf.get("2026-03-16")!);
    expect(sentences(march, "rate_change")).toEqual([
      "Prices changed on March 1, 2026 (E-1 version of 2026-03-01): this bill's days from March 1, 2026 are on the new prices (16 days).",
    ]);
    expect(sentences(march, "charge_added")).toEqual([
      expect.stringMatching(/^This bill has a charge the last one did not: Base Services Charge, \$12\.69\.$/),
    ]);
    expect(sentences(march, "price_change")).toContainEqual(
      expect.stringMatching(
        /^Winter energy, Tier 1 \(up to baseline\): \$0\.\d+ a kWh on the last bill, \$0\.32561 on this one \(-\d+%\)\.$/,
      ),
    );

    const february = await explainBill(t.ctx, billOf.get("2026-02-13")!);
    expect(sentences(february, "rate_change")).toEqual([
      "Prices changed on January 1, 2026 (E-1 version of 2026-01-01): the last bill had the new prices for its last 14 days, this bill for all 30 days.",
    ]);
  });

  it("says when the last bill was estimated, and a one-time credit on one bill and not the other", async () => {
    const july = await explainBill(t.ctx, billOf.get("2026-07-16")!);
    expect(sentences(july, "estimated")).toEqual([
      "The last bill was estimated; this one is from an actual read, so it also counts any usage the estimate missed.",
    ]);
    const august = await explainBill(t.ctx, billOf.get("2026-08-17")!);
    expect(sentences(august, "credit_added")).toEqual([
      "This bill includes a one-time California Climate Credit of -$36.18; the last one did not.",
    ]);
    expect(august.comparisons.previous!.change.one_time_cents).toBe(-3618n);
    const first = await explainBill(t.ctx, billOf.get("2025-05-15")!);
    expect(first.comparisons).toEqual({ previous: null, last_year: null });
    expect(first.headline).toMatch(
      /^This is the first bill we can compare on this account: \$[\d.,]+ for 406 kWh over 29 days\.$/,
    );
    expect(sentences(first, "no_last_year")).toHaveLength(1);
  });

  it("explains bills written without rule ids or a tariff version for their days", async () => {
    const c = await newCustomer(t, { account: { bill_cycle: "21", notice_channel: "mail" } });
    const on = { account_id: c.account.id, service_agreement_id: c.service_agreement.id };
    const [first, second] = await insertMonthlyBills(t.database, on, "2023-01", 2, (i) => String(300 + i * 150));
    expect(first).toBeDefined();
    const e = await explainBill(t.ctx, second!);
    expect(e.comparisons.previous!.bill.bill_id).toBe(first);
    expect(sentences(e, "usage")[0]).toMatch(
      /^You used 450 kWh, 16 a day, up from 9\.7 a day on the last bill \(\+66%\)\.$/,
    );
    expect(e.bill.seasons).toEqual([]);
  });

  it("answers over HTTP to those who read bills", async () => {
    const id = billOf.get("2026-06-17")!;
    const ok = await t.app.inject({
      method: "GET",
      url: `/api/v1/bills/${id}/explanation`,
      headers: await t.as("csr"),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const body = ok.json();
    expect(body.headline).toMatch(/^This bill is \$/);
    expect(body.reasons.map((r: { code: string }) => r.code)).toContain("usage");
    expect(typeof body.bill.total_cents).toBe("number");
    const missing = await t.app.inject({
      method: "GET",
      url: "/api/v1/bills/999999/explanation",
      headers: await t.as("csr"),
    });
    expect(missing.statusCode).toBe(404);
    for (const url of [
      `/api/v1/bills/${id}/explanation`,
      `/api/v1/accounts/${account.id}/usage`,
      `/api/v1/accounts/${account.id}/rate-comparison`,
    ]) {
      const refused = await t.app.inject({ method: "GET", url, headers: await t.as("nobody") });
      expect(refused.statusCode, url).toBe(403);
    }
  });
});

describe("the account's usage", () => {
  it("charts 24 months of billed kWh by the month each period ended", async () => {
    const u = await accountUsage(t.ctx, account.id);
    expect(u.months).toHaveLength(24);
    expect(u.months[0]!.month).toBe("2024-09");
    expect(u.months.at(-1)!.month).toBe("2026-08");
    expect(u.months.filter((m) => m.kwh !== null)).toHaveLength(16);
    expect(u.months.find((m) => m.month === "2026-06")).toEqual({
      month: "2026-06",
      kwh: "924",
      days: 33,
      kwh_per_day: "28.00",
      estimated: true,
      bill_ids: [billOf.get("2026-06-17")],
    });
    expect(u.months.find((m) => m.month === "2025-01")!.kwh).toBeNull();
    expect(u.total_kwh).toBe(String(reads.reduce((s, r) => s + Number(r.kwh), 0)));
    expect(u.daily).toBeNull();
  });

  it("adds the last 60 days of interval data when there is some", async () => {
    const [meter] = await t.database.rows<{ id: number }>(
      t.database.db,
      sql`SELECT mi.meter_id::int4 AS id FROM service_agreements sa
          JOIN meter_installations mi ON mi.service_point_id = sa.service_point_id WHERE sa.id = ${account.sa}`,
    );
    const hours = (wh: number | null, missing = -1) =>
      Array.from({ length: 24 }, (_, h) => (h === missing ? null : wh));
    for (const [day, wh] of [
      ["2026-08-15", hours(900)],
      ["2026-08-16", hours(1000, 3)],
      ["2026-08-17", hours(1100)],
    ] as const) {
      await t.database.rows(
        t.database.db,
        sql`INSERT INTO interval_days (meter_id, day, minutes, wh, source)
            VALUES (${meter!.id}, ${day}, 60, ${sql.param(wh)}::int4[], 'import')`,
      );
    }
    const u = await accountUsage(t.ctx, account.id);
    expect(u.daily!.from).toBe("2026-06-19");
    expect(u.daily!.to).toBe("2026-08-17");
    expect(u.daily!.days).toHaveLength(60);
    expect(u.daily!.days.slice(-3)).toEqual([
      { day: "2026-08-15", kwh: "21.6", complete: true },
      { day: "2026-08-16", kwh: "23", complete: false },
      { day: "2026-08-17", kwh: "26.4", complete: true },
    ]);
    expect(u.daily!.days[0]).toEqual({ day: "2026-06-19", kwh: null, complete: false });
    const res = await t.app.inject({
      method: "GET",
      url: `/api/v1/accounts/${account.id}/usage`,
      headers: await t.as("csr"),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().months).toHaveLength(24);
  });
});

describe("the rate comparison on the account's history", () => {
  it("prices the last 12 months of billed usage on every residential tariff, the current one marked", async () => {
    const r = await compareAccountRates(t.ctx, account.id);
    expect(r).toMatchObject({ sector: "residential", territory: "T", programs: [], current_tariff: "E-1" });
    expect(r.periods).toHaveLength(12);
    expect(r.from).toBe("2025-08-16");
    expect(r.to).toBe("2026-08-17");
    const codes = [...r.rows.map((x) => x.tariff_code), ...r.refused.map((x) => x.tariff_code)].sort();
    expect(codes).toEqual(["E-1", "E-TOU-C", "EV2-A"]);
    // Cheapest first.
    for (let i = 1; i < r.rows.length; i++) expect(r.rows[i]!.total_cents >= r.rows[i - 1]!.total_cents).toBe(true);
    // E-1, priced by the same engine on the same usage and facts, is what the twelve bills charged.
    const [billed] = await t.database.rows<{ total: string }>(
      t.database.db,
      sql`SELECT sum(total_cents)::text AS total FROM bills
          WHERE account_id = ${account.id} AND period_to > '2025-08-17'`,
    );
    const current = r.rows.find((x) => x.current)!;
    expect(current.tariff_code).toBe("E-1");
    expect(current.total_cents).toBe(BigInt(billed!.total));
    expect(current.difference_cents).toBe(0n);
    for (const row of r.rows) {
      expect(row.difference_cents).toBe(row.total_cents - current.total_cents);
      const expected = (Number(-row.difference_cents!) * 365) / r.days;
      expect(Math.abs(Number(row.savings_per_year_cents) - expected)).toBeLessThanOrEqual(0.5);
    }
    expect(r.summary).toMatch(/last 12 months of usage \([\d,]+ kWh from August 16, 2025 to August 17, 2026\)/);

    const res = await t.app.inject({
      method: "GET",
      url: `/api/v1/accounts/${account.id}/rate-comparison`,
      headers: await t.as("csr"),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rows.find((x: { current: boolean }) => x.current).tariff_code).toBe("E-1");
  });

  it("says there is nothing to compare on an account without bills", async () => {
    const c = await newCustomer(t, { account: { bill_cycle: "20", notice_channel: "mail" } });
    const r = await compareAccountRates(t.ctx, c.account.id);
    expect(r.rows).toEqual([]);
    expect(r.summary).toBe("There are no issued bills in the last 12 months to compare rates on.");
    const u = await accountUsage(t.ctx, c.account.id);
    expect(u.months.every((m) => m.kwh === null)).toBe(true);
    expect(u.months.at(-1)!.month).toBe("2026-09");
  });
});

function usdOf(cents: bigint) {
  const a = cents < 0n ? -cents : cents;
  return `${cents < 0n ? "-" : ""}$${(a / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${String(a % 100n).padStart(2, "0")}`;
}
