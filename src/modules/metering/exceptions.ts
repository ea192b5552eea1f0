import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { lockMeters } from "./meters.js";
import { type KeyedRead, keyReads } from "./reads.js";
import { meterReads } from "./schema.js";
import { readValidation } from "./settings.js";
import { billedReadIds, type ReadView, readViews, toView, VIEW_COLUMNS, type ViewRow } from "./store.js";
import { dialUsage } from "./validate.js";

// Working the read exceptions: a held read is accepted as it is (its usage recomputed from the previous valid read
// as things stand now), or replaced by a corrected read (the old one kept, marked replaced). Either way the next
// valid read's usage is recomputed from its new predecessor, unless that read is billed.

interface ReadRow {
  id: bigint;
  meter_id: bigint;
  service_point_id: bigint;
  read_on: string;
  reading: string;
  kwh: string | null;
  status: string;
  exception: string | null;
  exception_note: string | null;
  version: number;
  multiplier: string;
  dials: number | null;
  meter_number: string;
}

async function lockedRead(ctx: Ctx, id: number): Promise<ReadRow> {
  const [peek] = await ctx.database.rows<{ meter_id: bigint }>(
    ctx.db,
    sql`SELECT meter_id FROM ${meterReads} WHERE id = ${id}`,
  );
  if (!peek) throw notFound(`read ${id}`, "id");
  await lockMeters(ctx, [Number(peek.meter_id)]);
  const [row] = await ctx.database.rows<ReadRow>(
    ctx.db,
    sql`SELECT r.id, r.meter_id, r.service_point_id, r.read_on, r.reading, r.kwh, r.status, r.exception,
               r.exception_note, r.version, m.multiplier, m.meter_number,
               (SELECT g.dials FROM meter_registers g WHERE g.meter_id = m.id AND g.unit = 'kWh'
                ORDER BY (g.tou_period IS NOT NULL), g.id LIMIT 1) AS dials
        FROM ${meterReads} r JOIN meters m ON m.id = r.meter_id WHERE r.id = ${id} FOR UPDATE OF r`,
  );
  return row!;
}

const viewOf = async (ctx: Ctx, id: number) => (await readViews(ctx, [id]))[0]!;

/** The valid read just before or just after a day at the meter's service point. */
async function neighbour(ctx: Ctx, r: ReadRow, side: "before" | "after") {
  const [row] = await ctx.database.rows<{ id: bigint; read_on: string; reading: string; kwh: string | null }>(
    ctx.db,
    sql`SELECT id, read_on, reading, kwh FROM ${meterReads}
        WHERE meter_id = ${r.meter_id} AND service_point_id = ${r.service_point_id} AND status = 'valid'
          AND ${side === "before" ? sql`read_on < ${r.read_on}` : sql`read_on > ${r.read_on}`}
        ORDER BY read_on ${side === "before" ? sql`DESC` : sql`ASC`} LIMIT 1`,
  );
  return row;
}

/**
 * Recomputes the usage of the first valid read after `r`'s day from its predecessor as it now stands; refused when
 * that read is billed or its usage would go negative. Audited when it changes.
 */
async function recomputeFollowing(ctx: Ctx, r: ReadRow): Promise<void> {
  const next = await neighbour(ctx, r, "after");
  if (!next) return;
  const prev = await neighbour(ctx, { ...r, read_on: next.read_on }, "before");
  if (!prev) return;
  const v = await currentSetting(ctx, readValidation);
  const u = dialUsage(prev.reading, next.reading, r.dials, v.rollover_band, prev.read_on);
  const kwh = u.dialUnits.times(r.multiplier).toFixed();
  if (next.kwh !== null && new Decimal(next.kwh).eq(kwh)) return;
  if ((await billedReadIds(ctx, [Number(next.id)])).size > 0) {
    throw ruleRefused(
      "read.before_billed_read",
      `this would change the usage of the read of ${next.read_on}, which closes a billed period: cancel and rebill ` +
        "that bill first",
    );
  }
  if (!u.ok) {
    throw ruleRefused(
      "read.makes_next_negative",
      `the read of ${next.read_on} (reading ${next.reading}) would then show negative usage: ${u.note}`,
    );
  }
  await ctx.database.rows(
    ctx.db,
    sql`UPDATE ${meterReads} SET kwh = ${kwh}, rollover = ${u.rollover}, version = version + 1 WHERE id = ${next.id}`,
  );
  await audit(ctx, {
    action: "meter_read.recompute",
    entityType: "meter_read",
    entityId: Number(next.id),
    before: { kwh: next.kwh },
    after: { kwh, rollover: u.rollover > 0, because: `the read of ${r.read_on} changed` },
  });
}

/**
 * Accepts a held read as it is: it becomes valid, its usage recomputed from the previous valid read (a negative
 * usage stays negative: the customer is credited the over-estimate), and the next valid read recomputed from it.
 */
export async function acceptRead(ctx: Ctx, id: number, input: { version: number; note?: string | null | undefined }) {
  return inTx(ctx, async (tx) => {
    const r = await lockedRead(tx, id);
    const before = await viewOf(tx, id);
    if (r.version !== input.version) throw staleVersion(`read ${id}`, before);
    if (r.status !== "exception") {
      throw ruleRefused("read.not_held", `read ${id} is ${r.status}, not held as an exception`, {
        errors: [{ field: "id", message: `the read is ${r.status}` }],
      });
    }
    const prev = await neighbour(tx, r, "before");
    let kwh: string | null = null;
    let rollover = 0;
    if (prev) {
      const v = await currentSetting(tx, readValidation);
      const u = dialUsage(prev.reading, r.reading, r.dials, v.rollover_band, prev.read_on);
      kwh = u.dialUnits.times(r.multiplier).toFixed();
      rollover = u.ok ? u.rollover : 0;
    }
    const note = `${r.exception_note ?? ""}${r.exception_note ? "; " : ""}accepted by ${tx.actor.username} on ${tx.clock.today()}${input.note ? `: ${input.note}` : ""}`;
    await tx.database.rows(
      tx.db,
      sql`UPDATE ${meterReads} SET status = 'valid', kwh = ${kwh}, rollover = ${rollover}, exception_note = ${note},
                                   version = version + 1
          WHERE id = ${id}`,
    );
    await recomputeFollowing(tx, r);
    const after = await viewOf(tx, id);
    await audit(tx, { action: "meter_read.accept", entityType: "meter_read", entityId: id, before, after });
    return after;
  });
}

/**
 * Replaces a held read (or a valid one not yet billed) by a corrected reading on the same day: the old read is kept
 * as replaced, the new one judged like any keyed read (it may itself be held), and the next valid read recomputed.
 */
export async function replaceRead(
  ctx: Ctx,
  id: number,
  input: {
    version: number;
    reading: string;
    demand_kw?: string | null | undefined;
    kind?: KeyedRead["kind"];
    note?: string | null | undefined;
  },
): Promise<{ replaced: ReadView; read: ReadView }> {
  return inTx(ctx, async (tx) => {
    const r = await lockedRead(tx, id);
    const before = await viewOf(tx, id);
    if (r.version !== input.version) throw staleVersion(`read ${id}`, before);
    if (r.status === "replaced") {
      throw ruleRefused("read.replaced", `read ${id} was already replaced`, {
        errors: [{ field: "id", message: "already replaced" }],
      });
    }
    if (r.status === "valid" && (await billedReadIds(tx, [id])).size > 0) {
      throw ruleRefused("read.billed", `read ${id} closes a billed period: cancel and rebill that bill first`, {
        errors: [{ field: "id", message: "billed" }],
      });
    }
    const note = `replaced by ${tx.actor.username} on ${tx.clock.today()}${input.note ? `: ${input.note}` : ""}`;
    await tx.database.rows(
      tx.db,
      sql`UPDATE ${meterReads} SET status = 'replaced', version = version + 1,
                                   exception_note = concat_ws('; ', exception_note, ${note}::text)
          WHERE id = ${id}`,
    );
    const [created] = await keyReads(tx, r.meter_number, [
      { read_on: r.read_on, reading: input.reading, demand_kw: input.demand_kw ?? null, kind: input.kind ?? "actual" },
    ]);
    await recomputeFollowing(tx, r);
    const replaced = await viewOf(tx, id);
    const read = await viewOf(tx, created!.id);
    await audit(tx, {
      action: "meter_read.replace",
      entityType: "meter_read",
      entityId: id,
      before,
      after: { replaced: replaced, by: read },
    });
    return { replaced, read };
  });
}

/** Held reads waiting for someone, oldest first. */
export async function listHeldReads(ctx: Ctx, limit = 100): Promise<{ reads: ReadView[] }> {
  const rows = await ctx.database.rows<ViewRow>(
    ctx.db,
    sql`SELECT ${VIEW_COLUMNS} FROM ${meterReads} r JOIN meters m ON m.id = r.meter_id
        WHERE r.status = 'exception' ORDER BY r.read_on, r.id LIMIT ${limit}`,
  );
  return { reads: rows.map(toView) };
}
