import { Temporal } from "temporal-polyfill";

/** The business clock. Business logic asks it for "now" and "today", never SQL now(). */
export interface Clock {
  now(): Temporal.Instant;
  /** Today's business date in the utility's zone. */
  today(): Temporal.PlainDate;
  readonly timezone: string;
}

/** A clock that starts at `start` (KILOWATT_NOW) and runs on in real time from there; the system clock without it. */
export function systemClock(timezone: string, start?: string): Clock {
  const offsetMs = start ? Date.parse(start) - Date.now() : 0;
  const now = () => Temporal.Instant.fromEpochMilliseconds(Date.now() + offsetMs);
  return { timezone, now, today: () => now().toZonedDateTimeISO(timezone).toPlainDate() };
}

/** A clock that stands still until moved: for tests. */
export function fixedClock(instant: string, timezone = "America/Los_Angeles") {
  let current = Temporal.Instant.from(instant);
  return {
    timezone,
    now: () => current,
    today: () => current.toZonedDateTimeISO(timezone).toPlainDate(),
    set(next: string) {
      current = Temporal.Instant.from(next);
    },
    advance(duration: Temporal.DurationLike) {
      current = current.add(duration);
    },
  } satisfies Clock & Record<string, unknown>;
}

/** Milliseconds since the epoch of a timestamptz as the database prints it ('2026-01-02 03:04:05.123+00'). */
export const timestampMs = (value: string) => Date.parse(value.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));

/** A timestamptz as the database prints it, as ISO 8601 with offset. */
export const isoInstant = (value: string) => new Date(timestampMs(value)).toISOString();
