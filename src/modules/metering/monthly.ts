import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { isoDate } from "../../core/rates/calendar.js";
import type { Ctx } from "../../platform/context.js";
import { ruleRefused } from "../../platform/errors.js";
import { localCalendar, type RawReading } from "./intervals.js";
import type { MeterInfo } from "./meters.js";
import { type ImportReport, importReads, type ReadItem } from "./reads.js";
import { meterReads } from "./schema.js";

// Monthly-only Green Button data (usage per billing period, no intervals) is what a register meter's reads give:
// so each period's end becomes a register read of the meter, dated the local day of the period's last instant, and
// the period's usage that read's kWh. The file has no dial readings, so the readings are rebuilt from an opening
// reading: the meter's own read on the day the first period opens, or, for a meter with no reads yet, an opening
// read of 0. A meter with reads only before the first period (usage between them unknown) or already after it is
// refused. The reads then go through the usual checks (high and low usage are held, not refused).

export interface MonthlyReport {
  meter_number: string;
  meter_reading: string;
  periods: number;
  /** Total usage of the periods, kWh. */
  kwh: string;
  /** Whether the opening reading was the meter's read on the first day, or an opening read of 0 written now. */
  opening: "existing_read" | "new_read";
  reads: ImportReport;
}

export async function monthlyToReads(
  ctx: Ctx,
  meter: MeterInfo,
  raw: readonly RawReading[],
  src: { file?: string | undefined; href: string },
): Promise<MonthlyReport> {
  const periods = [...raw].sort((a, b) => a.startMs - b.startMs);
  const refuse = (message: string) =>
    ruleRefused("reads.monthly", `MeterReading ${src.href}: ${message}`, { errors: [{ field: "file", message }] });
  for (const [i, p] of periods.entries()) {
    if (p.durationMs <= 0) throw refuse(`${p.where}: a period of no length`);
    if (p.wh < 0) throw refuse(`${p.where}: negative usage ${p.wh} Wh`);
    const prev = periods[i - 1];
    if (prev && prev.startMs + prev.durationMs !== p.startMs) {
      throw refuse(
        `the periods are not back to back: the one at ${prev.where} ends ${new Date(prev.startMs + prev.durationMs).toISOString()}, the next starts ${new Date(p.startMs).toISOString()}`,
      );
    }
  }
  const cal = localCalendar(ctx.clock.timezone);
  // A read closes the day of the last instant before the boundary (a period ending at midnight is read that day).
  const dayOf = (ms: number) => isoDate(cal.dayOf(ms - 1));
  const opening = dayOf(periods[0]!.startMs);
  const days = periods.map((p) => dayOf(p.startMs + p.durationMs));
  days.forEach((d, i) => {
    if (d <= (days[i - 1] ?? opening)) throw refuse(`two periods end on ${d}: a register is read once a day`);
  });

  const rows = await ctx.database.rows<{ read_on: string; reading: string; status: string }>(
    ctx.db,
    sql`(SELECT read_on, reading, status FROM ${meterReads}
         WHERE meter_id = ${meter.id} AND status <> 'replaced' AND read_on > ${opening} ORDER BY read_on LIMIT 1)
        UNION ALL
        (SELECT read_on, reading, status FROM ${meterReads}
         WHERE meter_id = ${meter.id} AND status = 'valid' AND read_on <= ${opening} ORDER BY read_on DESC LIMIT 1)`,
  );
  const after = rows.find((r) => r.read_on > opening);
  if (after)
    throw refuse(`meter ${meter.meterNumber} already has a read on ${after.read_on}, after the first period opens`);
  const last = rows.find((r) => r.read_on <= opening);
  if (last && last.read_on < opening) {
    throw refuse(
      `meter ${meter.meterNumber}'s last read is of ${last.read_on} but the first period opens on ${opening}: the usage between is unknown`,
    );
  }
  const range = meter.dials === null ? null : new Decimal(10).pow(meter.dials);
  const mult = new Decimal(meter.multiplier);
  let reading = new Decimal(last?.reading ?? 0);
  const items: ReadItem[] = [];
  if (!last) {
    items.push({
      key: 0,
      meterNumber: meter.meterNumber,
      readOn: opening,
      reading: "0",
      demandKw: null,
      kind: "actual",
    });
  }
  let total = new Decimal(0);
  periods.forEach((p, i) => {
    const kwh = new Decimal(p.wh).dividedBy(1000);
    total = total.plus(kwh);
    reading = reading.plus(kwh.dividedBy(mult)).toDecimalPlaces(3, Decimal.ROUND_HALF_UP);
    if (range && reading.gte(range)) reading = reading.minus(range);
    items.push({
      key: i + 1,
      meterNumber: meter.meterNumber,
      readOn: days[i]!,
      reading: reading.toFixed(),
      demandKw: null,
      kind: "actual",
    });
  });
  const reads = await importReads(ctx, items, { file: src.file ?? src.href, source: "import" });
  return {
    meter_number: meter.meterNumber,
    meter_reading: src.href,
    periods: periods.length,
    kwh: total.toFixed(3),
    opening: last ? "existing_read" : "new_read",
    reads,
  };
}
