/**
 * Test fixtures: a meter's reads written straight into meter_reads (each with its usage since the read before), and
 * the bill runs of a cycle on the day after each read, so bills come from real runs over real reads.
 */
import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import type { Database } from "../../platform/db.js";
import { runBills } from "./run.js";

export interface TestRead {
  /** The day the meter was read. */
  on: string;
  /** Usage since the read before (none for the first read). */
  kwh?: string;
  kind?: "actual" | "estimated" | "customer";
}

/** Writes the reads of the meter installed on the agreement's service point; the first is the opening read. */
export async function insertReads(
  database: Database,
  serviceAgreementId: number,
  reads: TestRead[],
  opening = "10000",
): Promise<void> {
  const [where] = await database.rows<{ meter_id: string | number; sp: string | number }>(
    database.db,
    sql`SELECT mi.meter_id::int8 AS meter_id, sa.service_point_id::int8 AS sp
        FROM service_agreements AS sa
        JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
        WHERE sa.id = ${serviceAgreementId}`,
  );
  if (!where) throw new Error(`no meter on agreement ${serviceAgreementId}`);
  let reading = new Decimal(opening);
  for (const [i, r] of reads.entries()) {
    if (i > 0) reading = reading.plus(r.kwh ?? "0");
    const kind = r.kind ?? "actual";
    await database.rows(
      database.db,
      sql`INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
          VALUES (${Number(where.meter_id)}, ${Number(where.sp)}, ${r.on}, ${reading.toString()},
                  ${i === 0 ? null : (r.kwh ?? "0")}, ${kind}, ${kind === "estimated" ? "estimate" : "field"}, 'test')`,
    );
  }
}

/** Runs the cycle's bills on the day after each read day (the first read opens the meter and is not billed). */
export async function runAfterReads(ctx: Ctx, cycle: string, reads: TestRead[]): Promise<void> {
  for (const r of reads.slice(1)) {
    const billDate = Temporal.PlainDate.from(r.on).add({ days: 1 }).toString();
    await runBills(ctx, { cycle, bill_date: billDate });
  }
}

/** kWh over a period at so much a day: the read day after `from`'s read is counted through `to`. */
export const usageOver = (from: string, to: string, perDay: number) =>
  String(perDay * Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days);
