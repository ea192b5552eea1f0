/**
 * Calendar arithmetic for the rate engine as plain integers: days since 1970-01-01 (epoch days) and civil dates,
 * so pricing a bill's days never builds date objects. Time-zone offsets come from Temporal once per transition.
 */
import { Temporal } from "temporal-polyfill";

export interface Civil {
  y: number;
  m: number;
  d: number;
}

/** Epoch day of a civil date (proleptic Gregorian). */
export function epochDay(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of an epoch day. */
export function civil(day: number): Civil {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

export const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const daysInMonth = (y: number, m: number) => (m === 2 && isLeap(y) ? 29 : (DAYS[m - 1] ?? 30));

/** 0 = Sunday ... 6 = Saturday. */
export const weekday = (day: number) => (((day + 4) % 7) + 7) % 7;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD string as an epoch day, or undefined if it is not a real date. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return epochDay(y, mo, d);
}

export function isoDate(day: number): string {
  const c = civil(day);
  return `${String(c.y).padStart(4, "0")}-${String(c.m).padStart(2, "0")}-${String(c.d).padStart(2, "0")}`;
}

/** UTC offsets of one time zone as a sorted list of [fromMs, offsetMs), built from Temporal once per range. */
export class ZoneOffsets {
  private starts: number[] = [];
  private offsets: number[] = [];
  private from = Number.POSITIVE_INFINITY;
  private to = Number.NEGATIVE_INFINITY;

  constructor(readonly zone: string) {}

  /** Makes sure [fromMs, toMs] is covered. */
  private cover(fromMs: number, toMs: number): void {
    if (fromMs >= this.from && toMs <= this.to) return;
    const start = Math.min(fromMs, this.from) - 400 * 86_400_000;
    const end = Math.max(toMs, this.to === Number.NEGATIVE_INFINITY ? toMs : this.to) + 400 * 86_400_000;
    const starts: number[] = [start];
    let zdt = Temporal.Instant.fromEpochMilliseconds(start).toZonedDateTimeISO(this.zone);
    const offsets: number[] = [zdt.offsetNanoseconds / 1e6];
    for (;;) {
      const next = zdt.getTimeZoneTransition("next");
      if (!next || next.epochMilliseconds > end) break;
      starts.push(next.epochMilliseconds);
      offsets.push(next.offsetNanoseconds / 1e6);
      zdt = next;
    }
    this.starts = starts;
    this.offsets = offsets;
    this.from = start;
    this.to = end;
  }

  /** Index of the offset span holding ms (call `ensure` first). */
  private index(ms: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A cursor over ascending instants: offset(ms) in O(1) amortised. */
  cursor(fromMs: number, toMs: number): (ms: number) => number {
    this.cover(fromMs, toMs);
    let i = this.index(fromMs);
    const starts = this.starts;
    const offsets = this.offsets;
    let nextStart = starts[i + 1] ?? Number.POSITIVE_INFINITY;
    let spanStart = starts[i] ?? Number.NEGATIVE_INFINITY;
    let offset = offsets[i] ?? 0;
    return (ms: number) => {
      if (ms >= nextStart || ms < spanStart) {
        i = this.index(ms);
        spanStart = starts[i] ?? Number.NEGATIVE_INFINITY;
        nextStart = starts[i + 1] ?? Number.POSITIVE_INFINITY;
        offset = offsets[i] ?? 0;
      }
      return offset;
    };
  }

  /** The epoch ms at which a local calendar day begins (its first instant). */
  startOfDay(day: number): number {
    const c = civil(day);
    return Temporal.PlainDate.from({ year: c.y, month: c.m, day: c.d })
      .toZonedDateTime({ timeZone: this.zone })
      .toInstant().epochMilliseconds;
  }
}

const zones = new Map<string, ZoneOffsets>();
/** One shared offset table per zone. */
export function zoneOffsets(zone: string): ZoneOffsets {
  let z = zones.get(zone);
  if (!z) {
    z = new ZoneOffsets(zone);
    zones.set(zone, z);
  }
  return z;
}

/** Whether the IANA zone is known. */
export function isTimeZone(zone: string): boolean {
  try {
    Temporal.Now.instant().toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}
