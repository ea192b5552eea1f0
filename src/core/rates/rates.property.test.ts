import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoDate, parseIsoDate } from "./calendar.js";
import { type Line, parseTariff, quote, type Tariff } from "./index.js";

const price = fc.integer({ min: 1, max: 99_999 }).map((n) => (n / 100_000).toFixed(5));
const perDay = fc.integer({ min: 10, max: 400 }).map((n) => (n / 10).toFixed(1));
/** Any day from 2024-01-01 over three years. */
const day = fc.integer({ min: parseIsoDate("2024-01-01")!, max: parseIsoDate("2026-12-31")! });
const kwhText = fc.integer({ min: 0, max: 5_000_000 }).map((n) => new Decimal(n).div(1000).toFixed());

/** A tiered baseline tariff: two seasons, 2-4 tiers in baseline percent with rising prices, and whatever extras. */
const baselineTariff = (extras: { customer?: boolean; tax?: boolean; care?: boolean; surcharge?: boolean } = {}) =>
  fc
    .record({
      prices: fc.array(price, { minLength: 2, maxLength: 4 }),
      limits: fc.uniqueArray(fc.integer({ min: 50, max: 400 }), { minLength: 3, maxLength: 3 }),
      summer: perDay,
      winter: perDay,
      customer: price,
      tax: fc.integer({ min: 1, max: 1500 }).map((n) => (n / 100).toFixed(2)),
      surcharge: price,
      seasonStart: fc.integer({ min: 3, max: 8 }),
    })
    .map((r) => {
      const prices = [...r.prices].sort((a, b) => Number(a) - Number(b));
      const limits = [...r.limits].sort((a, b) => a - b);
      const tiers = prices.map((p, i) =>
        i < prices.length - 1 ? { price: p, up_to: { baseline_percent: String(limits[i]) } } : { price: p },
      );
      return parseTariff({
        format: "kilowatt-tariff/1",
        code: "PROP",
        name: "Property tariff",
        sector: "residential",
        versions: [
          {
            effective_from: "2023-01-01",
            seasons: [
              { name: "summer", label: "Summer", from: `${String(r.seasonStart).padStart(2, "0")}-01` },
              { name: "winter", label: "Winter", from: "10-15" },
            ],
            ...(extras.customer ? { customer_charge: { price: r.customer, per: "day" } } : {}),
            baseline: { kwh_per_day: { T: { summer: r.summer, winter: r.winter } } },
            energy: { summer: tiers, winter: tiers },
            ...(extras.surcharge ? { surcharges: [{ name: "s", price_per_kwh: r.surcharge }] } : {}),
            ...(extras.care ? { discounts: [{ name: "care", program: "care", percent: "35" }] } : {}),
            ...(extras.tax ? { taxes: [{ name: "t", percent: r.tax }] } : {}),
          },
        ],
      });
    });

const energyCents = (lines: Line[]) => lines.filter((l) => l.kind === "energy").reduce((s, l) => s + l.amountCents, 0n);
const register = (kwh: string) => ({ kind: "register" as const, kwh });
const period = (from: number, days: number) => ({ from: isoDate(from), to: isoDate(from + days - 1) });

describe("rate engine properties", () => {
  it("the total is the sum of the lines", () => {
    fc.assert(
      fc.property(
        baselineTariff({ customer: true, tax: true, care: true, surcharge: true }),
        day,
        fc.integer({ min: 1, max: 70 }),
        kwhText,
        fc.boolean(),
        (t: Tariff, from, days, kwh, care) => {
          const q = quote(t, { territory: "T", care }, period(from, days), register(kwh));
          expect(q.totalCents).toBe(q.lines.reduce((s, l) => s + l.amountCents, 0n));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("on inclining blocks, more usage never lowers the energy charge", () => {
    fc.assert(
      fc.property(baselineTariff(), day, fc.integer({ min: 1, max: 70 }), kwhText, kwhText, (t, from, days, a, b) => {
        const [lo, hi] = new Decimal(a).lte(b) ? [a, b] : [b, a];
        const p = period(from, days);
        expect(energyCents(quote(t, { territory: "T" }, p, register(hi)).lines)).toBeGreaterThanOrEqual(
          energyCents(quote(t, { territory: "T" }, p, register(lo)).lines),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("a period split in two costs the same as the whole, up to rounding", () => {
    fc.assert(
      fc.property(
        baselineTariff({ customer: true, tax: true, surcharge: true }),
        day,
        fc.integer({ min: 2, max: 70 }),
        fc.integer({ min: 1, max: 69 }),
        fc.integer({ min: 0, max: 100_000 }),
        (t, from, days, cut, perDayWh) => {
          const first = Math.min(cut, days - 1);
          // Usage per day in Wh, so both parts' shares are exact decimals.
          const kwh = (d: number) => new Decimal(perDayWh).mul(d).div(1000).toFixed();
          const whole = quote(t, { territory: "T" }, period(from, days), register(kwh(days)));
          const a = quote(t, { territory: "T" }, period(from, first), register(kwh(first)));
          const b = quote(t, { territory: "T" }, period(from + first, days - first), register(kwh(days - first)));
          const lines = whole.lines.length + a.lines.length + b.lines.length;
          const diff = whole.totalCents - a.totalCents - b.totalCents;
          expect(Math.abs(Number(diff))).toBeLessThanOrEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("exact scaled arithmetic gives the same line amounts as Decimal arithmetic", () => {
    fc.assert(
      fc.property(baselineTariff(), fc.integer({ min: 1, max: 30 }), kwhText, (t, days, kwh) => {
        // A September period, all summer: the tiers by hand in Decimal, each rounded half up once.
        const v = t.versions[0]!;
        const doc = (t.document.versions as { baseline: { kwh_per_day: { T: { summer: string } } } }[])[0]!;
        const baseline = new Decimal(doc.baseline.kwh_per_day.T.summer).mul(days);
        const tiers = v.energy[0]![0]!.tiers;
        let below = new Decimal(0);
        const expected: bigint[] = [];
        for (const [i, tier] of tiers.entries()) {
          const limit = tier.upTo
            ? baseline.mul(new Decimal(tier.upTo.n.toString()).div(tier.upTo.d.toString())).div(100)
            : undefined;
          const rest = Decimal.max(new Decimal(kwh).minus(below), 0);
          const q = limit ? Decimal.min(rest, Decimal.max(limit.minus(below), 0)) : rest;
          if (limit) below = Decimal.max(below, limit);
          if (i > 0 && q.isZero()) continue;
          expected.push(BigInt(q.mul(tier.priceText).mul(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed()));
        }
        const q = quote(
          t,
          { territory: "T" },
          { from: "2025-09-01", to: `2025-09-${String(days).padStart(2, "0")}` },
          register(kwh),
        );
        expect(q.lines.map((l) => l.amountCents)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
