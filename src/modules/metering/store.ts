import { sql } from "drizzle-orm";
import { isoInstant } from "../../platform/clock.js";
import type { Ctx } from "../../platform/context.js";
import { meterReads } from "./schema.js";
import type { Recompute, TimelineRead } from "./validate.js";

// The reads' statements, set-based: one query loads every timeline an operation needs, one statement per chunk
// inserts reads, one updates recomputed usage.

/** One meter's reads at one service point, from a day on (plus valid reads before it for the history). */
export interface TimelineKey {
  meterId: number;
  servicePointId: number;
  fromDay: string;
}

interface TimelineRow {
  id: bigint;
  meter_id: bigint;
  service_point_id: bigint;
  read_on: string;
  reading: string;
  kwh: string | null;
  kind: string;
  status: "valid" | "exception";
  rollover: number;
  version: number;
}

export const timelineKey = (meterId: number, servicePointId: number) => `${meterId}:${servicePointId}`;

/**
 * The timelines of many meters in one query: every read not replaced from `fromDay` on, and the last `history`
 * valid reads before it; oldest first, keyed by timelineKey.
 */
export async function loadTimelines(
  ctx: Ctx,
  keys: readonly TimelineKey[],
  history: number,
): Promise<Map<string, TimelineRead[]>> {
  const out = new Map<string, TimelineRead[]>();
  if (keys.length === 0) return out;
  const rows = await ctx.database.rows<TimelineRow>(
    ctx.db,
    sql`SELECT x.* FROM unnest(${sql.param(keys.map((k) => k.meterId))}::int8[],
                               ${sql.param(keys.map((k) => k.servicePointId))}::int8[],
                               ${sql.param(keys.map((k) => k.fromDay))}::date[]) AS w(meter_id, sp, from_day)
        CROSS JOIN LATERAL (
          (SELECT r.id, r.meter_id, r.service_point_id, r.read_on, r.reading, r.kwh, r.kind, r.status, r.rollover,
                  r.version
           FROM ${meterReads} r
           WHERE r.meter_id = w.meter_id AND r.service_point_id = w.sp AND r.status <> 'replaced'
             AND r.read_on >= w.from_day)
          UNION ALL
          (SELECT r.id, r.meter_id, r.service_point_id, r.read_on, r.reading, r.kwh, r.kind, r.status, r.rollover,
                  r.version
           FROM ${meterReads} r
           WHERE r.meter_id = w.meter_id AND r.service_point_id = w.sp AND r.status = 'valid'
             AND r.read_on < w.from_day
           ORDER BY r.read_on DESC LIMIT ${history})
        ) x`,
  );
  for (const r of rows) {
    const key = timelineKey(Number(r.meter_id), Number(r.service_point_id));
    let list = out.get(key);
    if (!list) {
      list = [];
      out.set(key, list);
    }
    list.push({
      id: Number(r.id),
      readOn: r.read_on,
      reading: r.reading,
      kwh: r.kwh,
      kind: r.kind,
      status: r.status,
      rollover: r.rollover,
      version: r.version,
    });
  }
  for (const list of out.values()) list.sort((a, b) => a.readOn.localeCompare(b.readOn));
  return out;
}

/** Which of these reads close a period of an active bill segment (their usage is billed and may not change). */
export async function billedReadIds(ctx: Ctx, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await ctx.database.rows<{ id: bigint }>(
    ctx.db,
    // billed_reads is billing's view of the reads that close a billed period (migration 0012).
    sql`SELECT read_id AS id FROM billed_reads WHERE read_id = ANY(${sql.param([...ids])}::int8[])`,
  );
  return new Set(rows.map((r) => Number(r.id)));
}

/** A read to insert. */
export interface NewRead {
  meterId: number;
  servicePointId: number;
  readOn: string;
  reading: string;
  kwh: string | null;
  demandKw: string | null;
  kind: string;
  source: string;
  status: "valid" | "exception";
  exception: string | null;
  exceptionNote: string | null;
  rollover: number;
}

const CHUNK = 2000;

/** Inserts reads, a chunk per statement; resolves to their ids in the order given. */
export async function insertReads(ctx: Ctx, reads: readonly NewRead[]): Promise<number[]> {
  const ids: number[] = [];
  for (let at = 0; at < reads.length; at += CHUNK) {
    const chunk = reads.slice(at, at + CHUNK);
    const col = <K extends keyof NewRead>(k: K) => sql.param(chunk.map((r) => r[k]));
    const rows = await ctx.database.rows<{ id: bigint; meter_id: bigint; read_on: string }>(
      ctx.db,
      sql`INSERT INTO ${meterReads} (meter_id, service_point_id, read_on, reading, kwh, demand_kw, kind, source, status,
                                    exception, exception_note, rollover, created_by)
          SELECT r.meter_id, r.sp, r.read_on, r.reading, r.kwh, r.demand_kw, r.kind, r.source, r.status, r.exception,
                 r.note, r.rollover, ${ctx.actor.username}
          FROM unnest(${col("meterId")}::int8[], ${col("servicePointId")}::int8[], ${col("readOn")}::date[],
                      ${col("reading")}::numeric[], ${col("kwh")}::numeric[], ${col("demandKw")}::numeric[],
                      ${col("kind")}::text[], ${col("source")}::text[], ${col("status")}::text[],
                      ${col("exception")}::text[], ${col("exceptionNote")}::text[], ${col("rollover")}::int4[])
               AS r(meter_id, sp, read_on, reading, kwh, demand_kw, kind, source, status, exception, note, rollover)
          RETURNING id, meter_id, read_on`,
    );
    const byKey = new Map(rows.map((r) => [`${r.meter_id}:${r.read_on}`, Number(r.id)]));
    for (const r of chunk) ids.push(byKey.get(`${r.meterId}:${r.readOn}`)!);
  }
  return ids;
}

/** Writes recomputed usage onto the reads that follow a new or changed read. */
export async function applyRecomputes(ctx: Ctx, recomputes: readonly Recompute[]): Promise<void> {
  for (let at = 0; at < recomputes.length; at += CHUNK) {
    const chunk = recomputes.slice(at, at + CHUNK);
    await ctx.database.rows(
      ctx.db,
      sql`UPDATE ${meterReads} r SET kwh = u.kwh, rollover = u.rollover, version = r.version + 1
          FROM unnest(${sql.param(chunk.map((c) => c.id))}::int8[], ${sql.param(chunk.map((c) => c.kwh))}::numeric[],
                      ${sql.param(chunk.map((c) => c.rollover))}::int4[]) AS u(id, kwh, rollover)
          WHERE r.id = u.id`,
    );
  }
}

/** A register read as the API shows it. */
export interface ReadView {
  id: number;
  meter_number: string;
  service_point_id: number;
  read_on: string;
  reading: string;
  kwh: string | null;
  demand_kw: string | null;
  kind: string;
  source: string;
  status: string;
  exception: string | null;
  exception_note: string | null;
  rollover: boolean;
  created_by: string;
  created_at: string;
  version: number;
}

interface ViewRow {
  id: bigint;
  meter_number: string;
  service_point_id: bigint;
  read_on: string;
  reading: string;
  kwh: string | null;
  demand_kw: string | null;
  kind: string;
  source: string;
  status: string;
  exception: string | null;
  exception_note: string | null;
  rollover: number;
  created_by: string;
  created_at: string;
  version: number;
}

export const VIEW_COLUMNS = sql`r.id, m.meter_number, r.service_point_id, r.read_on, r.reading, r.kwh, r.demand_kw,
  r.kind, r.source, r.status, r.exception, r.exception_note, r.rollover, r.created_by, r.created_at, r.version`;

export const toView = (r: ViewRow): ReadView => ({
  id: Number(r.id),
  meter_number: r.meter_number,
  service_point_id: Number(r.service_point_id),
  read_on: r.read_on,
  reading: r.reading,
  kwh: r.kwh,
  demand_kw: r.demand_kw,
  kind: r.kind,
  source: r.source,
  status: r.status,
  exception: r.exception,
  exception_note: r.exception_note,
  rollover: r.rollover > 0,
  created_by: r.created_by,
  created_at: isoInstant(r.created_at),
  version: r.version,
});

/** Reads by id, as views, in the order asked. */
export async function readViews(ctx: Ctx, ids: readonly number[]): Promise<ReadView[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.database.rows<ViewRow>(
    ctx.db,
    sql`SELECT ${VIEW_COLUMNS} FROM ${meterReads} r JOIN meters m ON m.id = r.meter_id
        WHERE r.id = ANY(${sql.param([...ids])}::int8[])`,
  );
  const byId = new Map(rows.map((r) => [Number(r.id), toView(r)]));
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}

export type { ViewRow };
