import { describe, expect, it } from "vitest";
import { intervalsFromRows, type Line, parseIntervalsCsv, parseTariff, quote, RateError } from "./index.js";

/** A tariff document with one version; `version` fields override the defaults. */
function tariff(version: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    format: "kilowatt-tariff/1",
    code: "TEST-1",
    name: "Test rate",
    sector: "residential",
    ...extra,
    versions: [{ effective_from: "2025-01-01", energy: { all: [{ price: "0.30" }] }, ...version }],
  };
}
const TWO_SEASONS = [
  { name: "summer", label: "Summer", from: "06-01" },
  { name: "winter", label: "Winter", from: "10-01" },
];
const TIERS = [{ price: "0.33524", up_to: { baseline_percent: "100" } }, { price: "0.41797" }];
const E1 = tariff({
  seasons: TWO_SEASONS,
  minimum_charge: { price: "0.34810", per: "day" },
  baseline: { kwh_per_day: { T: { summer: "9.8", winter: "9.7" } }, medical_kwh_per_day: "16.438" },
  energy: { summer: TIERS, winter: TIERS },
  discounts: [
    { name: "care", label: "CARE discount", program: "care", percent: "35" },
    { name: "fera", label: "FERA discount", program: "fera", percent: "18" },
  ],
  taxes: [{ name: "uut", label: "Utility users' tax", percent: "5" }],
  credits: [{ name: "climate", label: "California Climate Credit", amount: "-58.23", months: [4, 10] }],
});
const register = (kwh: string, demandKw?: string) => ({ kind: "register" as const, kwh, demandKw });
const amounts = (lines: Line[]) => lines.map((l) => [l.description, l.quantity, l.amountCents]);

/** Hourly intervals of `kwh` each from `fromUtc` for `hours`. */
function hourly(fromUtc: string, hours: number, kwh: (h: number) => string) {
  const t0 = Date.parse(fromUtc);
  return intervalsFromRows(
    Array.from({ length: hours }, (_, h) => ({ start: new Date(t0 + h * 3_600_000).toISOString(), kwh: kwh(h) })),
  );
}

describe("the rate engine, by hand computation", () => {
  it("splits a period over two seasons by days, with the baseline by season and territory", () => {
    // Sep 15-30 summer (16 days), Oct 1-14 winter (14 days); 600 kWh shared by days: 320 and 280.
    // Summer baseline 9.8 x 16 = 156.8 kWh: 156.8 x 0.33524 = 52.5656 -> 52.57; 163.2 x 0.41797 = 68.2127 -> 68.21
    // Winter baseline 9.7 x 14 = 135.8 kWh: 135.8 x 0.33524 = 45.5256 -> 45.53; 144.2 x 0.41797 = 60.2713 -> 60.27
    // Tax 5% of 226.58 = 11.329 -> 11.33; the climate credit: the last service day is in October.
    const q = quote(parseTariff(E1), { territory: "T" }, { from: "2025-09-15", to: "2025-10-14" }, register("600"));
    expect(amounts(q.lines)).toEqual([
      ["Summer energy, tier 1", "156.8", 5257n],
      ["Summer energy, tier 2", "163.2", 6821n],
      ["Winter energy, tier 1", "135.8", 4553n],
      ["Winter energy, tier 2", "144.2", 6027n],
      ["California Climate Credit", "1", -5823n],
      ["Utility users' tax (5% of $168.35)", "168.35", 842n],
    ]);
    expect(q.totalCents).toBe(5257n + 6821n + 4553n + 6027n - 5823n + 842n);
    expect(q.lines[0]!.rule).toBe("TEST-1@2025-01-01 energy.summer[0]");
  });

  it("adds the medical baseline to the allowance and applies CARE before the tax", () => {
    // Jul 1-30: baseline (9.8 + 16.438) x 30 = 787.14 kWh -> 787.14 x 0.33524 = 263.88081 -> 263.88;
    // 112.86 x 0.41797 = 47.1721 -> 47.17. CARE 35% of 311.05 = 108.8675 -> -108.87. Tax 5% of 202.18 = 10.109 -> 10.11.
    const q = quote(
      parseTariff(E1),
      { territory: "T", medicalBaseline: true, care: true },
      { from: "2025-07-01", to: "2025-07-30" },
      register("900"),
    );
    expect(amounts(q.lines)).toEqual([
      ["Summer energy, tier 1", "787.14", 26388n],
      ["Summer energy, tier 2", "112.86", 4717n],
      ["CARE discount (35% of $311.05)", "311.05", -10887n],
      ["Utility users' tax (5% of $202.18)", "202.18", 1011n],
    ]);
    expect(q.totalCents).toBe(26388n + 4717n - 10887n + 1011n);
  });

  it("tops a small bill up to the minimum charge", () => {
    // 10 kWh x 0.33524 = 3.3524 -> 3.35; minimum 30 days x 0.34810 = 10.443 -> 10.44; top-up 7.09; tax 5% of 10.44.
    const q = quote(parseTariff(E1), { territory: "T" }, { from: "2025-07-01", to: "2025-07-30" }, register("10"));
    expect(q.lines.map((l) => [l.kind, l.amountCents])).toEqual([
      ["energy", 335n],
      ["minimum_charge", 709n],
      ["tax", 52n],
    ]);
    expect(q.totalCents).toBe(1096n);
  });

  it("prorates a monthly customer charge by the days of each calendar month, or by an average month", () => {
    const monthly = { customer_charge: { price: "10.00", per: "month" } };
    // Mar 15-31 (17/31) + Apr 1-14 (14/30): 10 x (0.548387 + 0.466667) = 10.1505 -> 10.15
    const q = quote(parseTariff(tariff(monthly)), {}, { from: "2025-03-15", to: "2025-04-14" }, register("0"));
    expect(q.lines[0]).toMatchObject({ description: "Customer charge", unit: "month", amountCents: 1015n });
    // 31 days / (365 / 12) = 1.019178 months -> 10.19
    const avg = parseTariff(tariff({ ...monthly, month_basis: "average_month" }));
    expect(quote(avg, {}, { from: "2025-03-15", to: "2025-04-14" }, register("0")).lines[0]!.amountCents).toBe(1019n);
    const daily = parseTariff(tariff({ customer_charge: { price: "0.39167", per: "day" } }));
    // 30 days x 0.39167 = 11.7501 -> 11.75
    expect(quote(daily, {}, { from: "2025-03-01", to: "2025-03-30" }, register("0")).lines[0]!.amountCents).toBe(1175n);
  });

  it("prorates a rate change inside the period by days", () => {
    const doc = tariff({});
    doc.versions.push({ effective_from: "2025-03-01", energy: { all: [{ price: "0.40" }] } });
    // Feb 15-28 (14 days) and Mar 1-16 (16 days) of 30: 300 kWh -> 140 x 0.30 = 42.00 and 160 x 0.40 = 64.00
    const q = quote(parseTariff(doc), {}, { from: "2025-02-15", to: "2025-03-16" }, register("300"));
    expect(q.versions).toEqual(["2025-01-01", "2025-03-01"]);
    expect(amounts(q.lines)).toEqual([
      ["Energy (rates from 2025-01-01)", "140", 4200n],
      ["Energy (rates from 2025-03-01)", "160", 6400n],
    ]);
  });

  it("rounds half up by default, and half even or down when the tariff says", () => {
    // 150 x 0.10005 = 15.0075: half up 15.01, half even 15.01 (odd 15.00|75 -> up), down 15.00; 5 x 0.001 = 0.005
    const at = (rounding?: string) =>
      quote(
        parseTariff(tariff({ energy: { all: [{ price: "0.001" }] }, ...(rounding ? { rounding } : {}) })),
        {},
        { from: "2025-03-01", to: "2025-03-31" },
        register("5"),
      ).totalCents;
    expect(at()).toBe(1n);
    expect(at("half_even")).toBe(0n);
    expect(at("down")).toBe(0n);
  });

  it("gives fixed credits only to bills whose last service day is in a named month", () => {
    const t = parseTariff(E1);
    const april = quote(t, { territory: "T" }, { from: "2025-03-15", to: "2025-04-13" }, register("300"));
    const may = quote(t, { territory: "T" }, { from: "2025-04-14", to: "2025-05-13" }, register("300"));
    expect(april.lines.some((l) => l.kind === "credit")).toBe(true);
    expect(may.lines.some((l) => l.kind === "credit")).toBe(false);
  });

  it("adds per-kWh surcharges on all usage", () => {
    const t = parseTariff(
      tariff({ surcharges: [{ name: "wildfire", label: "Wildfire Fund charge", price_per_kwh: "0.00587" }] }),
    );
    // 512.4 x 0.00587 = 3.007788 -> 3.01
    const q = quote(t, {}, { from: "2025-03-01", to: "2025-03-31" }, register("512.4"));
    expect(q.lines[1]).toMatchObject({ description: "Wildfire Fund charge", quantity: "512.4", amountCents: 301n });
  });
});

describe("time of use", () => {
  const TOU = tariff({
    time_of_use: {
      periods: [
        { name: "peak", label: "Peak" },
        { name: "off_peak", label: "Off-peak" },
      ],
      schedule: {
        all: {
          weekday: [
            { from: 0, to: 16, period: "off_peak" },
            { from: 16, to: 21, period: "peak" },
            { from: 21, to: 24, period: "off_peak" },
          ],
          weekend: [{ from: 0, to: 24, period: "off_peak" }],
        },
      },
      holidays: ["01-01", { month: 11, weekday: "thursday", nth: 4 }],
    },
    energy: { all: { peak: [{ price: "0.50" }], off_peak: [{ price: "0.30" }] } },
  });

  it("prices each reading by its local clock hour across the spring DST change", () => {
    // March 2025 in Los Angeles: 31 days less the lost hour on the 9th = 743 hours of 1.5 kWh = 1,114.5 kWh.
    // 21 weekdays x 5 peak hours (16-21) x 1.5 = 157.5 kWh at 0.50 = 78.75; 957 kWh at 0.30 = 287.10.
    const q = quote(
      parseTariff(TOU),
      {},
      { from: "2025-03-01", to: "2025-03-31" },
      {
        kind: "intervals",
        series: hourly("2025-03-01T08:00:00Z", 24 * 32, () => "1.5"),
      },
    );
    expect(q.kwh).toBe("1114.5");
    expect(amounts(q.lines)).toEqual([
      ["Peak energy", "157.5", 7875n],
      ["Off-peak energy", "957", 28710n],
    ]);
  });

  it("prices the tariff's holidays as weekends and counts the repeated hour in November", () => {
    // November 2025: 30 days + the repeated 1:00 on the 2nd = 721 hours x 1.5 = 1,081.5 kWh. 20 weekdays less
    // Thanksgiving (the 27th) = 19 x 5 x 1.5 = 142.5 kWh peak; 939 kWh off-peak.
    const q = quote(
      parseTariff(TOU),
      {},
      { from: "2025-11-01", to: "2025-11-30" },
      {
        kind: "intervals",
        series: hourly("2025-11-01T07:00:00Z", 24 * 31, () => "1.5"),
      },
    );
    expect(amounts(q.lines)).toEqual([
      ["Peak energy", "142.5", 7125n],
      ["Off-peak energy", "939", 28170n],
    ]);
  });

  it("takes kWh by period from time-of-use registers, and refuses a plain total", () => {
    const t = parseTariff(TOU);
    const q = quote(
      t,
      {},
      { from: "2025-03-01", to: "2025-03-31" },
      {
        kind: "register",
        kwh: "400",
        kwhByPeriod: { peak: "100", off_peak: "300" },
      },
    );
    expect(q.totalCents).toBe(5000n + 9000n);
    expect(() => quote(t, {}, { from: "2025-03-01", to: "2025-03-31" }, register("400"))).toThrow(
      /prices by time of use/,
    );
  });

  it("shares the season's tiers among periods in proportion to their kWh (as URDB tariffs are priced)", () => {
    const tiers = (a: string, b: string) => [{ price: a, up_to: { kwh_per_month: "200" } }, { price: b }];
    const doc = {
      ...TOU,
      versions: [
        { ...TOU.versions[0]!, energy: { all: { peak: tiers("0.5", "0.6"), off_peak: tiers("0.3", "0.4") } } },
      ],
    };
    // 400 kWh in a whole month: tier 1 200, tier 2 200; peak is a quarter: 50 + 50; off-peak 150 + 150.
    const q = quote(
      parseTariff(doc),
      {},
      { from: "2025-03-01", to: "2025-03-31" },
      {
        kind: "register",
        kwh: "400",
        kwhByPeriod: { peak: "100", off_peak: "300" },
      },
    );
    expect(q.lines.map((l) => [l.quantity, l.amountCents])).toEqual([
      ["50", 2500n],
      ["50", 3000n],
      ["150", 4500n],
      ["150", 6000n],
    ]);
  });

  it("charges demand on the highest interval kW, by demand period, prorated for part of a month", () => {
    const doc = tariff({
      demand: { all: { all: [{ price: "10", up_to_kw: "5" }, { price: "12" }] } },
    });
    // 15-minute intervals of 0.5 kWh (2 kW) with one of 2 kWh (8 kW) on March 10: demand 8 kW:
    // 5 kW x 10 + 3 kW x 12 = 86.00 for a whole month.
    const rows = Array.from({ length: 31 * 96 }, (_, i) => ({
      start: new Date(Date.parse("2025-03-01T08:00:00Z") + i * 900_000).toISOString(),
      kwh: i === 9 * 96 + 40 ? "2" : "0.5",
    }));
    const series = intervalsFromRows(rows);
    expect(series.minutes).toBe(15);
    const q = quote(parseTariff(doc), {}, { from: "2025-03-01", to: "2025-03-31" }, { kind: "intervals", series });
    expect(q.lines.filter((l) => l.kind === "demand").map((l) => [l.quantity, l.amountCents])).toEqual([
      ["5", 5000n],
      ["3", 3600n],
    ]);
    // Register demand for Mar 15-31 only: 17/31 of a month at 8 kW: 5 x 17/31 x 10 = 27.42; 3 x 17/31 x 12 = 19.74
    const part = quote(parseTariff(doc), {}, { from: "2025-03-15", to: "2025-03-31" }, register("100", "8"));
    expect(part.lines.filter((l) => l.kind === "demand").map((l) => l.amountCents)).toEqual([2742n, 1974n]);
  });
});

describe("bad input is refused, naming the problem", () => {
  const refused = (doc: unknown, path: string, message: RegExp) => {
    try {
      parseTariff(doc);
    } catch (e) {
      expect(e).toBeInstanceOf(RateError);
      expect((e as RateError).path).toBe(path);
      expect((e as RateError).message).toMatch(message);
      return;
    }
    throw new Error("accepted");
  };

  it("refuses unordered, overlapping or open-ended middle tiers", () => {
    refused(
      tariff({
        energy: {
          all: [
            { price: "0.1", up_to: { kwh_per_month: "500" } },
            { price: "0.2", up_to: { kwh_per_month: "300" } },
            { price: "0.3" },
          ],
        },
      }),
      "versions[0].energy.all[1].up_to",
      /tier 2 ends at or below where tier 1 ends/,
    );
    refused(
      tariff({
        energy: {
          all: [
            { price: "0.1", up_to: { kwh_per_month: "500" } },
            { price: "0.2", up_to: { kwh_per_month: "500" } },
            { price: "0.3" },
          ],
        },
      }),
      "versions[0].energy.all[1].up_to",
      /without overlapping/,
    );
    refused(
      tariff({ energy: { all: [{ price: "0.1" }, { price: "0.2" }] } }),
      "versions[0].energy.all[0]",
      /needs up_to/,
    );
    refused(
      tariff({
        energy: {
          all: [
            { price: "0.1", up_to: { kwh_per_month: "5" } },
            { price: "0.2", up_to: { kwh_per_day: "9" } },
            { price: "0.3" },
          ],
        },
      }),
      "versions[0].energy.all[1].up_to",
      /is in kwh_per_day but the tiers above are in kwh_per_month/,
    );
  });

  it("refuses a schedule with a missing hour, an hour twice or an unknown period", () => {
    const schedule = (weekday: unknown[]) =>
      tariff({
        time_of_use: {
          periods: [{ name: "peak" }, { name: "off_peak" }],
          schedule: { all: { weekday, weekend: [{ from: 0, to: 24, period: "off_peak" }] } },
        },
        energy: { all: { peak: [{ price: "0.5" }], off_peak: [{ price: "0.3" }] } },
      });
    refused(
      schedule([
        { from: 0, to: 16, period: "off_peak" },
        { from: 16, to: 23, period: "peak" },
      ]),
      "versions[0].time_of_use.schedule.all.weekday",
      /hour 23 has no period/,
    );
    refused(
      schedule([
        { from: 0, to: 17, period: "off_peak" },
        { from: 16, to: 24, period: "peak" },
      ]),
      "versions[0].time_of_use.schedule.all.weekday[1]",
      /hour 16 is already in period off_peak/,
    );
    refused(
      schedule([
        { from: 0, to: 16, period: "off_peak" },
        { from: 16, to: 24, period: "peek" },
      ]),
      "versions[0].time_of_use.schedule.all.weekday[1].period",
      /unknown period "peek"/,
    );
  });

  it("refuses unknown fields, bad prices and doubled versions by name", () => {
    refused(tariff({ energy_charge: "1" }), "versions[0].energy_charge", /is not a field/);
    refused(tariff({ energy: { all: [{ price: 0.3 }] } }), "versions[0].energy.all[0].price", /decimal string/);
    refused(tariff({ energy: { all: [{ price: "0.3x" }] } }), "versions[0].energy.all[0].price", /is not a decimal/);
    const doubled = tariff({});
    doubled.versions.push({ effective_from: "2025-01-01", energy: { all: [{ price: "0.4" }] } });
    refused(doubled, "versions", /two versions take effect on 2025-01-01/);
    refused({ ...tariff({}), sector: "domestic" }, "sector", /must be one of/);
    refused({ ...tariff({}), time_zone: "Mars/Olympus" }, "time_zone", /not an IANA time zone/);
    refused(
      tariff({
        seasons: [
          { name: "a", from: "06-01" },
          { name: "b", from: "06-01" },
        ],
      }),
      "versions[0].seasons",
      /start on the same day/,
    );
  });

  it("refuses a period that ends before it starts, and usage a tariff cannot price", () => {
    const t = parseTariff(E1);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as RateError).path, (e as RateError).message];
      }
      return undefined;
    };
    expect(err(() => quote(t, { territory: "T" }, { from: "2025-03-05", to: "2025-03-01" }, register("1")))).toEqual([
      "to",
      "to: the last service day 2025-03-01 is before the first 2025-03-05",
    ]);
    expect(err(() => quote(t, {}, { from: "2025-03-01", to: "2025-03-30" }, register("1")))?.[0]).toBe("territory");
    expect(
      err(() => quote(t, { territory: "Q" }, { from: "2025-03-01", to: "2025-03-30" }, register("1")))?.[1],
    ).toMatch(/no baseline for territory Q/);
    expect(
      err(() => quote(t, { territory: "T" }, { from: "2024-03-01", to: "2024-03-30" }, register("1")))?.[1],
    ).toMatch(/no version in force on 2024-03-01/);
    expect(err(() => quote(t, { territory: "T" }, { from: "2025-03-01", to: "2025-03-30" }, register("-5")))?.[0]).toBe(
      "kwh",
    );
    const demand = parseTariff(tariff({ demand: { all: { all: [{ price: "10" }] } } }));
    expect(err(() => quote(demand, {}, { from: "2025-03-01", to: "2025-03-30" }, register("5")))?.[0]).toBe(
      "demand_kw",
    );
  });

  it("refuses intervals that overlap, and malformed interval lines", () => {
    const csv =
      "start,kwh\n2025-03-01T00:00:00-08:00,1\n2025-03-01T01:00:00-08:00,1\n2025-03-01T01:30:00-08:00,1\n" +
      "2025-03-01T02:00:00-08:00,1\n2025-03-01T03:00:00-08:00,1\n2025-03-01T04:00:00-08:00,1\n";
    expect(() => parseIntervalsCsv(csv)).toThrow(
      "line 4: the interval starting 2025-03-01T01:30:00-08:00 overlaps the one starting 2025-03-01T01:00:00-08:00 (intervals are 60 minutes)",
    );
    expect(() => parseIntervalsCsv("start,kwh\n2025-03-01T00:00:00,1\n2025-03-01T01:00:00Z,1\n")).toThrow(
      /line 2: start .* with its offset/,
    );
    expect(() => parseIntervalsCsv("start,kwh\n2025-03-01T00:00:00Z,1\n2025-03-01T00:00:00Z,2\n")).toThrow(
      /interval length/,
    );
    expect(() => parseIntervalsCsv("when,kwh\n")).toThrow(/line 1: the header must be "start,kwh"/);
    expect(() => parseIntervalsCsv("start,kwh\n2025-03-01T00:00:00Z,-1\n2025-03-01T01:00:00Z,1\n")).toThrow(/negative/);
    const ok = parseIntervalsCsv("start,kwh\r\n2025-03-01T01:00:00Z,0.25\r\n2025-03-01T00:00:00Z,1.000001\r\n");
    expect([...ok.microKwh]).toEqual([1_000_001, 250_000]);
    expect(ok.minutes).toBe(60);
  });
});
