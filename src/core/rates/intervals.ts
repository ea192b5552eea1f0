/** Interval data in: CSV `start,kwh` (ISO 8601 starts with an offset) or rows, checked and held as exact integers. */
import { type IntervalSeries, RateError } from "./types.js";

const START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const KWH = /^(\d{1,9})(?:\.(\d{1,6}))?$/;

export interface IntervalRow {
  start: string;
  kwh: string;
}

/** Parses intervals; `where(i)` names the i-th row in errors ("line 5", "intervals[3]"). */
function build(rows: IntervalRow[], where: (i: number) => string): IntervalSeries {
  const n = rows.length;
  if (n < 2) throw new RateError("intervals", "need at least two intervals to tell their length");
  const start = new Float64Array(n);
  const micro = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const s = String(r.start).trim();
    const t = START.test(s) ? Date.parse(s) : Number.NaN;
    if (Number.isNaN(t))
      throw new RateError(
        where(i),
        `start "${s}" must be an ISO 8601 time with its offset, e.g. 2026-03-01T00:00:00-08:00`,
      );
    const k = String(r.kwh).trim();
    const m = KWH.exec(k);
    if (!m) {
      const why = k.startsWith("-")
        ? "is negative (exported energy is not priced here)"
        : "must be a decimal kWh with at most 6 decimals";
      throw new RateError(where(i), `kwh "${k}" ${why}`);
    }
    start[i] = t;
    micro[i] = Number(m[1]) * 1e6 + Number((m[2] ?? "").padEnd(6, "0"));
  }
  const order = [...start.keys()];
  let sorted = true;
  for (let i = 1; i < n; i++) if (start[i]! < start[i - 1]!) sorted = false;
  if (!sorted) order.sort((a, b) => start[a]! - start[b]!);
  // The length is the commonest step between starts (the longer on a tie); any shorter step is an overlap.
  const steps = new Map<number, number>();
  for (let i = 1; i < n; i++) {
    const step = start[order[i]!]! - start[order[i - 1]!]!;
    if (step > 0) steps.set(step, (steps.get(step) ?? 0) + 1);
  }
  let length = 0;
  let best = 0;
  for (const [step, c] of steps) if (c > best || (c === best && step > length)) [length, best] = [step, c];
  if (length === 0 || length % 60_000 !== 0 || length > 86_400_000)
    throw new RateError("intervals", "interval length must be whole minutes up to a day");
  for (let i = 1; i < n; i++) {
    const a = order[i - 1]!;
    const b = order[i]!;
    if (start[b]! - start[a]! < length)
      throw new RateError(
        where(b),
        `the interval starting ${rows[b]!.start} overlaps the one starting ${rows[a]!.start} (intervals are ${length / 60_000} minutes)`,
      );
  }
  return {
    startMs: sorted ? start : Float64Array.from(order, (i) => start[i]!),
    microKwh: sorted ? micro : Float64Array.from(order, (i) => micro[i]!),
    minutes: length / 60_000,
  };
}

/** Intervals from JSON rows `{ start, kwh }`. */
export function intervalsFromRows(rows: IntervalRow[]): IntervalSeries {
  return build(rows, (i) => `intervals[${i}]`);
}

/** Intervals from CSV text with the header `start,kwh`. */
export function parseIntervalsCsv(text: string): IntervalSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "")
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replaceAll(" ", "");
  if (header !== "start,kwh") throw new RateError("line 1", `the header must be "start,kwh", not "${lines[0] ?? ""}"`);
  const rows: IntervalRow[] = [];
  const lineNo: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === "") continue;
    const comma = l.indexOf(",");
    if (comma < 0 || l.indexOf(",", comma + 1) >= 0)
      throw new RateError(`line ${i + 1}`, "needs two fields: start,kwh");
    rows.push({ start: l.slice(0, comma), kwh: l.slice(comma + 1) });
    lineNo.push(i + 1);
  }
  return build(rows, (i) => `line ${lineNo[i]}`);
}
