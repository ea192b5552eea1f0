import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { Problem } from "../../platform/errors.js";
import { exportGreenButton } from "./greenbutton-export.js";
import { importGreenButton, importIntervalsCsv } from "./interval-import.js";
import { intervalSeriesFor } from "./intervals.js";
import { listReads } from "./reads.js";
import { dayRows, installedMeter, inZone, sample, storedIntervals } from "./test-fixtures.js";

// Every Green Button sample file imports (counts and totals checked against the file); an export imports back to
// the same intervals; bad files are refused whole with the reason.

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const interval = (minutes: 15 | 60, number?: string) =>
  installedMeter(t, { kind: "interval", intervalMinutes: minutes, number });

async function refusal(p: Promise<unknown>): Promise<Problem> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Problem) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("the Green Button sample files import", () => {
  it("1hrLP_32Days: 768 hourly readings, 2,354,843 Wh, over 33 local days in Los Angeles", async () => {
    const m = await interval(60);
    const report = await importGreenButton(t.ctx, sample("1hrLP_32Days.xml"), {
      meterNumber: m.number,
      file: "1hrLP_32Days.xml",
    });
    expect(report.meters).toEqual([
      expect.objectContaining({
        meter_number: m.number,
        minutes: 60,
        intervals: 768,
        days: 33,
        wh: 2_354_843,
        kwh: "2354.843",
      }),
    ]);
    expect(report.meters[0]!.skipped).toEqual([]);
    // The file starts at midnight Eastern (04:00 UTC), 21:00 the day before in Los Angeles.
    expect(report.meters[0]).toMatchObject({ first_day: "2012-03-31", last_day: "2012-05-02" });
    expect(await storedIntervals(t, m.meterId)).toEqual({ days: 33, intervals: 768, wh: 2_354_843, lengths: "60" });
    // Again: nothing changes.
    const again = await importGreenButton(t.ctx, sample("1hrLP_32Days.xml"), { meterNumber: m.number });
    expect(again.meters[0]!.intervals).toBe(0);
    expect(await storedIntervals(t, m.meterId)).toEqual({ days: 33, intervals: 768, wh: 2_354_843, lengths: "60" });
  });

  it("15minLP_15Days: 1,340 quarter-hours (the spring-forward day has 92), 1,397,734 Wh", async () => {
    const m = await interval(15);
    const report = await importGreenButton(t.ctx, sample("15minLP_15Days.xml"), { meterNumber: m.number });
    expect(report.meters[0]).toMatchObject({ minutes: 15, intervals: 1340, wh: 1_397_734, days: 15 });
    expect(await storedIntervals(t, m.meterId)).toEqual({ days: 15, intervals: 1340, wh: 1_397_734, lengths: "15" });
    const rows = await dayRows(t, m.meterId);
    expect(rows.find((r) => r.day === "2012-03-11")!.wh).toHaveLength(92);
    expect(rows.find((r) => r.day === "2012-03-10")!.wh).toHaveLength(96);
  });

  it("1dayLP_45Days: daily readings are a utility's local days, so they import where the file's clock is", async () => {
    const m = await interval(60);
    const refused = await refusal(importGreenButton(t.ctx, sample("1dayLP_45Days.xml"), { meterNumber: m.number }));
    expect(refused.status).toBe(422);
    expect(refused.message).toMatch(
      /none of the 45 readings .* could be stored: a daily reading must cover one local day in America\/Los_Angeles, midnight to midnight \(45, e\.g\. line \d+: 2012-03-01T05:00:00\.000Z starts at 21:00/,
    );
    expect(await storedIntervals(t, m.meterId)).toMatchObject({ intervals: 0 });
    // The file's LocalTimeParameters say Eastern time: a utility there stores all 45 days, the DST day's 23 hours too.
    const eastern = inZone(t, "America/New_York");
    const report = await importGreenButton(eastern, sample("1dayLP_45Days.xml"), { meterNumber: m.number });
    expect(report.meters[0]).toMatchObject({ minutes: 1440, intervals: 45, days: 45, wh: 2_958_004 });
    expect(await storedIntervals(t, m.meterId)).toEqual({ days: 45, intervals: 45, wh: 2_958_004, lengths: "1440" });
  });

  it("BatchFeedThreeUsagePoints_M: usage points go to the meters named like them; energy received is not stored", async () => {
    const meters = [];
    for (const n of ["4284792", "4284793"]) meters.push(await interval(15, n));
    const report = await importGreenButton(t.ctx, sample("BatchFeedThreeUsagePoints_M.xml"));
    expect(report.meters.map((r) => [r.meter_number, r.intervals, r.wh, r.days])).toEqual([
      ["4284792", 96, 14_635, 1],
      ["4284793", 96, 166_730, 1],
    ]);
    // The first usage point's second MeterReading, and the third usage point's only one (titled "Energy Delivered"
    // but marked flowDirection 19, all zeros), are energy received from the customer.
    expect(report.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(
        /^MeterReading RetailCustomer\/4299914\/UsagePoint\/4284792\/MeterReading\/2 \(line \d+\) is energy received from the customer/,
      ),
      expect.stringMatching(
        /^MeterReading RetailCustomer\/4299915\/UsagePoint\/4284794\/MeterReading\/1 \(line \d+\) is energy received from the customer/,
      ),
    ]);
    for (const [i, wh] of [14_635, 166_730].entries()) {
      expect(await storedIntervals(t, meters[i]!.meterId)).toEqual({ days: 1, intervals: 96, wh, lengths: "15" });
    }
    // The batch starts at midnight Pacific: one whole day each.
    expect((await dayRows(t, meters[0]!.meterId))[0]).toMatchObject({ day: "2011-06-06", minutes: 15 });
  });

  it("Coastal_Single_Family: a year hourly; the file's DST-day oddities are skipped or spread, with reasons", async () => {
    const m = await interval(60);
    const report = await importGreenButton(t.ctx, sample("Coastal_Single_Family_Jan_1_2011_to_Jan_1_2012.xml"), {
      meterNumber: m.number,
    });
    const r = report.meters[0]!;
    // 8,760 readings: one of no duration (462 Wh) skipped, a second reading for 17:00 UTC on 13 March (721 Wh)
    // skipped, a two-hour reading spread over its two hours: 8,759 hours, 6,562,977 - 462 - 721 Wh.
    expect(r).toMatchObject({ minutes: 60, days: 365, intervals: 8759, wh: 6_561_794 });
    expect(r.skipped.map((s) => [s.reason, s.count])).toEqual([
      ["spread evenly over the 60-minute intervals it covers (kept)", 1],
      ["a second reading for the same interval (the first is kept)", 1],
      ["a reading of no duration", 1],
    ]);
    const stored = await storedIntervals(t, m.meterId);
    expect(stored).toEqual({ days: 365, intervals: 8759, wh: 6_561_794, lengths: "60" });
    const rows = await dayRows(t, m.meterId);
    expect(rows.find((d) => d.day === "2011-03-13")!.wh).toHaveLength(23);
    expect(rows.find((d) => d.day === "2011-11-06")!.wh).toHaveLength(25);
    // The hour the file left out (17:00 UTC on 6 November, 09:00 PST, the eleventh hour of a 25-hour day) is null.
    expect(rows.find((d) => d.day === "2011-11-06")!.wh[10]).toBeNull();
  });

  it("MonthlyOnlyElectricData: billing periods of a register meter become its register reads", async () => {
    const m = await installedMeter(t, { kind: "register", dials: 5 });
    const report = await importGreenButton(t.ctx, sample("MonthlyOnlyElectricData.xml"), { meterNumber: m.number });
    expect(report.meters).toEqual([]);
    expect(report.reads).toEqual([
      expect.objectContaining({
        meter_number: m.number,
        periods: 14,
        kwh: "9567.000",
        opening: "new_read",
        reads: expect.objectContaining({ lines: 15, created: 15, held: 0, refused: 0 }),
      }),
    ]);
    const { reads } = await listReads(t.ctx, m.number);
    expect(reads).toHaveLength(15);
    const oldest = reads.at(-1)!;
    expect(oldest).toMatchObject({ read_on: "2011-08-25", reading: "0", kwh: null, source: "import" });
    expect(reads[reads.length - 2]).toMatchObject({ read_on: "2011-09-25", reading: "778", kwh: "778" });
    expect(reads[0]).toMatchObject({ read_on: "2012-09-29", reading: "9567", kwh: "87" });
    // A monthly file again is refused: the meter already has reads inside it.
    const again = await refusal(
      importGreenButton(t.ctx, sample("MonthlyOnlyElectricData.xml"), { meterNumber: m.number }),
    );
    expect(again.message).toMatch(/already has a read on 2011-09-25, after the first period opens/);
    // An interval meter keeps its intervals, not monthly summaries: nothing to store.
    const im = await interval(60);
    const refused = await refusal(
      importGreenButton(t.ctx, sample("MonthlyOnlyElectricData.xml"), { meterNumber: im.number }),
    );
    expect(refused.message).toMatch(/periods longer than a day; meter .* is an interval meter/);
  });
});

describe("Green Button export", () => {
  it("an export re-imports to the same intervals (a year hourly, DST days and gaps included)", async () => {
    const a = await interval(60);
    await importGreenButton(t.ctx, sample("Coastal_Single_Family_Jan_1_2011_to_Jan_1_2012.xml"), {
      meterNumber: a.number,
    });
    const xml = await exportGreenButton(t.ctx, a.number, "2011-01-01", "2011-12-31");
    const b = await interval(60);
    const report = await importGreenButton(t.ctx, xml, { meterNumber: b.number });
    expect(report.meters[0]).toMatchObject({ intervals: 8759, wh: 6_561_794, skipped: [] });
    expect(await dayRows(t, b.meterId)).toEqual(await dayRows(t, a.meterId));
    // A usage point named after its meter finds it without being told.
    const c = await interval(60, "GB-ROUND-TRIP");
    await importGreenButton(t.ctx, sample("1hrLP_32Days.xml"), { meterNumber: c.number });
    const own = await exportGreenButton(t.ctx, c.number, "2012-04-01", "2012-04-30");
    await t.database.rows(t.database.db, sql`DELETE FROM interval_days WHERE meter_id = ${c.meterId}`);
    const back = await importGreenButton(t.ctx, own);
    expect(back.meters[0]).toMatchObject({ meter_number: "GB-ROUND-TRIP", days: 30, intervals: 720 });
  });

  it("daily and quarter-hour data export and import back too", async () => {
    const eastern = inZone(t, "America/New_York");
    const a = await interval(60);
    await importGreenButton(eastern, sample("1dayLP_45Days.xml"), { meterNumber: a.number });
    const xml = await exportGreenButton(eastern, a.number, "2012-03-01", "2012-04-30");
    const b = await interval(60);
    await importGreenButton(eastern, xml, { meterNumber: b.number });
    expect(await dayRows(t, b.meterId)).toEqual(await dayRows(t, a.meterId));
    const q = await interval(15);
    await importGreenButton(t.ctx, sample("15minLP_15Days.xml"), { meterNumber: q.number });
    const q2 = await interval(15);
    await importGreenButton(t.ctx, await exportGreenButton(t.ctx, q.number, "2012-02-29", "2012-03-14"), {
      meterNumber: q2.number,
    });
    expect(await dayRows(t, q2.meterId)).toEqual(await dayRows(t, q.meterId));
  });

  it("the rate engine's series is built from the stored days", async () => {
    const m = await interval(60);
    await importGreenButton(t.ctx, sample("1hrLP_32Days.xml"), { meterNumber: m.number });
    const series = (await intervalSeriesFor(t.ctx, [m.meterId], "2012-04-01", "2012-04-30")).get(m.meterId)!;
    expect(series.minutes).toBe(60);
    expect(series.startMs).toHaveLength(720);
    expect(new Date(series.startMs[0]!).toISOString()).toBe("2012-04-01T07:00:00.000Z");
    const stored = (await dayRows(t, m.meterId)).filter((d) => d.day >= "2012-04-01" && d.day <= "2012-04-30");
    const wh = stored.flatMap((d) => d.wh).reduce<number>((s, v) => s + (v ?? 0), 0);
    expect(series.microKwh.reduce((s, v) => s + v, 0)).toBe(wh * 1000);
  });
});

describe("interval CSV", () => {
  it("imports start,kwh for one meter and meter_number,start,kwh for many, rounding to whole Wh", async () => {
    const a = await interval(60);
    const b = await interval(15);
    const one = await importIntervalsCsv(
      t.ctx,
      "start,kwh\n2026-01-05T00:00:00-08:00,1.25\n2026-01-05T01:00:00-08:00,0.5004\n2026-01-05T02:00:00-08:00,0\n",
      { meterNumber: a.number },
    );
    expect(one.meters[0]).toMatchObject({ meter_number: a.number, intervals: 3, wh: 1750, days: 1 });
    expect(one.meters[0]!.skipped).toEqual([
      { reason: "rounded to whole watt-hours", count: 1, examples: ["1 readings"] },
    ]);
    const many = await importIntervalsCsv(
      t.ctx,
      `meter_number,start,kwh\n${a.number},2026-01-05T03:00:00-08:00,2\n${b.number},2026-01-05T00:15:00-08:00,0.25\n`,
    );
    expect(many.meters.map((m) => [m.meter_number, m.intervals, m.wh])).toEqual([
      [a.number, 1, 2000],
      [b.number, 1, 250],
    ]);
    const [day] = await dayRows(t, a.meterId);
    expect(day!.wh.slice(0, 5)).toEqual([1250, 500, 0, 2000, null]);
    const [quarter] = await dayRows(t, b.meterId);
    expect(quarter!.wh).toHaveLength(96);
    expect(quarter!.wh[1]).toBe(250);
  });

  it("refuses a bad file whole, naming each line", async () => {
    const a = await interval(60);
    const bad = await refusal(
      importIntervalsCsv(
        t.ctx,
        "start,kwh\n2026-01-05T00:00:00-08:00,1\n2026-01-05 01:00,1\n2026-01-05T02:00:00-08:00,-1\n",
        {
          meterNumber: a.number,
        },
      ),
    );
    expect(bad.status).toBe(400);
    expect(bad.extra.errors).toEqual([
      { field: "line 3", message: expect.stringMatching(/start "2026-01-05 01:00" must be an ISO 8601 time/) },
      { field: "line 4", message: 'kwh "-1" is negative' },
    ]);
    expect(await storedIntervals(t, a.meterId)).toMatchObject({ intervals: 0 });
    const header = await refusal(importIntervalsCsv(t.ctx, "when,kwh\n", { meterNumber: a.number }));
    expect(header.message).toMatch(/line 1: the header must be/);
    const register = await installedMeter(t);
    const wrongKind = await refusal(
      importIntervalsCsv(t.ctx, "start,kwh\n2026-01-05T00:00:00-08:00,1\n", { meterNumber: register.number }),
    );
    expect(wrongKind.message).toMatch(/is a register meter: interval data needs an interval meter/);
  });

  it("skips readings off the meter's grid, with the reason", async () => {
    const a = await interval(60);
    const r = await importIntervalsCsv(t.ctx, "start,kwh\n2026-01-05T00:00:00-08:00,1\n2026-01-05T00:30:00-08:00,1\n", {
      meterNumber: a.number,
    });
    expect(r.meters[0]!.skipped).toEqual([
      {
        reason: "a start off the 60-minute grid of the local day in America/Los_Angeles",
        count: 1,
        examples: ["line 3: 2026-01-05T08:30:00.000Z starts at 00:30"],
      },
    ]);
  });
});

describe("bad Green Button input is refused with the reason", () => {
  it("a malformed file: 400 naming the line and element; nothing stored", async () => {
    const m = await interval(60);
    const broken = sample("1hrLP_32Days.xml").replace("<value>948</value>", "<value>9x48</value>");
    const refused = await refusal(importGreenButton(t.ctx, broken, { meterNumber: m.number }));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(
      /the Green Button file is not valid: line \d+ \(IntervalReading\): value "9x48" is not an integer/,
    );
    expect(refused.extra.errors).toEqual([
      { field: "file", message: expect.stringMatching(/^line \d+ \(IntervalReading\)/) },
    ]);
    expect(await storedIntervals(t, m.meterId)).toMatchObject({ intervals: 0 });
  });

  it("a file of several usage points needs each one's meter; an unknown usage point is refused", async () => {
    const m = await interval(15);
    const several = await refusal(
      importGreenButton(t.ctx, sample("BatchFeedThreeUsagePoints_M.xml"), { meterNumber: m.number }),
    );
    expect(several.message).toMatch(/2 usage points with usage \(4284792, 4284793\): name the meter of each/);
    const unknown = await refusal(importGreenButton(t.ctx, sample("1hrLP_32Days.xml")));
    expect(unknown.message).toMatch(/usage point 01 \(a galaxy far, far away\) has no meter 01/);
  });

  it("a file in another unit is refused: nothing to store", async () => {
    const m = await interval(60);
    const watts = sample("1hrLP_32Days.xml").replace("<uom>72</uom>", "<uom>38</uom>");
    const refused = await refusal(importGreenButton(t.ctx, watts, { meterNumber: m.number }));
    expect(refused.status).toBe(422);
    expect(refused.message).toMatch(/is in unit 38, not watt-hours \(uom 72\)/);
  });
});
