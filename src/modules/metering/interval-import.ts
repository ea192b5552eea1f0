import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, ruleRefused } from "../../platform/errors.js";
import { type GbMeterReading, type GbUsagePoint, GreenButtonError, parseGreenButton } from "./greenbutton.js";
import {
  auditIntervalImport,
  INTERVAL_MINUTES,
  type MeterIntervalReport,
  placeReadings,
  type RawReading,
  SkipLog,
  type Skipped,
  storeDays,
} from "./intervals.js";
import { type MeterInfo, metersByNumber } from "./meters.js";
import { type MonthlyReport, monthlyToReads } from "./monthly.js";

// Interval data in, from a Green Button file or a CSV: readings placed on the local days of the utility's zone
// and merged into interval_days, one transaction per file. What a file holds that Kilowatt does not store (energy
// received, gas, other units, cumulative registers) is skipped with its reason; a malformed file, or one with
// nothing storable, is refused whole with the reason, naming the line and element.

export interface IntervalImportReport {
  format: "greenbutton" | "csv";
  file: string | null;
  meters: MeterIntervalReport[];
  /** Monthly (billing-period) data imported as register reads of register meters. */
  reads: MonthlyReport[];
  /** What the file holds that was not stored, by reason. */
  skipped: Skipped[];
}

const malformed = (err: GreenButtonError) =>
  badRequest(`the Green Button file is not valid: ${err.message}`, [{ field: "file", message: err.message }]);

/** The interval length of a MeterReading: its ReadingType's, else the commonest reading duration. */
function lengthOf(mr: GbMeterReading): number {
  if (mr.readingType.intervalLength) return mr.readingType.intervalLength;
  const counts = new Map<number, number>();
  for (const r of mr.readings) counts.set(r.durationS, (counts.get(r.durationS) ?? 0) + 1);
  let best = 0;
  let length = 0;
  for (const [d, c] of counts) if (c > best || (c === best && d > length)) [best, length] = [c, d];
  return length;
}

/** Why a MeterReading is not stored at all, or null when it is energy delivered in Wh. */
function notStored(point: GbUsagePoint, mr: GbMeterReading): string | null {
  const rt = mr.readingType;
  const name = `MeterReading ${mr.href} (line ${mr.line})`;
  if (point.serviceKind !== null && point.serviceKind !== 0)
    return `usage point ${point.id} is not electricity (ServiceCategory kind ${point.serviceKind})`;
  if (rt.uom !== 72) return `${name} is in unit ${rt.uom}, not watt-hours (uom 72)`;
  if (rt.kind !== null && rt.kind !== 12) return `${name} is of kind ${rt.kind}, not energy (12)`;
  if (rt.flowDirection !== null && rt.flowDirection !== 1)
    return `${name} is energy ${rt.flowDirection === 19 ? "received from the customer" : `of flowDirection ${rt.flowDirection}`}: interval data keeps energy delivered (flowDirection 1)`;
  if (rt.accumulationBehaviour !== null && rt.accumulationBehaviour !== 4)
    return `${name} has accumulationBehaviour ${rt.accumulationBehaviour}: only interval deltas (4) are imported`;
  if (rt.powerOfTenMultiplier < -3 || rt.powerOfTenMultiplier > 9)
    return `${name} has powerOfTenMultiplier ${rt.powerOfTenMultiplier}: from -3 to 9 are imported`;
  return null;
}

/** Watt-hours of a reading value: value x 10^powerOfTenMultiplier, to the nearest Wh. */
const whOf = (value: number, power: number, rounded: { n: number }) => {
  if (power >= 0) return value * 10 ** power;
  const exact = value / 10 ** -power;
  const wh = Math.round(exact);
  if (wh !== exact) rounded.n += 1;
  return wh;
};

/**
 * Imports a Green Button file. Each usage point goes to a meter: `meterNumber` when the file has one usage point
 * with data; else `usagePointMeters[id]`, else the meter numbered like the usage point (as Kilowatt's own export
 * names them). Intervals of up to a day go into an interval meter's interval_days; monthly data (intervals longer
 * than a day) of a register meter becomes its register reads (monthly.ts).
 */
export async function importGreenButton(
  ctx: Ctx,
  text: string,
  opts: { meterNumber?: string; usagePointMeters?: Record<string, string>; file?: string } = {},
): Promise<IntervalImportReport> {
  let points: GbUsagePoint[];
  try {
    points = parseGreenButton(text);
  } catch (err) {
    if (err instanceof GreenButtonError) throw malformed(err);
    throw err;
  }
  const fileSkips = new SkipLog();
  const usable = points
    .map((p) => ({
      point: p,
      readings: p.meterReadings.filter((mr) => {
        const why = notStored(p, mr);
        if (why) fileSkips.add(why, `${mr.readings.length} readings`);
        return !why;
      }),
    }))
    .filter((u) => u.readings.length > 0);
  if (usable.length === 0) {
    throw ruleRefused(
      "intervals.nothing_to_store",
      `the file holds nothing Kilowatt stores: ${fileSkips.list.map((s) => s.reason).join("; ")}`,
      {
        errors: [{ field: "file", message: "nothing to store" }],
      },
    );
  }
  if (opts.meterNumber !== undefined && usable.length > 1) {
    throw badRequest(
      `the file has ${usable.length} usage points with usage (${usable.map((u) => u.point.id).join(", ")}): name the meter of each, usage point=meter`,
      [{ field: "meter_number", message: "one meter for several usage points" }],
    );
  }
  const numberOf = (p: GbUsagePoint) => opts.meterNumber ?? opts.usagePointMeters?.[p.id] ?? p.id;
  const meters = await metersByNumber(
    ctx,
    usable.map((u) => numberOf(u.point)),
  );
  const missing = usable.filter((u) => !meters.has(numberOf(u.point)));
  if (missing.length > 0) {
    throw ruleRefused(
      "intervals.unknown_meter",
      missing
        .map(
          (u) =>
            `usage point ${u.point.id}${u.point.title ? ` (${u.point.title})` : ""} has no meter ${numberOf(u.point)}`,
        )
        .join("; ") + ": name its meter (usage point=meter)",
      { errors: [{ field: "meter_number", message: "no such meter" }] },
    );
  }

  const zone = ctx.clock.timezone;
  return inTx(ctx, async (tx) => {
    const report: IntervalImportReport = {
      format: "greenbutton",
      file: opts.file ?? null,
      meters: [],
      reads: [],
      skipped: [],
    };
    for (const { point, readings } of usable) {
      const meter = meters.get(numberOf(point))!;
      for (const mr of readings) {
        const length = lengthOf(mr);
        const rounded = { n: 0 };
        const raw: RawReading[] = mr.readings.map((r) => ({
          startMs: r.startS * 1000,
          durationMs: r.durationS * 1000,
          wh: whOf(r.value, mr.readingType.powerOfTenMultiplier, rounded),
          where: `line ${r.line}`,
        }));
        if (length > 86_400) {
          if (meter.kind !== "register") {
            fileSkips.add(
              `MeterReading ${mr.href} holds usage over periods longer than a day; meter ${meter.meterNumber} is an interval meter, whose intervals are kept instead`,
              `${raw.length} readings`,
            );
            continue;
          }
          report.reads.push(await monthlyToReads(tx, meter, raw, { file: opts.file, href: mr.href }));
          continue;
        }
        const minutes = length / 60;
        if (!Number.isInteger(minutes) || !(INTERVAL_MINUTES as readonly number[]).includes(minutes)) {
          fileSkips.add(
            `MeterReading ${mr.href} has ${length}-second intervals: Kilowatt keeps intervals that divide an hour, or a day`,
            `${raw.length} readings`,
          );
          continue;
        }
        if (meter.kind !== "interval") {
          fileSkips.add(
            `meter ${meter.meterNumber} is a register meter: the intervals of MeterReading ${mr.href} need an interval meter`,
            `${raw.length} readings`,
          );
          continue;
        }
        const skipped = new SkipLog();
        if (rounded.n > 0) skipped.add("rounded to whole watt-hours", `${rounded.n} readings`);
        const placed = placeReadings(raw, minutes, zone, skipped);
        if (placed.size === 0) {
          throw ruleRefused(
            "intervals.nothing_placed",
            `none of the ${raw.length} readings of MeterReading ${mr.href} (line ${mr.line}) could be stored: ${skipped.list
              .map((s) => `${s.reason} (${s.count}, e.g. ${s.examples[0]})`)
              .join("; ")}`,
            { errors: [{ field: "file", message: skipped.list[0]?.reason ?? "nothing placed" }] },
          );
        }
        report.meters.push(await storeDays(tx, meter, minutes, placed, skipped, "import"));
      }
    }
    report.skipped = fileSkips.list;
    if (report.meters.length === 0 && report.reads.length === 0) {
      throw ruleRefused(
        "intervals.nothing_to_store",
        `nothing in the file could be stored: ${report.skipped.map((s) => s.reason).join("; ")}`,
        {
          errors: [{ field: "file", message: "nothing to store" }],
        },
      );
    }
    if (report.meters.length > 0) await auditIntervalImport(tx, opts.file, "greenbutton", report.meters);
    return report;
  });
}

const START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const KWH = /^(\d{1,7})(?:\.(\d{1,6}))?$/;
const MAX_ERRORS = 20;

/** Splits a CSV line; fields may be double-quoted (RFC 4180). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          field += line.slice(i);
          i = line.length;
          break;
        }
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          field += '"';
          i++;
        } else break;
      }
      const comma = line.indexOf(",", i);
      i = comma < 0 ? line.length : comma;
    } else {
      const comma = line.indexOf(",", i);
      field = line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length : comma;
    }
    out.push(field.trim());
    if (i >= line.length) return out;
    i++;
  }
}

/**
 * Imports interval data from CSV: `meter_number,start,kwh`, or `start,kwh` for the one meter named. Starts are ISO
 * 8601 with their offset; each reading lasts the meter's interval (interval_minutes). kWh are rounded to whole Wh.
 * A malformed file is refused whole, naming each bad line (the first 20).
 */
export async function importIntervalsCsv(
  ctx: Ctx,
  text: string,
  opts: { meterNumber?: string; file?: string } = {},
): Promise<IntervalImportReport> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = csvFields(lines[0] ?? "")
    .map((h) => h.toLowerCase())
    .join(",");
  const perMeter = header === "meter_number,start,kwh";
  if (!perMeter && header !== "start,kwh") {
    throw badRequest(`line 1: the header must be "meter_number,start,kwh" or "start,kwh", not "${lines[0] ?? ""}"`, [
      { field: "file", message: "line 1: an unknown header" },
    ]);
  }
  if (!perMeter && opts.meterNumber === undefined) {
    throw badRequest("a start,kwh file is one meter's: name the meter", [
      { field: "meter_number", message: "required" },
    ]);
  }
  const errors: { field: string; message: string }[] = [];
  const rows: { meter: string; startMs: number; wh: number; line: number; rounded: boolean }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === "") continue;
    const f = csvFields(l);
    const bad = (message: string) => errors.push({ field: `line ${i + 1}`, message });
    if (f.length !== (perMeter ? 3 : 2)) {
      bad(`needs ${perMeter ? 3 : 2} fields: ${header}`);
      continue;
    }
    const [meter, start, kwh] = perMeter ? f : [opts.meterNumber!, f[0]!, f[1]!];
    if (perMeter && opts.meterNumber !== undefined && meter !== opts.meterNumber) {
      bad(`meter ${meter} is not meter ${opts.meterNumber}`);
      continue;
    }
    const t = START.test(start!) ? Date.parse(start!) : Number.NaN;
    if (Number.isNaN(t)) {
      bad(`start "${start}" must be an ISO 8601 time with its offset, e.g. 2026-03-01T00:00:00-08:00`);
      continue;
    }
    const m = KWH.exec(kwh!);
    if (!m) {
      bad(`kwh "${kwh}" ${kwh!.startsWith("-") ? "is negative" : "must be a decimal kWh"}`);
      continue;
    }
    const micro = Number(m[1]) * 1e6 + Number((m[2] ?? "").padEnd(6, "0"));
    const wh = Math.round(micro / 1000);
    rows.push({ meter: meter!, startMs: t, wh, line: i + 1, rounded: wh * 1000 !== micro });
  }
  if (errors.length > 0) {
    throw badRequest(
      `the file has ${errors.length} bad line${errors.length === 1 ? "" : "s"}: ${errors
        .slice(0, 3)
        .map((e) => `${e.field}: ${e.message}`)
        .join("; ")}`,
      errors.slice(0, MAX_ERRORS),
    );
  }
  if (rows.length === 0) throw badRequest("the file has no readings", [{ field: "file", message: "no readings" }]);
  const meters = await metersByNumber(
    ctx,
    rows.map((r) => r.meter),
  );
  const unknown = [...new Set(rows.map((r) => r.meter))].filter((n) => !meters.has(n));
  if (unknown.length > 0) {
    throw ruleRefused("intervals.unknown_meter", `no meter ${unknown.slice(0, 10).join(", ")}`, {
      errors: [{ field: "meter_number", message: "no such meter" }],
    });
  }
  const notInterval = [...meters.values()].filter((m) => m.kind !== "interval");
  if (notInterval.length > 0) {
    throw ruleRefused(
      "intervals.register_meter",
      `${notInterval.map((m) => m.meterNumber).join(", ")} ${notInterval.length === 1 ? "is a register meter" : "are register meters"}: interval data needs an interval meter`,
      { errors: [{ field: "meter_number", message: "a register meter" }] },
    );
  }
  const zone = ctx.clock.timezone;
  return inTx(ctx, async (tx) => {
    const report: IntervalImportReport = { format: "csv", file: opts.file ?? null, meters: [], reads: [], skipped: [] };
    const byMeter = new Map<string, typeof rows>();
    for (const r of rows) {
      let list = byMeter.get(r.meter);
      if (!list) {
        list = [];
        byMeter.set(r.meter, list);
      }
      list.push(r);
    }
    for (const [number, list] of byMeter) {
      const meter: MeterInfo = meters.get(number)!;
      const minutes = meter.intervalMinutes ?? 60;
      const skipped = new SkipLog();
      const rounded = list.filter((r) => r.rounded).length;
      if (rounded > 0) skipped.add("rounded to whole watt-hours", `${rounded} readings`);
      const raw: RawReading[] = list.map((r) => ({
        startMs: r.startMs,
        durationMs: minutes * 60_000,
        wh: r.wh,
        where: `line ${r.line}`,
      }));
      const placed = placeReadings(raw, minutes, zone, skipped);
      report.meters.push(await storeDays(tx, meter, minutes, placed, skipped, "import"));
    }
    await auditIntervalImport(tx, opts.file, "csv", report.meters);
    return report;
  });
}
