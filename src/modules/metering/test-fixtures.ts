import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { TestApp } from "../../../tests/support/testkit.js";
import { fixedClock } from "../../platform/clock.js";
import type { Ctx } from "../../platform/context.js";
import { createMeter, createPremise, createServicePoint, installMeter } from "../premises/index.js";

let serial = 0;

/** A meter installed at a new premise's service point; returns its number, ids and the service point. */
export async function installedMeter(
  t: TestApp,
  opts: {
    kind?: "register" | "interval";
    intervalMinutes?: 5 | 15 | 30 | 60;
    dials?: number;
    multiplier?: string;
    number?: string;
    installedOn?: string;
  } = {},
) {
  const premise = await createPremise(t.ctx, {
    address_line1: `${100 + ++serial} Meter Way`,
    city: "Sacramento",
    state: "CA",
    zip: "95814",
    baseline_territory: "S",
    climate_zone: 12,
    tax_jurisdiction: "City of Sacramento",
  });
  const sp = await createServicePoint(t.ctx, premise.id, { kind: "electric", description: "test" });
  const kind = opts.kind ?? "register";
  const meter = await createMeter(t.ctx, {
    meter_number: opts.number ?? `MR${String(serial).padStart(5, "0")}${Math.floor(Math.random() * 1000)}`,
    kind,
    interval_minutes: kind === "interval" ? (opts.intervalMinutes ?? 60) : null,
    multiplier: opts.multiplier ?? "1",
    registers: [{ unit: "kWh", dials: opts.dials ?? 5 }],
  });
  await installMeter(t.ctx, meter.id, {
    version: meter.version,
    service_point_id: sp.id,
    installed_on: opts.installedOn ?? "2010-01-01",
  });
  return { number: meter.meter_number, meterId: meter.id, servicePointId: sp.id };
}

/** The test context with the utility in another time zone. */
export const inZone = (t: TestApp, zone: string): Ctx => ({
  ...t.ctx,
  clock: fixedClock(t.clock.now().toString(), zone),
});

/** A Green Button sample file of the fixtures. */
export const sample = (name: string) =>
  readFileSync(new URL(`./fixtures/greenbutton/${name}`, import.meta.url), "utf8");

/** What a meter has stored: days, intervals present, their Wh, and the lengths used. */
export async function storedIntervals(t: TestApp, meterId: number) {
  const [row] = await t.database.rows<{ days: bigint; intervals: bigint; wh: string | null; lengths: string }>(
    t.database.db,
    sql`SELECT count(DISTINCT d.day)::int8 AS days, count(v)::int8 AS intervals, sum(v)::text AS wh,
               string_agg(DISTINCT d.minutes::text, ',') AS lengths
        FROM interval_days d LEFT JOIN LATERAL unnest(d.wh) AS v ON true WHERE d.meter_id = ${meterId}`,
  );
  return {
    days: Number(row!.days),
    intervals: Number(row!.intervals),
    wh: Number(row!.wh ?? 0),
    lengths: row!.lengths,
  };
}

/** Every stored day of a meter, for comparing two meters' data. */
export async function dayRows(t: TestApp, meterId: number) {
  return t.database.rows<{ day: string; minutes: number; wh: (number | null)[] }>(
    t.database.db,
    sql`SELECT day, minutes, wh FROM interval_days WHERE meter_id = ${meterId} ORDER BY day`,
  );
}
