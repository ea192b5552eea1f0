import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { audit } from "../../platform/audit.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { meterRegisters, meters } from "../premises/index.js";
import { estimateUsage, type UsageEstimate, type UsagePeriod } from "./estimate.js";
import { meterReads } from "./schema.js";
import { insertReads, type NewRead } from "./store.js";

// What the bill run asks of metering: the valid reads of many service points at once, and estimated reads where a
// cycle's read is missing, written set-based.

/** A valid register read as the bill run needs it. */
export interface BillingRead {
  id: number;
  meterId: number;
  meterNumber: string;
  multiplier: string;
  readOn: string;
  reading: string;
  /** Usage since the previous valid read, kWh; null for a meter's first read at the service point. */
  kwh: string | null;
  demandKw: string | null;
  kind: string;
}

/**
 * For each service point, its valid reads up to `through` (and from `since`, when given), oldest first, in one
 * query; service points without reads are absent from the map.
 */
export async function readsForBilling(
  ctx: Ctx,
  servicePointIds: readonly number[],
  through: string,
  since?: string,
): Promise<Map<number, BillingRead[]>> {
  const out = new Map<number, BillingRead[]>();
  if (servicePointIds.length === 0) return out;
  const rows = await ctx.database.rows<{
    id: bigint;
    meter_id: bigint;
    service_point_id: bigint;
    meter_number: string;
    multiplier: string;
    read_on: string;
    reading: string;
    kwh: string | null;
    demand_kw: string | null;
    kind: string;
  }>(
    ctx.db,
    sql`SELECT r.id, r.meter_id, r.service_point_id, m.meter_number, m.multiplier, r.read_on, r.reading, r.kwh,
               r.demand_kw, r.kind
        FROM ${meterReads} r JOIN ${meters} m ON m.id = r.meter_id
        WHERE r.service_point_id = ANY(${sql.param([...new Set(servicePointIds)])}::int8[]) AND r.status = 'valid'
          AND r.read_on <= ${through} ${since ? sql`AND r.read_on >= ${since}` : sql``}
        ORDER BY r.service_point_id, r.read_on`,
  );
  for (const r of rows) {
    const sp = Number(r.service_point_id);
    let list = out.get(sp);
    if (!list) {
      list = [];
      out.set(sp, list);
    }
    list.push({
      id: Number(r.id),
      meterId: Number(r.meter_id),
      meterNumber: r.meter_number,
      multiplier: r.multiplier,
      readOn: r.read_on,
      reading: r.reading,
      kwh: r.kwh,
      demandKw: r.demand_kw,
      kind: r.kind,
    });
  }
  return out;
}

export interface WantedRead {
  meterId: number;
  servicePointId: number;
  readOn: string;
}

export interface EstimatedRead extends UsageEstimate {
  meterId: number;
  servicePointId: number;
  readOn: string;
  /** The estimated read written; null when none could be (no earlier read to count from, or a read already there). */
  readId: number | null;
}

interface HistoryRow {
  meter_id: bigint;
  service_point_id: bigint;
  read_on: string;
  reading: string;
  kwh: string | null;
  kind: string;
  status: string;
  multiplier: string;
  dials: number | null;
}

const dayBefore = (iso: string, days = 1) => Temporal.PlainDate.from(iso).subtract({ days }).toString();
const dayAfter = (iso: string) => Temporal.PlainDate.from(iso).add({ days: 1 }).toString();

/**
 * Writes estimated reads (kind estimated, source estimate, valid) for the days the bill run found no read, from each
 * meter's read history at the service point (one query for all, the last 15 months), set-based, with one audit row
 * for the lot. The estimate (estimate.ts) covers the days since the last valid read; the reading is that read's plus
 * the estimate over the multiplier, wrapping past 10^dials. A meter with no earlier read, or with a read (held or not)
 * already on the day, gets no estimate: its readId is null and the explanation says why.
 */
export async function estimateMissingReads(ctx: Ctx, wanted: readonly WantedRead[]): Promise<EstimatedRead[]> {
  if (wanted.length === 0) return [];
  const earliest = wanted.map((w) => w.readOn).sort()[0]!;
  const rows = await ctx.database.rows<HistoryRow>(
    ctx.db,
    sql`SELECT r.meter_id, r.service_point_id, r.read_on, r.reading, r.kwh, r.kind, r.status, m.multiplier,
               (SELECT g.dials FROM ${meterRegisters} g WHERE g.meter_id = m.id AND g.unit = 'kWh'
                ORDER BY (g.tou_period IS NOT NULL), g.id LIMIT 1) AS dials
        FROM ${meterReads} r JOIN ${meters} m ON m.id = r.meter_id
        WHERE r.meter_id = ANY(${sql.param([...new Set(wanted.map((w) => w.meterId))])}::int8[])
          AND r.status <> 'replaced' AND r.read_on >= ${dayBefore(earliest, 460)}
        ORDER BY r.meter_id, r.service_point_id, r.read_on`,
  );
  const history = new Map<string, HistoryRow[]>();
  for (const r of rows) {
    const key = `${r.meter_id}:${r.service_point_id}`;
    let list = history.get(key);
    if (!list) {
      list = [];
      history.set(key, list);
    }
    list.push(r);
  }

  const results: EstimatedRead[] = [];
  const inserts: { at: number; read: NewRead }[] = [];
  for (const w of wanted) {
    const list = history.get(`${w.meterId}:${w.servicePointId}`) ?? [];
    const none = (explanation: string) =>
      results.push({ ...w, readId: null, kwh: "0.000", basis: "none", explanation });
    const same = list.find((r) => r.read_on === w.readOn);
    if (same) {
      none(`a read is already on file for ${w.readOn} (${same.status})`);
      continue;
    }
    const valid = list.filter((r) => r.status === "valid");
    const prior = valid.filter((r) => r.read_on < w.readOn);
    const last = prior[prior.length - 1];
    if (!last) {
      none("no earlier read of the meter at this service point to count an estimate from");
      continue;
    }
    if (valid.some((r) => r.read_on > w.readOn)) {
      none(`the meter already has a later read than ${w.readOn}`);
      continue;
    }
    // Periods closed by actual or customer reads: an estimate is never built on estimates.
    const periods: UsagePeriod[] = [];
    for (let i = 1; i < prior.length; i++) {
      const r = prior[i]!;
      if (r.kwh === null || r.kind === "estimated") continue;
      periods.push({ from: dayAfter(prior[i - 1]!.read_on), to: r.read_on, kwh: r.kwh });
    }
    const estimate = estimateUsage(periods, { from: dayAfter(last.read_on), to: w.readOn });
    let reading = new Decimal(last.reading).plus(new Decimal(estimate.kwh).dividedBy(last.multiplier));
    reading = reading.toDecimalPlaces(3, Decimal.ROUND_HALF_UP);
    let rollover = 0;
    if (last.dials !== null && reading.gte(new Decimal(10).pow(last.dials))) {
      reading = reading.minus(new Decimal(10).pow(last.dials));
      rollover = 1;
    }
    results.push({ ...w, readId: null, ...estimate });
    inserts.push({
      at: results.length - 1,
      read: {
        meterId: w.meterId,
        servicePointId: w.servicePointId,
        readOn: w.readOn,
        reading: reading.toFixed(),
        kwh: new Decimal(estimate.kwh).toFixed(),
        demandKw: null,
        kind: "estimated",
        source: "estimate",
        status: "valid",
        exception: null,
        exceptionNote: estimate.explanation,
        rollover,
      },
    });
    // A second wanted day for the same meter counts from this one.
    list.push({ ...last, read_on: w.readOn, reading: reading.toFixed(), kwh: estimate.kwh, kind: "estimated" });
    list.sort((a, b) => a.read_on.localeCompare(b.read_on));
  }
  const ids = await insertReads(
    ctx,
    inserts.map((i) => i.read),
  );
  inserts.forEach((ins, n) => {
    results[ins.at]!.readId = ids[n]!;
  });
  if (ids.length > 0) {
    const byBasis: Record<string, number> = {};
    for (const i of inserts) byBasis[results[i.at]!.basis] = (byBasis[results[i.at]!.basis] ?? 0) + 1;
    await audit(ctx, {
      action: "meter_reads.estimate",
      entityType: "meter_reads_estimate",
      entityId: `${earliest}:${ids.length}`,
      after: { estimated: ids.length, by_basis: byBasis, read_ids: ids },
    });
  }
  return results;
}

/** A read as the bill run takes it: valid, or held as an exception (which holds the bill). */
export interface ReadRow {
  id: number;
  service_point_id: number;
  read_on: string;
  reading: string;
  kwh: string | null;
  demand_kw: string | null;
  kind: "actual" | "estimated" | "customer";
  status: "valid" | "exception";
  exception: string | null;
  exception_note: string | null;
}

/**
 * Each service point's reads from its own `from` day (where its billing stopped) through `through`, valid and held
 * (a held read holds the bill), oldest first, in one query.
 */
export async function readsSince(
  tx: Ctx,
  wanted: { servicePointId: number; from: string }[],
  billDate: string,
): Promise<Map<number, ReadRow[]>> {
  const out = new Map<number, ReadRow[]>();
  if (wanted.length === 0) return out;
  // One entry per service point, from the earliest day asked: a service point with two agreements in the chunk (a
  // rate change) must get each read once, or its usage would count twice.
  const low = new Map<number, string>();
  for (const w of wanted) {
    const seen = low.get(w.servicePointId);
    if (seen === undefined || w.from < seen) low.set(w.servicePointId, w.from);
  }
  const rows = await preparedRows<Record<string, unknown>>(
    tx,
    sql`SELECT r.id, r.service_point_id, r.read_on::text AS read_on, r.reading::text AS reading, r.kwh::text AS kwh,
               r.demand_kw::text AS demand_kw, r.kind, r.status, r.exception, r.exception_note
        FROM unnest(${sql.param([...low.keys()])}::int8[], ${sql.param([...low.values()])}::date[]) AS w(sp, low)
        JOIN meter_reads AS r ON r.service_point_id = w.sp AND r.read_on >= w.low
        WHERE r.read_on <= ${billDate}::date AND r.status IN ('valid', 'exception')
        ORDER BY r.service_point_id, r.read_on, r.id`,
  );
  for (const r of rows) {
    const row = { ...(r as unknown as ReadRow), id: Number(r.id), service_point_id: Number(r.service_point_id) };
    const list = out.get(row.service_point_id) ?? [];
    list.push(row);
    out.set(row.service_point_id, list);
  }
  return out;
}
