import { describe, expect, it } from "vitest";
import { readValidation } from "./settings.js";
import { dialUsage, type IncomingRead, planReads, readingProblem, type TimelineRead } from "./validate.js";

const v = readValidation.default;
const meter = { meterId: 1, meterNumber: "M1", servicePointId: 1, multiplier: "1", dials: 5 };
let id = 0;
const read = (readOn: string, reading: string, kwh: string | null, over: Partial<TimelineRead> = {}): TimelineRead => ({
  id: ++id,
  readOn,
  reading,
  kwh,
  kind: "actual",
  status: "valid",
  rollover: 0,
  version: 1,
  ...over,
});
const incoming = (key: number, readOn: string, reading: string): IncomingRead => ({
  key,
  readOn,
  reading,
  demandKw: null,
  kind: "actual",
});
/** Four monthly reads of 300 kWh (10 a day). */
const history = () => [
  read("2026-01-31", "10000", null),
  read("2026-03-02", "10300", "300"),
  read("2026-04-01", "10600", "300"),
  read("2026-05-01", "10900", "300"),
];

describe("dialUsage", () => {
  it("is the difference of the readings", () => {
    expect(dialUsage("12034", "12634", 5, 0.1, "2026-06-30")).toMatchObject({ ok: true, rollover: 0 });
  });
  it("is a rollover when the dials pass zero from near the top", () => {
    const u = dialUsage("99800", "150", 5, 0.1, "2026-06-30");
    expect(u).toMatchObject({ ok: true, rollover: 1 });
    expect(u.dialUnits.toFixed()).toBe("350");
  });
  it("is negative usage, with the figures, when the previous reading was not near the top", () => {
    const u = dialUsage("12034", "11990", 5, 0.1, "2026-06-30");
    expect(u.ok).toBe(false);
    if (!u.ok) {
      expect(u.note).toBe(
        "reading 11990 is lower than the previous reading 12034 of 2026-06-30: -44 on the dials, and not a rollover " +
          "of the 5 dials (that needs the previous reading at 90000 or more and the new one below 10000)",
      );
    }
  });
  it("is negative usage when the new reading is not near zero", () => {
    expect(dialUsage("95000", "94000", 5, 0.1, "2026-06-30").ok).toBe(false);
  });
});

describe("readingProblem", () => {
  it("refuses what the dials cannot show", () => {
    expect(readingProblem("100000", 5)).toMatch(/more digits than the meter's 5 dials/);
    expect(readingProblem("99999", 5)).toBeNull();
    expect(readingProblem("-1", 5)).toMatch(/zero or more/);
    expect(readingProblem("1.2345", 5)).toMatch(/3 decimals/);
  });
});

describe("planReads", () => {
  it("computes usage from the previous valid read times the multiplier", () => {
    const plan = planReads(
      { ...meter, multiplier: "40" },
      history(),
      [incoming(1, "2026-05-31", "10910")],
      v,
      new Set(),
    );
    expect(plan.decisions).toEqual([
      expect.objectContaining({ outcome: "created", status: "valid", kwh: "400", rollover: 0, exception: null }),
    ]);
  });

  it("holds negative usage as an exception with the reason, and bases the next read on the last valid one", () => {
    const plan = planReads(
      meter,
      history(),
      [incoming(1, "2026-05-31", "10800"), incoming(2, "2026-06-30", "11200")],
      v,
      new Set(),
    );
    expect(plan.decisions[0]).toMatchObject({
      outcome: "created",
      status: "exception",
      exception: "negative_usage",
      kwh: "-100",
    });
    expect((plan.decisions[0] as { exceptionNote: string }).exceptionNote).toMatch(
      /reading 10800 is lower than the previous reading 10900 of 2026-05-01: -100 on the dials.*-100 kWh$/,
    );
    expect(plan.decisions[1]).toMatchObject({ status: "valid", kwh: "300" });
  });

  it("holds high and low usage against the average of the last 3 periods, with the figures", () => {
    const high = planReads(meter, history(), [incoming(1, "2026-05-31", "11900")], v, new Set());
    expect(high.decisions[0]).toMatchObject({ status: "exception", exception: "high_usage", kwh: "1000" });
    expect((high.decisions[0] as { exceptionNote: string }).exceptionNote).toBe(
      "33.3 kWh a day over 30 days is more than 3 x the average 10.0 kWh a day of the last 3 periods",
    );
    const low = planReads(meter, history(), [incoming(1, "2026-05-31", "10950")], v, new Set());
    expect(low.decisions[0]).toMatchObject({ status: "exception", exception: "low_usage", kwh: "50" });
  });

  it("checks high and low only with enough history", () => {
    const plan = planReads(meter, history().slice(0, 3), [incoming(1, "2026-05-01", "15000")], v, new Set());
    expect(plan.decisions[0]).toMatchObject({ status: "valid", kwh: "4400" });
  });

  it("takes a rollover and says so", () => {
    const tl = [read("2026-03-01", "99500", null), read("2026-04-01", "99800", "300")];
    const plan = planReads(meter, tl, [incoming(1, "2026-05-01", "100")], v, new Set());
    expect(plan.decisions[0]).toMatchObject({ status: "valid", kwh: "300", rollover: 1 });
    expect((plan.decisions[0] as { exceptionNote: string }).exceptionNote).toMatch(/rolled over past 100000/);
  });

  it("refuses a second read on a day, and counts the same read again as unchanged", () => {
    const plan = planReads(
      meter,
      history(),
      [
        incoming(1, "2026-05-01", "10950"),
        incoming(2, "2026-05-01", "10900"),
        incoming(3, "2026-06-01", "11200"),
        incoming(4, "2026-06-01", "11210"),
      ],
      v,
      new Set(),
    );
    expect(plan.decisions.map((d) => d.outcome)).toEqual(["refused", "unchanged", "created", "refused"]);
    expect(plan.decisions[0]).toMatchObject({ status: 409, rule: "read.duplicate_day" });
    expect((plan.decisions[0] as { reason: string }).reason).toMatch(/already has a read on 2026-05-01/);
  });

  it("puts a read before later reads by recomputing the next valid read", () => {
    const tl = history();
    const plan = planReads(meter, tl, [incoming(1, "2026-04-15", "10700")], v, new Set());
    expect(plan.decisions[0]).toMatchObject({ status: "valid", kwh: "100" });
    expect(plan.recomputes).toEqual([
      { id: tl[3]!.id, readOn: "2026-05-01", version: 1, kwhBefore: "300", kwh: "200", rollover: 0 },
    ]);
  });

  it("refuses a read before a billed read, or one that would make the next read negative", () => {
    const tl = history();
    const billed = planReads(meter, tl, [incoming(1, "2026-04-15", "10700")], v, new Set([tl[3]!.id]));
    expect(billed.decisions[0]).toMatchObject({ outcome: "refused", status: 422, rule: "read.before_billed_read" });
    expect(billed.recomputes).toEqual([]);
    const negative = planReads(meter, tl, [incoming(1, "2026-04-15", "10950")], v, new Set());
    expect(negative.decisions[0]).toMatchObject({ outcome: "refused", rule: "read.makes_next_negative" });
  });

  it("takes a meter's first read with no usage", () => {
    const plan = planReads(meter, [], [incoming(1, "2026-05-01", "500")], v, new Set());
    expect(plan.decisions[0]).toMatchObject({ status: "valid", kwh: null });
  });
});
