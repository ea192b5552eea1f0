import { Decimal } from "decimal.js";
import { Temporal } from "temporal-polyfill";
import type { ReadValidation } from "./settings.js";

// How a register read is judged against the meter's other reads at the same service point, as pure functions over
// the meter's timeline: the usage since the previous valid read (a rollover of the dials, or negative usage held as
// an exception), high or low usage against the recent periods, a duplicate day, and a read dated before later reads
// (which recomputes the next valid read's usage, or is refused when that read is billed or would go negative).

/** A read already on the meter's timeline (not replaced). */
export interface TimelineRead {
  id: number;
  readOn: string;
  reading: string;
  kwh: string | null;
  kind: string;
  status: "valid" | "exception";
  rollover: number;
  version: number;
}

export interface MeterFacts {
  meterId: number;
  meterNumber: string;
  servicePointId: number;
  multiplier: string;
  /** Dials of the kWh register; null when the meter has none recorded (no rollover, no digit check). */
  dials: number | null;
}

export interface IncomingRead {
  /** The caller's handle for it (a file line, a list index). */
  key: number;
  readOn: string;
  reading: string;
  demandKw: string | null;
  kind: "actual" | "customer" | "estimated";
}

export type ReadDecision =
  | {
      key: number;
      outcome: "created";
      read: IncomingRead;
      status: "valid" | "exception";
      kwh: string | null;
      rollover: 0 | 1;
      exception: string | null;
      exceptionNote: string | null;
    }
  | { key: number; outcome: "unchanged"; existingId: number }
  | { key: number; outcome: "refused"; status: 400 | 409 | 422; rule: string; reason: string };

/** The next valid read's usage, recomputed because a read was put before it. */
export interface Recompute {
  id: number;
  readOn: string;
  version: number;
  kwhBefore: string | null;
  kwh: string;
  rollover: 0 | 1;
}

const DAY = (iso: string) => Temporal.PlainDate.from(iso);
/** Whole days from one read to the next (the length of the period the later one closes). */
export const daysFrom = (earlier: string, later: string) => DAY(earlier).until(DAY(later)).days;

const num = (d: Decimal) => d.toFixed();
const rate = (d: Decimal) => d.toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1);

export type Usage = { ok: true; dialUnits: Decimal; rollover: 0 | 1 } | { ok: false; dialUnits: Decimal; note: string };

/**
 * The dial units registered from `prev` to `reading`: their difference, or, when the reading is lower, a rollover of
 * the dials when the previous reading was near the top of the range (10^dials) and the new one near zero; anything
 * else lower is negative usage, explained with the figures.
 */
export function dialUsage(prev: string, reading: string, dials: number | null, band: number, prevOn: string): Usage {
  const a = new Decimal(prev);
  const b = new Decimal(reading);
  const diff = b.minus(a);
  if (diff.gte(0)) return { ok: true, dialUnits: diff, rollover: 0 };
  if (dials !== null) {
    const range = new Decimal(10).pow(dials);
    const top = range.times(1 - band);
    const bottom = range.times(band);
    if (a.gte(top) && b.lt(bottom)) return { ok: true, dialUnits: b.plus(range).minus(a), rollover: 1 };
    return {
      ok: false,
      dialUnits: diff,
      note:
        `reading ${num(b)} is lower than the previous reading ${num(a)} of ${prevOn}: ${num(diff)} on the dials, ` +
        `and not a rollover of the ${dials} dials (that needs the previous reading at ${num(top)} or more and the ` +
        `new one below ${num(bottom)})`,
    };
  }
  return {
    ok: false,
    dialUnits: diff,
    note: `reading ${num(b)} is lower than the previous reading ${num(a)} of ${prevOn}: ${num(diff)} on the dials (the meter's dials are not recorded, so no rollover is assumed)`,
  };
}

/** Why a reading cannot be a reading of this meter at all, or null. */
export function readingProblem(reading: string, dials: number | null): string | null {
  let d: Decimal;
  try {
    d = new Decimal(reading);
  } catch {
    return `reading "${reading}" is not a number`;
  }
  if (!d.isFinite() || d.isNegative()) return `reading "${reading}" must be zero or more`;
  if (d.decimalPlaces() > 3) return `reading "${reading}" has more than 3 decimals`;
  if (dials !== null && d.gte(new Decimal(10).pow(dials)))
    return `reading ${reading} has more digits than the meter's ${dials} dials`;
  return null;
}

interface Period {
  days: number;
  kwh: Decimal;
}

/** The last `n` periods closed by actual or customer reads, from the valid reads (oldest first) before a day. */
function recentPeriods(valid: readonly TimelineRead[], n: number): Period[] {
  const out: Period[] = [];
  for (let i = valid.length - 1; i > 0 && out.length < n; i--) {
    const r = valid[i]!;
    if (r.kwh === null || (r.kind !== "actual" && r.kind !== "customer")) continue;
    const days = daysFrom(valid[i - 1]!.readOn, r.readOn);
    if (days > 0) out.push({ days, kwh: new Decimal(r.kwh) });
  }
  return out;
}

/** high_usage or low_usage against the recent periods, with the figures; null when usage is in range or unknown. */
export function usageCheck(
  kwh: Decimal,
  days: number,
  history: readonly TimelineRead[],
  v: ReadValidation,
): { exception: string; note: string } | null {
  const periods = recentPeriods(history, v.history_periods);
  if (periods.length < v.history_periods || days <= 0) return null;
  const total = periods.reduce((s, p) => s.plus(p.kwh), new Decimal(0));
  const spanned = periods.reduce((s, p) => s + p.days, 0);
  const average = total.dividedBy(spanned);
  if (average.lte(0)) return null;
  const daily = kwh.dividedBy(days);
  const what = `${rate(daily)} kWh a day over ${days} days`;
  const against = `the average ${rate(average)} kWh a day of the last ${periods.length} periods`;
  if (daily.gt(average.times(v.high_factor)))
    return { exception: "high_usage", note: `${what} is more than ${v.high_factor} x ${against}` };
  if (daily.lt(average.times(v.low_factor)))
    return { exception: "low_usage", note: `${what} is less than ${v.low_factor} x ${against}` };
  return null;
}

/**
 * Judges new reads of one meter at one service point against its timeline (the reads not replaced, oldest first:
 * every read from the earliest new day on, and enough valid reads before it for the history). New reads are taken in
 * day order; each valid one joins the timeline for those after it. `billed` holds ids of reads that close a billed
 * period: their usage may not change, so a read put before one of them is refused.
 */
export function planReads(
  meter: MeterFacts,
  timeline: readonly TimelineRead[],
  incoming: readonly IncomingRead[],
  v: ReadValidation,
  billed: ReadonlySet<number>,
): { decisions: ReadDecision[]; recomputes: Recompute[] } {
  const mult = new Decimal(meter.multiplier);
  // The valid reads, as the plan goes: existing ones and the new valid ones (id -1).
  const valid: TimelineRead[] = timeline.filter((r) => r.status === "valid").map((r) => ({ ...r }));
  const taken = new Map<string, TimelineRead | IncomingRead>(timeline.map((r) => [r.readOn, r]));
  const recomputes = new Map<number, Recompute>();
  const decisions: ReadDecision[] = [];
  const ordered = [...incoming].sort((a, b) => a.readOn.localeCompare(b.readOn) || a.key - b.key);

  for (const read of ordered) {
    const refuse = (status: 400 | 409 | 422, rule: string, reason: string) =>
      decisions.push({ key: read.key, outcome: "refused", status, rule, reason });
    const problem = readingProblem(read.reading, meter.dials);
    if (problem) {
      refuse(400, "reading", problem);
      continue;
    }
    const same = taken.get(read.readOn);
    if (same) {
      if ("id" in same) {
        if (new Decimal(same.reading).eq(read.reading) && same.kind === read.kind) {
          decisions.push({ key: read.key, outcome: "unchanged", existingId: same.id });
        } else {
          refuse(
            409,
            "read.duplicate_day",
            `meter ${meter.meterNumber} already has a read on ${read.readOn} (reading ${same.reading}, ${same.status}); ` +
              "replace that read instead",
          );
        }
      } else {
        refuse(
          409,
          "read.duplicate_day",
          `meter ${meter.meterNumber} has another read on ${read.readOn} in the same batch`,
        );
      }
      continue;
    }

    const at = valid.findIndex((r) => r.readOn > read.readOn);
    const before = at < 0 ? valid : valid.slice(0, at);
    const prev = before[before.length - 1];
    const next = at < 0 ? undefined : valid[at];

    let status: "valid" | "exception" = "valid";
    let kwh: Decimal | null = null;
    let rollover: 0 | 1 = 0;
    let exception: string | null = null;
    let note: string | null = null;
    if (prev) {
      const u = dialUsage(prev.reading, read.reading, meter.dials, v.rollover_band, prev.readOn);
      kwh = u.dialUnits.times(mult);
      if (!u.ok) {
        status = "exception";
        exception = "negative_usage";
        note = `${u.note}; ${num(kwh)} kWh`;
      } else {
        rollover = u.rollover;
        const check = usageCheck(kwh, daysFrom(prev.readOn, read.readOn), before, v);
        if (check) {
          status = "exception";
          exception = check.exception;
          note = check.note;
        }
        if (rollover && !check) note = `the dials rolled over past ${num(new Decimal(10).pow(meter.dials!))}`;
      }
    }

    let recompute: Recompute | null = null;
    if (status === "valid" && next) {
      if (billed.has(next.id)) {
        refuse(
          422,
          "read.before_billed_read",
          `a read on ${read.readOn} falls before the read of ${next.readOn}, which closes a billed period: cancel ` +
            "and rebill that bill first",
        );
        continue;
      }
      const u = dialUsage(read.reading, next.reading, meter.dials, v.rollover_band, read.readOn);
      if (!u.ok) {
        refuse(
          422,
          "read.makes_next_negative",
          `reading ${read.reading} on ${read.readOn} is higher than the next read's ${next.reading} on ${next.readOn}, ` +
            "whose usage would go negative",
        );
        continue;
      }
      recompute = {
        id: next.id,
        readOn: next.readOn,
        version: next.version,
        kwhBefore: recomputes.get(next.id)?.kwhBefore ?? next.kwh,
        kwh: num(u.dialUnits.times(mult)),
        rollover: u.rollover,
      };
    }

    decisions.push({
      key: read.key,
      outcome: "created",
      read,
      status,
      kwh: kwh === null ? null : num(kwh),
      rollover,
      exception,
      exceptionNote: note,
    });
    taken.set(read.readOn, read);
    if (status === "valid") {
      const entry: TimelineRead = {
        id: -1,
        readOn: read.readOn,
        reading: read.reading,
        kwh: kwh === null ? null : num(kwh),
        kind: read.kind,
        status: "valid",
        rollover,
        version: 1,
      };
      valid.splice(at < 0 ? valid.length : at, 0, entry);
      if (recompute) {
        recomputes.set(recompute.id, recompute);
        next!.kwh = recompute.kwh;
        next!.rollover = recompute.rollover;
      }
    }
  }
  return { decisions, recomputes: [...recomputes.values()] };
}
