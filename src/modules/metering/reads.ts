import { sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { conflict, type FieldError, Problem, ruleRefused } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { lockMeters, type MeterInfo, metersByNumber, requireMeterByNumber, servicePointOn } from "./meters.js";
import { meterReads } from "./schema.js";
import { readValidation } from "./settings.js";
import {
  applyRecomputes,
  billedReadIds,
  insertReads,
  loadTimelines,
  type NewRead,
  type ReadView,
  readViews,
  type TimelineKey,
  timelineKey,
  toView,
  VIEW_COLUMNS,
  type ViewRow,
} from "./store.js";
import { type IncomingRead, planReads, type Recompute } from "./validate.js";

/** A register read as keyed or imported: a meter number, a day, the dial reading, the demand register. */
export interface ReadItem {
  /** The caller's handle for it: a file line, a list index. */
  key: number;
  meterNumber: string;
  readOn: string;
  reading: string;
  demandKw: string | null;
  kind: "actual" | "customer";
}

export interface ReadOutcome {
  key: number;
  meter_number: string;
  read_on: string;
  /** created (valid), held (an exception, not billed until accepted or replaced), unchanged, refused */
  outcome: "created" | "held" | "unchanged" | "refused";
  read_id?: number;
  exception?: string | null;
  /** Why it was held or refused, with the figures. */
  reason?: string;
  /** For a refusal: the HTTP status it would get alone, and the rule. */
  status?: number;
  rule?: string;
}

interface Plan {
  outcomes: ReadOutcome[];
  inserts: { outcome: ReadOutcome; read: NewRead }[];
  recomputes: Recompute[];
}

/**
 * Judges reads of many meters against their timelines (one query for all): unknown meters, days after today,
 * meters not installed that day, duplicate days, readings the dials cannot show, and the usage checks of validate.ts.
 * Locks the meters, so two writers of the same meter's reads take turns. Writes nothing.
 */
async function planAll(ctx: Ctx, items: readonly ReadItem[], source: string): Promise<Plan> {
  const today = ctx.clock.today().toString();
  const meters = await metersByNumber(
    ctx,
    items.map((i) => i.meterNumber),
  );
  await lockMeters(
    ctx,
    [...meters.values()].map((m) => m.id),
  );
  const v = await currentSetting(ctx, readValidation);
  const outcomes = new Map<number, ReadOutcome>();
  const refuse = (i: ReadItem, status: number, rule: string, reason: string) =>
    outcomes.set(i.key, {
      key: i.key,
      meter_number: i.meterNumber,
      read_on: i.readOn,
      outcome: "refused",
      status,
      rule,
      reason,
    });

  const groups = new Map<string, { meter: MeterInfo; servicePointId: number; items: ReadItem[] }>();
  for (const i of items) {
    const meter = meters.get(i.meterNumber);
    if (!meter) {
      refuse(i, 404, "meter.unknown", `there is no meter ${i.meterNumber}`);
      continue;
    }
    if (i.readOn > today) {
      refuse(i, 400, "read.future", `read_on ${i.readOn} is after today (${today})`);
      continue;
    }
    const sp = servicePointOn(meter, i.readOn);
    if (sp === null) {
      refuse(i, 422, "meter.not_installed", `meter ${i.meterNumber} was not installed on ${i.readOn}`);
      continue;
    }
    const key = timelineKey(meter.id, sp);
    let g = groups.get(key);
    if (!g) {
      g = { meter, servicePointId: sp, items: [] };
      groups.set(key, g);
    }
    g.items.push(i);
  }

  const keys: TimelineKey[] = [...groups.values()].map((g) => ({
    meterId: g.meter.id,
    servicePointId: g.servicePointId,
    fromDay: g.items.map((i) => i.readOn).sort()[0]!,
  }));
  const timelines = await loadTimelines(ctx, keys, v.history_periods * 2 + 2);
  const later = keys.flatMap((k) =>
    (timelines.get(timelineKey(k.meterId, k.servicePointId)) ?? [])
      .filter((r) => r.readOn > k.fromDay && r.status === "valid")
      .map((r) => r.id),
  );
  const billed = await billedReadIds(ctx, later);

  const inserts: Plan["inserts"] = [];
  const recomputes: Recompute[] = [];
  for (const [key, g] of groups) {
    const byKey = new Map(g.items.map((i) => [i.key, i]));
    const incoming: IncomingRead[] = g.items.map((i) => ({
      key: i.key,
      readOn: i.readOn,
      reading: i.reading,
      demandKw: i.demandKw,
      kind: i.kind,
    }));
    const facts = {
      meterId: g.meter.id,
      meterNumber: g.meter.meterNumber,
      servicePointId: g.servicePointId,
      multiplier: g.meter.multiplier,
      dials: g.meter.dials,
    };
    const plan = planReads(facts, timelines.get(key) ?? [], incoming, v, billed);
    for (const d of plan.decisions) {
      const i = byKey.get(d.key)!;
      if (d.outcome === "refused") refuse(i, d.status, d.rule, d.reason);
      else if (d.outcome === "unchanged") {
        outcomes.set(i.key, {
          key: i.key,
          meter_number: i.meterNumber,
          read_on: i.readOn,
          outcome: "unchanged",
          read_id: d.existingId,
          reason: `already on file: the read of ${i.readOn} with reading ${i.reading}`,
        });
      } else {
        const outcome: ReadOutcome = {
          key: i.key,
          meter_number: i.meterNumber,
          read_on: i.readOn,
          outcome: d.status === "valid" ? "created" : "held",
          exception: d.exception,
          ...(d.status === "exception" && d.exceptionNote ? { reason: d.exceptionNote } : {}),
        };
        outcomes.set(i.key, outcome);
        inserts.push({
          outcome,
          read: {
            meterId: g.meter.id,
            servicePointId: g.servicePointId,
            readOn: i.readOn,
            reading: i.reading,
            kwh: d.kwh,
            demandKw: i.demandKw,
            kind: i.kind,
            source,
            status: d.status,
            exception: d.exception,
            exceptionNote: d.exceptionNote,
            rollover: d.rollover,
          },
        });
      }
    }
    recomputes.push(...plan.recomputes);
  }
  return { outcomes: items.map((i) => outcomes.get(i.key)!), inserts, recomputes };
}

/** Writes a plan's reads and recomputed usage; sets each created outcome's read_id. */
async function writePlan(ctx: Ctx, plan: Plan): Promise<number[]> {
  const ids = await insertReads(
    ctx,
    plan.inserts.map((p) => p.read),
  );
  plan.inserts.forEach((p, n) => {
    p.outcome.read_id = ids[n]!;
  });
  await applyRecomputes(ctx, plan.recomputes);
  return ids;
}

const isUniqueViolation = (err: unknown): boolean => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
};

/** Runs a write of reads, turning a read that another writer put on the same day meanwhile into a 409. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("another read was put on the same meter and day meanwhile: try again");
    throw err;
  }
}

export interface KeyedRead {
  read_on: string;
  reading: string;
  demand_kw?: string | null | undefined;
  kind?: "actual" | "customer" | undefined;
}

const fieldOf = (rule: string) => (rule === "reading" ? "reading" : "read_on");

/**
 * Keys one or more register reads of a meter (one transaction): each read's usage is computed from the meter's
 * previous valid read; a read that fails a check is held as an exception (201, with the reason), not refused; a
 * read that cannot be taken at all (a day already read, after today, before a billed read, the meter not installed)
 * refuses the whole request naming the read. Every read and every recomputed read is audited.
 */
export async function keyReads(
  ctx: Ctx,
  meterNumber: string,
  reads: readonly KeyedRead[],
  source = "keyed",
): Promise<ReadView[]> {
  return guarded(() =>
    inTx(ctx, async (tx) => {
      await requireMeterByNumber(tx, meterNumber);
      const items: ReadItem[] = reads.map((r, key) => ({
        key,
        meterNumber,
        readOn: r.read_on,
        reading: r.reading,
        demandKw: r.demand_kw ?? null,
        kind: r.kind ?? "actual",
      }));
      const plan = await planAll(tx, items, source);
      const refused = plan.outcomes.filter((o) => o.outcome !== "created" && o.outcome !== "held");
      if (refused.length > 0) {
        const first = refused[0]!;
        const status = first.outcome === "unchanged" ? 409 : (first.status ?? 422);
        const errors: FieldError[] = refused.map((o) => ({
          field: `${reads.length > 1 ? `reads.${o.key}.` : ""}${o.outcome === "unchanged" ? "read_on" : fieldOf(o.rule ?? "")}`,
          message:
            o.outcome === "unchanged"
              ? `meter ${meterNumber} already has this read on ${o.read_on}`
              : (o.reason ?? "refused"),
        }));
        const detail = errors.map((e) => e.message).join("; ");
        if (status === 422) throw ruleRefused(first.rule ?? "read", detail, { errors });
        throw new Problem(status, status === 409 ? "Conflict" : status === 404 ? "Not found" : "Bad request", detail, {
          errors,
        });
      }
      const ids = await writePlan(tx, plan);
      const views = await readViews(tx, ids);
      await audit(
        tx,
        ...views.map((view) => ({
          action: "meter_read.create",
          entityType: "meter_read",
          entityId: view.id,
          after: view,
        })),
        ...plan.recomputes.map((r) => ({
          action: "meter_read.recompute",
          entityType: "meter_read",
          entityId: r.id,
          before: { kwh: r.kwhBefore },
          after: { kwh: r.kwh, rollover: r.rollover > 0, because: `a read was put before it` },
        })),
      );
      return views;
    }),
  );
}

export interface ImportReport {
  lines: number;
  created: number;
  held: number;
  unchanged: number;
  refused: number;
  /** Every line held or refused, with its reason (created and unchanged lines are only counted). */
  problems: {
    line: number;
    meter_number: string;
    read_on: string;
    outcome: string;
    exception?: string | null;
    reason: string;
  }[];
}

/** How many reads one transaction of an import takes (a meter's reads always go together). */
const IMPORT_CHUNK = 2000;

/**
 * Imports register reads, set-based: the reads go in chunks of whole meters, each chunk one transaction of a few
 * statements (lock, timelines, billed check, insert, recompute, one audit row for the chunk). Lines that cannot be
 * taken are refused and the rest imported; exceptions are held; a line already on file is counted unchanged, so a
 * file can be imported again after a failure.
 */
export async function importReads(
  ctx: Ctx,
  items: readonly ReadItem[],
  meta: { file?: string; source?: string } = {},
): Promise<ImportReport> {
  const byMeter = new Map<string, ReadItem[]>();
  for (const i of items) {
    let list = byMeter.get(i.meterNumber);
    if (!list) {
      list = [];
      byMeter.set(i.meterNumber, list);
    }
    list.push(i);
  }
  const chunks: ReadItem[][] = [];
  let current: ReadItem[] = [];
  for (const list of byMeter.values()) {
    if (current.length > 0 && current.length + list.length > IMPORT_CHUNK) {
      chunks.push(current);
      current = [];
    }
    current.push(...list);
  }
  if (current.length > 0) chunks.push(current);

  const report: ImportReport = { lines: items.length, created: 0, held: 0, unchanged: 0, refused: 0, problems: [] };
  for (const [n, chunk] of chunks.entries()) {
    const outcomes = await guarded(() =>
      inTx(ctx, async (tx) => {
        const plan = await planAll(tx, chunk, meta.source ?? "import");
        await writePlan(tx, plan);
        const count = (o: string) => plan.outcomes.filter((x) => x.outcome === o).length;
        await audit(tx, {
          action: "meter_reads.import",
          entityType: "meter_reads_import",
          entityId: meta.file ?? "reads",
          after: {
            file: meta.file ?? null,
            chunk: n + 1,
            chunks: chunks.length,
            lines: chunk.length,
            created: count("created"),
            held: count("held"),
            unchanged: count("unchanged"),
            refused: count("refused"),
            recomputed: plan.recomputes.map((r) => ({ id: r.id, kwh_before: r.kwhBefore, kwh: r.kwh })),
          },
        });
        return plan.outcomes;
      }),
    );
    for (const o of outcomes) {
      report[o.outcome] += 1;
      if (o.outcome === "held" || o.outcome === "refused") {
        report.problems.push({
          line: o.key,
          meter_number: o.meter_number,
          read_on: o.read_on,
          outcome: o.outcome,
          ...(o.exception ? { exception: o.exception } : {}),
          reason: o.reason ?? o.outcome,
        });
      }
    }
  }
  report.problems.sort((a, b) => a.line - b.line);
  return report;
}

/** A meter's register reads, latest first (replaced ones only when asked). */
export async function listReads(
  ctx: Ctx,
  meterNumber: string,
  opts: { limit?: number; includeReplaced?: boolean; status?: string } = {},
): Promise<{ meter_number: string; reads: ReadView[] }> {
  const meter = await requireMeterByNumber(ctx, meterNumber);
  const rows = await ctx.database.rows<ViewRow>(
    ctx.db,
    sql`SELECT ${VIEW_COLUMNS} FROM ${meterReads} r JOIN meters m ON m.id = r.meter_id
        WHERE r.meter_id = ${meter.id}
          ${opts.includeReplaced ? sql`` : sql`AND r.status <> 'replaced'`}
          ${opts.status ? sql`AND r.status = ${opts.status}` : sql``}
        ORDER BY r.read_on DESC, r.id DESC LIMIT ${opts.limit ?? 100}`,
  );
  return { meter_number: meter.meterNumber, reads: rows.map(toView) };
}
