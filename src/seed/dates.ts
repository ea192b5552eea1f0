import type { Rng } from "./random.js";

/** Business dates as epoch days, and their text as the database prints them. */
export const DAY_MS = 86_400_000;
export const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
// Dates are formatted millions of times: remember each day's text (epoch days 0..~30,000 cover 1970-2050).
const isoCache: string[] = [];
export const iso = (day: number) => (isoCache[day] ??= new Date(day * DAY_MS).toISOString().slice(0, 10));
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
/** A contact timestamp during Pacific business hours, as the database prints timestamptz. */
export const instant = (day: number, rng: Rng) => {
  const minutes = rng.int(16 * 60, 25 * 60 + 30); // 08:00-17:30 PT expressed in UTC minutes from midnight
  const d = minutes >= 1440 ? day + 1 : day;
  const m = minutes % 1440;
  return `${iso(d)} ${two(Math.floor(m / 60))}:${two(m % 60)}:${two(rng.int(0, 59))}+00`;
};
/** A timestamp on a business date, `from` minutes after midnight UTC plus up to `span` minutes, as the database prints it. */
export const stampAt = (day: number, rng: Rng, from: number, span: number) => {
  const minutes = from + rng.int(0, span);
  const d = day + Math.floor(minutes / 1440);
  const m = minutes % 1440;
  return `${iso(d)} ${two(Math.floor(m / 60))}:${two(m % 60)}:${two(rng.int(0, 59))}+00`;
};
