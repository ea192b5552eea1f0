import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { notFound } from "../../platform/errors.js";
import { meterInstallations, meterRegisters, meters } from "../premises/index.js";

/** What metering needs to know of a meter: its kind, multiplier and the dials of its kWh register. */
export interface MeterInfo {
  id: number;
  meterNumber: string;
  kind: string;
  intervalMinutes: number | null;
  multiplier: string;
  dials: number | null;
  installations: { servicePointId: number; installedOn: string; removedOn: string | null }[];
}

interface MeterRow {
  id: bigint;
  meter_number: string;
  kind: string;
  interval_minutes: number | null;
  multiplier: string;
  dials: number | null;
}

/** Meters by number (those that exist), with their installations; one query each for all. */
export async function metersByNumber(ctx: Ctx, numbers: readonly string[]): Promise<Map<string, MeterInfo>> {
  const unique = [...new Set(numbers)];
  const out = new Map<string, MeterInfo>();
  if (unique.length === 0) return out;
  const rows = await ctx.database.rows<MeterRow>(
    ctx.db,
    sql`SELECT m.id, m.meter_number, m.kind, m.interval_minutes, m.multiplier,
               (SELECT g.dials FROM ${meterRegisters} g WHERE g.meter_id = m.id AND g.unit = 'kWh'
                ORDER BY (g.tou_period IS NOT NULL), g.id LIMIT 1) AS dials
        FROM ${meters} m WHERE m.meter_number = ANY(${sql.param(unique)}::text[])`,
  );
  const byId = new Map<number, MeterInfo>();
  for (const r of rows) {
    const info: MeterInfo = {
      id: Number(r.id),
      meterNumber: r.meter_number,
      kind: r.kind,
      intervalMinutes: r.interval_minutes,
      multiplier: r.multiplier,
      dials: r.dials,
      installations: [],
    };
    out.set(r.meter_number, info);
    byId.set(info.id, info);
  }
  if (byId.size === 0) return out;
  const installs = await ctx.database.rows<{
    meter_id: bigint;
    service_point_id: bigint;
    installed_on: string;
    removed_on: string | null;
  }>(
    ctx.db,
    sql`SELECT meter_id, service_point_id, installed_on, removed_on FROM ${meterInstallations}
        WHERE meter_id = ANY(${sql.param([...byId.keys()])}::int8[]) ORDER BY installed_on, id`,
  );
  for (const i of installs) {
    byId.get(Number(i.meter_id))?.installations.push({
      servicePointId: Number(i.service_point_id),
      installedOn: i.installed_on,
      removedOn: i.removed_on,
    });
  }
  return out;
}

/** One meter by number, or 404 naming the field that named it. */
export async function requireMeterByNumber(ctx: Ctx, meterNumber: string, field = "meter_number"): Promise<MeterInfo> {
  const found = (await metersByNumber(ctx, [meterNumber])).get(meterNumber);
  if (!found) throw notFound(`meter ${meterNumber}`, field);
  return found;
}

/** The service point the meter was installed at on a day (the latest installation covering it), or null. */
export function servicePointOn(meter: MeterInfo, day: string): number | null {
  let found: number | null = null;
  for (const i of meter.installations) {
    if (i.installedOn <= day && (i.removedOn === null || i.removedOn >= day)) found = i.servicePointId;
  }
  return found;
}

/** Serialises writes to these meters' reads and intervals until the transaction ends (ids in a fixed order). */
export async function lockMeters(ctx: Ctx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await ctx.database.rows(
    ctx.db,
    sql`SELECT id FROM ${meters} WHERE id = ANY(${sql.param([...new Set(ids)].sort((a, b) => a - b))}::int8[])
        ORDER BY id FOR NO KEY UPDATE`,
  );
}
