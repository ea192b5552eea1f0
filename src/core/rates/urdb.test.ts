/**
 * URDB import: real OpenEI Utility Rate Database records (./urdb-fixtures, each with where it was found) converted
 * to Kilowatt tariff documents and priced, against bills worked out by hand below from the records' own numbers
 * and the URDB reading of docs/tariff-format.md: rate + adj per tier, tier max per calendar month, demand as the
 * month's highest kW per period, each line rounded to the cent (halves up).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type IntervalRow, intervalsFromRows, type Line, parseTariff, type Quote, quote, RateError } from "./index.js";
import { readUrdbFile, urdbToDocument } from "./urdb.js";

type Obj = Record<string, unknown>;

const dir = fileURLToPath(new URL("./urdb-fixtures/", import.meta.url));
const fixture = (name: string) =>
  JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as { source: Obj; record: Obj };
/** A fresh copy of a fixture's record, to vary in a test. */
const record = (name: string): Obj => structuredClone(fixture(name).record);

const tariffOf = (rec: unknown, options: { code?: string; timeZone?: string } = {}) =>
  parseTariff(urdbToDocument(rec, options));

/** Hourly intervals for a calendar month, local clock hours at a fixed UTC offset (no clock change that month). */
function hourly(
  year: number,
  month: number,
  offset: string,
  kwh: (day: number, hour: number, weekday: number) => number,
) {
  const rows: IntervalRow[] = [];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const two = (n: number) => String(n).padStart(2, "0");
  for (let d = 1; d <= days; d++) {
    const wd = new Date(Date.UTC(year, month - 1, d)).getUTCDay();
    for (let h = 0; h < 24; h++)
      rows.push({ start: `${year}-${two(month)}-${two(d)}T${two(h)}:00:00${offset}`, kwh: String(kwh(d, h, wd)) });
  }
  return { kind: "intervals" as const, series: intervalsFromRows(rows) };
}

const isWeekend = (wd: number) => wd === 0 || wd === 6;

/**
 * The priced lines as [description, quantity, price, cents], for comparing with a hand computation. The engine also
 * lists what a month's usage did not reach (a tier above the usage, a period not in force that month) as lines of
 * 0 kWh and $0.00; those are checked to be nothing and left out.
 */
function table(q: Quote) {
  const zero = (l: Line) => l.quantity === "0" && l.amountCents === 0n;
  for (const l of q.lines) if (l.quantity === "0") expect(l.amountCents, l.description).toBe(0n);
  return q.lines.filter((l) => !zero(l)).map((l) => [l.description, l.quantity, l.price, Number(l.amountCents)]);
}

function refusal(fn: () => unknown): RateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RateError) return err;
    throw err;
  }
  throw new Error("expected a RateError");
}

describe("URDB fixtures", () => {
  it("are real URDB records with their source", () => {
    for (const name of ["coned-sc-1-zone-i", "pge-a-10-secondary", "fpl-gsldt-1"]) {
      const f = fixture(name);
      expect(f.source.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(f.source.url).toBe(`https://apps.openei.org/USURDB/rate/view/${f.record.label}`);
      expect(f.record.utility).toBeTypeOf("string");
    }
  });
});

describe("Con Edison SC-1 Zone I (tiered, seasonal)", () => {
  const rec = record("coned-sc-1-zone-i");
  const tariff = tariffOf(rec);

  it("converts to a valid tariff document", () => {
    const doc = urdbToDocument(rec) as Obj & { versions: Obj[] };
    expect(doc).toMatchObject({
      format: "kilowatt-tariff/1",
      code: "SC-1-RESIDENTIAL-RELIGIOUS-SERVICE-ZONE",
      name: "SC-1 - Residential & Religious Service - Zone I [NYC]",
      sector: "residential",
      source: "https://apps.openei.org/USURDB/rate/view/67b3b71e4beb07f0d40cb9e7",
    });
    expect(doc.description).toContain("Consolidated Edison Co-NY Inc");
    expect(doc.description).toContain("67b3b71e4beb07f0d40cb9e7");
    const v = doc.versions[0]!;
    // startdate 1738396800 = 2025-02-01T08:00:00Z
    expect(v.effective_from).toBe("2025-02-01");
    expect(v.customer_charge).toEqual({ price: "20", per: "month" });
    expect(v.time_of_use).toBeUndefined(); // each month is in one period all day
    expect((v.energy as Obj).jan).toEqual([{ price: "0.34356" }]);
    expect((v.energy as Obj).jul).toEqual([
      { price: "0.34356", up_to: { kwh_per_month: "250" }, label: "Tier 1" },
      { price: "0.36767", label: "Tier 2" },
    ]);
    expect(tariff.hasTimeOfUse).toBe(false);
    expect(tariff.hasDemand).toBe(false);
  });

  it("prices a summer month's 600 kWh across the 250 kWh tier", () => {
    // July 2025 (31 days, billed whole), 600 kWh:
    //   Customer charge   1 month x $20.00                      = $20.00     2000
    //   Energy, Tier 1    250 kWh x (0.26472 + 0.07884 = 0.34356) = $85.89     8589
    //   Energy, Tier 2    350 kWh x (0.28883 + 0.07884 = 0.36767) = $128.6845 12868
    //                                                                 total  23457
    const q = quote(tariff, {}, { from: "2025-07-01", to: "2025-07-31" }, { kind: "register", kwh: "600" });
    expect(table(q)).toEqual([
      ["Customer charge", "1", "20", 2000],
      ["Energy, Tier 1", "250", "0.34356", 8589],
      ["Energy, Tier 2", "350", "0.36767", 12868],
    ]);
    expect(q.totalCents).toBe(23457n);
  });

  it("prices a winter month untiered", () => {
    // January 2026, 600 kWh: energy 600 x 0.34356 = $206.136 -> 20614; customer charge 2000; total 22614
    const q = quote(tariff, {}, { from: "2026-01-01", to: "2026-01-31" }, { kind: "register", kwh: "600" });
    expect(table(q)).toEqual([
      ["Customer charge", "1", "20", 2000],
      ["Energy", "600", "0.34356", 20614],
    ]);
    expect(q.totalCents).toBe(22614n);
  });

  it("splits a period across two months, each with its month's prorated tier", () => {
    // 2025-06-16 .. 2025-07-15: 15 June days (of 30) and 15 July days (of 31); 600 kWh shared by days: 300 + 300.
    //   June: Tier 1 limit 250 x 15/30 = 125         -> Tier 1 125,       Tier 2 175
    //   July: Tier 1 limit 250 x 15/31 = 3750/31     -> Tier 1 3750/31,   Tier 2 300 - 3750/31 = 5550/31
    //   Energy, Tier 1  125 + 3750/31  = 7625/31  = 245.967742 kWh x 0.34356 = 2619.645/31   = $84.504677  8450
    //   Energy, Tier 2  175 + 5550/31  = 10975/31 = 354.032258 kWh x 0.36767 = 4035.17825/31 = $130.167040 13017
    //   Customer charge 15/30 + 15/31  = 0.983871 months x $20           = $19.677419            1968
    //                                                                                     total  23435
    const q = quote(tariff, {}, { from: "2025-06-16", to: "2025-07-15" }, { kind: "register", kwh: "600" });
    expect(table(q)).toEqual([
      ["Customer charge", "0.983871", "20", 1968],
      ["Energy, Tier 1", "245.967742", "0.34356", 8450],
      ["Energy, Tier 2", "354.032258", "0.36767", 13017],
    ]);
    expect(q.totalCents).toBe(23435n);
  });

  it("tops a bill up to minmonthlycharge (the record with a minimum added)", () => {
    // The same record with "minmonthlycharge": 30. July 2025, 10 kWh:
    //   Customer charge $20.00 (2000) + Energy 10 x 0.34356 = $3.4356 (344) = 2344 < $30.00 minimum
    //   Minimum charge line 3000 - 2344 = 656; total 3000
    const withMinimum = { ...record("coned-sc-1-zone-i"), minmonthlycharge: 30 };
    const doc = urdbToDocument(withMinimum) as { versions: Obj[] };
    expect(doc.versions[0]!.minimum_charge).toEqual({
      price: "30",
      per: "month",
      applies_to: ["customer_charge", "energy", "demand"],
    });
    const q = quote(parseTariff(doc), {}, { from: "2025-07-01", to: "2025-07-31" }, { kind: "register", kwh: "10" });
    expect(table(q)).toEqual([
      ["Customer charge", "1", "20", 2000],
      ["Energy, Tier 1", "10", "0.34356", 344],
      [expect.stringContaining("Minimum charge"), "1", "6.56", 656],
    ]);
    expect(q.totalCents).toBe(3000n);
  });
});

describe("PG&E A-10 secondary (time of use, flat demand, daily customer charge)", () => {
  const pge = () => record("pge-a-10-secondary");
  const rec = pge();
  const tariff = tariffOf(rec);

  it("converts to a valid tariff document", () => {
    const doc = urdbToDocument(rec) as Obj & { versions: Obj[] };
    expect(doc.sector).toBe("commercial");
    const v = doc.versions[0]! as Obj & { time_of_use: { periods: Obj[]; schedule: Obj }; demand: Obj };
    // startdate 1727762400 = 2024-10-01T06:00:00Z
    expect(v.effective_from).toBe("2024-10-01");
    expect(v.customer_charge).toEqual({ price: "11.51068", per: "day" });
    expect(v.time_of_use.periods.map((p) => p.name)).toEqual(["p1", "p2", "p3", "p4", "p5"]);
    expect(v.time_of_use.schedule.jul).toEqual({
      weekday: [
        { from: 0, to: 8, period: "p3" },
        { from: 8, to: 12, period: "p4" },
        { from: 12, to: 18, period: "p5" },
        { from: 18, to: 21, period: "p4" },
        { from: 21, to: 24, period: "p3" },
      ],
      weekend: [{ from: 0, to: 24, period: "p3" }],
    });
    expect(v.demand.jul).toEqual({ all: [{ price: "24.38" }] });
    expect(v.demand_schedule).toBeUndefined();
    expect(tariff.hasTimeOfUse && tariff.hasDemand).toBe(true);
  });

  it("prices a July of hourly intervals by period, with the month's highest kW", () => {
    // July 2025 in America/Los_Angeles (PDT all month): 23 weekdays (URDB has no holidays, so 4 July is one),
    // 8 weekend days. 10 kWh every hour, except Tuesday 15 July 15:00-16:00: 25 kWh.
    //   May-Oct weekdays: p3 0-8 and 21-24 (11 h), p4 8-12 and 18-21 (7 h), p5 12-18 (6 h); weekends p3 all day.
    //   Period 3 energy  23x11x10 + 8x24x10      = 4450 kWh x 0.27092 = $1205.594   120559
    //   Period 4 energy  23x7x10                 = 1610 kWh x 0.29771 = $479.3131    47931
    //   Period 5 energy  23x6x10 + 15            = 1395 kWh x 0.29771 = $415.30545   41531
    //   Maximum demand   25 kW x $24.38                               = $609.50      60950
    //   Customer charge  31 days x $11.51068                          = $356.83108   35683
    //                                                                         total 306654
    const usage = hourly(2025, 7, "-07:00", (d, h) => (d === 15 && h === 15 ? 25 : 10));
    const q = quote(tariff, {}, { from: "2025-07-01", to: "2025-07-31" }, usage);
    expect(table(q)).toEqual([
      ["Customer charge", "31", "11.51068", 35683],
      ["Period 3 energy", "4450", "0.27092", 120559],
      ["Period 4 energy", "1610", "0.29771", 47931],
      ["Period 5 energy", "1395", "0.29771", 41531],
      ["Maximum demand", "25", "24.38", 60950],
    ]);
    expect(q.kwh).toBe("7455");
    expect(q.totalCents).toBe(306654n);
  });

  it("shares a month's tiers among its periods, each season with its own limits (the record with daily tiers)", () => {
    // The record's schedules with daily tiers instead: winter periods 0-1 end tier 1 at 10 kWh a day, summer
    // periods 2-4 at 12. A winter month never uses the summer periods; they carry the winter limits there.
    const rec = pge();
    rec.energyratestructure = [
      [{ max: 10, unit: "kWh daily", rate: 0.2 }, { rate: 0.3 }],
      [{ max: 10, unit: "kWh daily", rate: 0.25 }, { rate: 0.35 }],
      ...[0, 1, 2].map(() => [{ max: 12, unit: "kWh daily", rate: 0.4 }, { rate: 0.5 }]),
    ];
    const doc = urdbToDocument(rec) as { versions: { energy: Record<string, Obj> }[] };
    const energy = doc.versions[0]!.energy;
    expect(energy.jan!.p3).toEqual([
      { price: "0.4", up_to: { kwh_per_day: "10" }, label: "Tier 1" },
      { price: "0.5", label: "Tier 2" },
    ]);
    expect(energy.jul!.p3).toEqual([
      { price: "0.4", up_to: { kwh_per_day: "12" }, label: "Tier 1" },
      { price: "0.5", label: "Tier 2" },
    ]);
    // January 2025 (PST), 1 kWh every hour: 744 kWh; p1 445 h (23x11 + 8x24) = 445 kWh, p2 23x13 = 299 kWh.
    // Tier 1 ends at 10 x 31 = 310 kWh of the month's total; each period takes its share of each tier:
    //   Period 1 energy, Tier 1  310 x 445/744 = 185.416667 kWh x 0.20 = 27590/744   = $37.083333    3708
    //   Period 1 energy, Tier 2  434 x 445/744 = 259.583333 kWh x 0.30 = 57939/744   = $77.875       7788
    //   Period 2 energy, Tier 1  310 x 299/744 = 124.583333 kWh x 0.25 = 23172.5/744 = $31.145833    3115
    //   Period 2 energy, Tier 2  434 x 299/744 = 174.416667 kWh x 0.35 = 45418.1/744 = $61.045833    6105
    //   Maximum demand           1 kW x $24.38                                        = $24.38        2438
    //   Customer charge          31 days x $11.51068                                  = $356.83108   35683
    //                                                                                         total  58837
    const q = quote(
      parseTariff(doc),
      {},
      { from: "2025-01-01", to: "2025-01-31" },
      hourly(2025, 1, "-08:00", () => 1),
    );
    expect(table(q)).toEqual([
      ["Customer charge", "31", "11.51068", 35683],
      ["Period 1 energy, Tier 1", "185.416667", "0.2", 3708],
      ["Period 1 energy, Tier 2", "259.583333", "0.3", 7788],
      ["Period 2 energy, Tier 1", "124.583333", "0.25", 3115],
      ["Period 2 energy, Tier 2", "174.416667", "0.35", 6105],
      ["Maximum demand", "1", "24.38", 2438],
    ]);
    expect(q.totalCents).toBe(58837n);
  });

  it("prices a January by the winter periods", () => {
    // January 2025 in America/Los_Angeles (PST): 23 weekdays, 8 weekend days, 10 kWh every hour.
    //   Nov-Apr weekdays: p1 0-8 and 21-24 (11 h), p2 8-21 (13 h); weekends p1 all day.
    //   Period 1 energy  23x11x10 + 8x24x10 = 4450 kWh x 0.24653 = $1097.0585   109706
    //   Period 2 energy  23x13x10           = 2990 kWh x 0.24724 = $739.2476     73925
    //   Maximum demand   10 kW x $24.38                          = $243.80       24380
    //   Customer charge  31 days x $11.51068                     = $356.83108    35683
    //                                                                   total  243694
    const usage = hourly(2025, 1, "-08:00", () => 10);
    const q = quote(tariff, {}, { from: "2025-01-01", to: "2025-01-31" }, usage);
    expect(table(q)).toEqual([
      ["Customer charge", "31", "11.51068", 35683],
      ["Period 1 energy", "4450", "0.24653", 109706],
      ["Period 2 energy", "2990", "0.24724", 73925],
      ["Maximum demand", "10", "24.38", 24380],
    ]);
    expect(q.totalCents).toBe(243694n);
  });
});

describe("FPL GSLDT-1 (time of use energy and demand)", () => {
  const rec = record("fpl-gsldt-1");
  const tariff = tariffOf(rec, { timeZone: "America/New_York" });

  it("converts demand periods to a demand schedule", () => {
    const doc = urdbToDocument(rec, { timeZone: "America/New_York" }) as Obj & { versions: Obj[] };
    expect(doc.time_zone).toBe("America/New_York");
    const v = doc.versions[0]! as Obj & {
      demand_schedule: { periods: Obj[]; schedule: Obj };
      demand: Obj;
      energy: Obj;
    };
    // startdate 1735718400 = 2025-01-01T08:00:00Z
    expect(v.effective_from).toBe("2025-01-01");
    expect(v.customer_charge).toEqual({ price: "88.67", per: "month" });
    expect(v.demand_schedule.periods).toEqual([
      { name: "d1", label: "Period 1" },
      { name: "d2", label: "Period 2" },
    ]);
    expect(v.demand_schedule.schedule.jan).toEqual({
      weekday: [
        { from: 0, to: 6, period: "d1" },
        { from: 6, to: 10, period: "d2" },
        { from: 10, to: 18, period: "d1" },
        { from: 18, to: 22, period: "d2" },
        { from: 22, to: 24, period: "d1" },
      ],
      weekend: [{ from: 0, to: 24, period: "d1" }],
    });
    // 0.79 + 2.06 and 12.81 + 2.06; 0.01413 + 0.03389 and 0.03254 + 0.03905
    expect(v.demand.aug).toEqual({ d1: [{ price: "2.85" }], d2: [{ price: "14.87" }] });
    expect(v.energy.aug).toEqual({ p1: [{ price: "0.04802" }], p2: [{ price: "0.07159" }] });
  });

  it("prices an August of hourly intervals with demand by period", () => {
    // August 2025 in America/New_York (EDT all month): 21 weekdays, 10 weekend days.
    // 500 kWh every hour; weekdays 12:00-21:00 700 kWh; Saturday 9 August 10:00-11:00 1000 kWh.
    //   Apr-Oct weekdays: p2/d2 12-21 (9 h), p1/d1 the other hours; weekends p1/d1 all day.
    //   Period 1 energy  744 - 21x9 = 555 h: 554x500 + 1000 = 278000 kWh x 0.04802 = $13349.56   1334956
    //   Period 2 energy  21x9x700                         = 132300 kWh x 0.07159 = $9471.357     947136
    //   Period 1 demand  highest in d1 hours: 1000 kW x (0.79 + 2.06 = 2.85)     = $2850.00      285000
    //   Period 2 demand  highest in d2 hours:  700 kW x (12.81 + 2.06 = 14.87)   = $10409.00    1040900
    //   Customer charge  1 month x $88.67                                        = $88.67          8867
    //                                                                                   total  3616859
    const usage = hourly(2025, 8, "-04:00", (d, h, wd) =>
      d === 9 && h === 10 ? 1000 : !isWeekend(wd) && h >= 12 && h < 21 ? 700 : 500,
    );
    const q = quote(tariff, {}, { from: "2025-08-01", to: "2025-08-31" }, usage);
    expect(table(q)).toEqual([
      ["Customer charge", "1", "88.67", 8867],
      ["Period 1 energy", "278000", "0.04802", 1334956],
      ["Period 2 energy", "132300", "0.07159", 947136],
      ["Period 1 demand", "1000", "2.85", 285000],
      ["Period 2 demand", "700", "14.87", 1040900],
    ]);
    expect(q.totalCents).toBe(3616859n);
  });
});

describe("urdbToDocument", () => {
  const coned = () => record("coned-sc-1-zone-i");

  it("adds rate and adj exactly and writes plain decimals", () => {
    const rec = { ...coned(), energyratestructure: [[{ rate: 0.1, adj: 0.2 }], [{ rate: 1e-7, adj: 0.00000005 }]] };
    const v = (urdbToDocument(rec) as { versions: { energy: Record<string, unknown> }[] }).versions[0]!;
    expect(v.energy.jan).toEqual([{ price: "0.3" }]); // not 0.30000000000000004
    expect(v.energy.jul).toEqual([{ price: "0.00000015" }]); // not 1.5e-7
  });

  it("takes the code from options, else from the name, and defaults the start date", () => {
    const rec = coned();
    delete rec.startdate;
    const doc = urdbToDocument(rec, { code: "CONED-SC1" }) as { code: string; versions: Obj[] };
    expect(doc.code).toBe("CONED-SC1");
    expect(doc.versions[0]!.effective_from).toBe("2000-01-01");
    expect((urdbToDocument({ ...coned(), name: "e-tou-c / Baseline (x)" }) as { code: string }).code).toBe(
      "E-TOU-C-BASELINE-X",
    );
  });

  it("uses the single period `all` when a one-period record has no schedule", () => {
    const rec = coned();
    rec.energyratestructure = [[{ rate: 0.2, unit: "kWh" }]];
    delete rec.energyweekdayschedule;
    delete rec.energyweekendschedule;
    const t = tariffOf(rec);
    expect(t.periodNames).toEqual(["all"]);
    const q = quote(t, {}, { from: "2025-03-01", to: "2025-03-31" }, { kind: "register", kwh: "100" });
    expect(q.totalCents).toBe(2000n + 2000n); // customer charge $20 + 100 x $0.20
  });

  it("maps sectors and units", () => {
    expect((urdbToDocument({ ...coned(), sector: "Industrial" }) as Obj).sector).toBe("industrial");
    expect((urdbToDocument({ ...coned(), sector: "Lighting" }) as Obj).sector).toBe("lighting");
    const rec = coned();
    rec.energyratestructure = [[{ max: 10, unit: "kWh daily", rate: 0.3 }, { rate: 0.4 }]];
    rec.energyweekdayschedule = Array.from({ length: 12 }, () => new Array(24).fill(0));
    rec.energyweekendschedule = rec.energyweekdayschedule;
    const energy = (urdbToDocument(rec) as { versions: { energy: Record<string, unknown> }[] }).versions[0]!.energy;
    expect(energy.mar).toEqual([
      { price: "0.3", up_to: { kwh_per_day: "10" }, label: "Tier 1" },
      { price: "0.4", label: "Tier 2" },
    ]);
  });

  it("accepts price fields that are present but zero", () => {
    const rec = {
      ...record("pge-a-10-secondary"),
      demandratchetpercentage: new Array(12).fill(0),
      fueladjustmentsmonthly: new Array(12).fill(0),
      lookbackpercent: 0,
      coincidentratestructure: [],
      demandreactivepowercharge: 0,
    };
    expect(() => tariffOf(rec)).not.toThrow();
  });
});

describe("urdbToDocument refuses what it cannot price, by name", () => {
  const pge = () => record("pge-a-10-secondary");
  const coned = () => record("coned-sc-1-zone-i");
  const cases: [string, () => Obj, string][] = [
    [
      "a demand ratchet",
      () => ({ ...pge(), demandratchetpercentage: new Array(12).fill(0.8) }),
      "demandratchetpercentage",
    ],
    [
      "coincident demand",
      () => ({ ...pge(), coincidentratestructure: [[{ rate: 3 }]], coincidentrateunit: "kW" }),
      "coincidentratestructure",
    ],
    [
      "monthly fuel adjustments",
      () => ({ ...pge(), fueladjustmentsmonthly: [0.01, ...new Array(11).fill(0)] }),
      "fueladjustmentsmonthly",
    ],
    ["a lookback", () => ({ ...pge(), lookbackpercent: 0.5, lookbackrange: 11 }), "lookbackpercent"],
    ["a reactive power charge", () => ({ ...pge(), demandreactivepowercharge: 0.41 }), "demandreactivepowercharge"],
    ["an annual minimum", () => ({ ...pge(), annualmincharge: 100 }), "annualmincharge"],
    ["demand in kVA", () => ({ ...pge(), demandrateunit: "kVA" }), "demandrateunit"],
    ["flat demand in hp", () => ({ ...pge(), flatdemandunit: "hp" }), "flatdemandunit"],
    ["a yearly fixed charge", () => ({ ...pge(), fixedchargeunits: "$/year" }), "fixedchargeunits"],
    ["an unknown field", () => ({ ...pge(), realtimepricing: true }), "realtimepricing"],
    [
      "a tier with a sell rate",
      () => ({ ...coned(), energyratestructure: [[{ rate: 0.3, sell: 0.05 }], [{ rate: 0.3 }]] }),
      "energyratestructure[0][0].sell",
    ],
    [
      "an unknown tier unit",
      () => ({
        ...coned(),
        energyratestructure: [[{ rate: 0.3 }], [{ max: 5, unit: "kWh/kW daily", rate: 0.3 }, { rate: 0.4 }]],
      }),
      "energyratestructure[1][0].unit",
    ],
    [
      "a flat demand month with no structure entry",
      () => ({ ...pge(), flatdemandmonths: [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0] }),
      "flatdemandmonths[6]",
    ],
    ["no sector", () => ({ ...pge(), sector: undefined }), "sector"],
  ];
  for (const [what, make, path] of cases)
    it(`refuses ${what}`, () => {
      expect(refusal(() => urdbToDocument(make())).path).toBe(path);
    });

  it("refuses a schedule month of 23 hours, naming it", () => {
    const rec = pge();
    const weekday = rec.energyweekdayschedule as number[][];
    weekday[6] = weekday[6]!.slice(0, 23);
    const err = refusal(() => urdbToDocument(rec));
    expect(err.path).toBe("energyweekdayschedule[6]");
    expect(err.message).toContain("July has 23 hours");
  });

  it("refuses a schedule of 11 months", () => {
    const rec = pge();
    rec.demandratestructure = [[{ rate: 1 }]];
    rec.demandweekdayschedule = new Array(11).fill(new Array(24).fill(0));
    rec.demandweekendschedule = new Array(12).fill(new Array(24).fill(0));
    expect(refusal(() => urdbToDocument(rec)).path).toBe("demandweekdayschedule");
  });

  it("refuses a period index with no structure entry", () => {
    const rec = pge();
    (rec.energyweekendschedule as number[][])[0]![3] = 5;
    const err = refusal(() => urdbToDocument(rec));
    expect(err.path).toBe("energyweekendschedule[0][3]");
    expect(err.message).toContain("period 5 has no entry in energyratestructure");
  });

  it("refuses periods of one month with different tier limits", () => {
    const rec = pge();
    rec.energyratestructure = [
      [{ max: 500, rate: 0.2 }, { rate: 0.3 }],
      [{ rate: 0.25 }],
      [{ rate: 0.2 }],
      [{ rate: 0.3 }],
      [{ rate: 0.3 }],
    ];
    const err = refusal(() => urdbToDocument(rec));
    expect(err.path).toBe("energyratestructure");
    expect(err.message).toContain("January");
  });
});

describe("readUrdbFile", () => {
  const rec = fixture("coned-sc-1-zone-i").record;
  it("reads a record, a list, or the API's { items }", () => {
    expect(readUrdbFile(rec)).toEqual([rec]);
    expect(readUrdbFile([rec, rec])).toHaveLength(2);
    expect(readUrdbFile({ items: [rec] })).toEqual([rec]);
  });
  it("refuses a file with no records", () => {
    expect(refusal(() => readUrdbFile({ items: [] })).path).toBe("items");
    expect(refusal(() => readUrdbFile("text")).path).toBe("file");
    expect(refusal(() => readUrdbFile([rec, 3])).path).toBe("items[1]");
  });
});
