import { ApiError } from "../../api/client.js";

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** A price in dollars as the tariff writes it, every decimal kept: "0.33524" -> "$0.33524", "-58.2" -> "-$58.20". */
export function dollars(price: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(price.trim());
  if (!m) return price;
  const whole = group(m[2] || "0");
  const fraction = (m[3] ?? "").padEnd(2, "0");
  return `${m[1]}$${whole}.${fraction}`;
}

/** A decimal quantity with thousands separators: "12345.678" -> "12,345.678". */
export function quantity(q: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(q.trim());
  return m ? `${m[1]}${group(m[2]!)}${m[3] ?? ""}` : q;
}

/** A percentage as written: "35" -> "35%". */
export const percent = (p: string) => `${p}%`;

/** A code as words: "off_peak" -> "Off peak". */
export function words(code: string): string {
  const s = code.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A month number (1-12) as its short name. */
export const monthName = (m: number) => MONTHS[m - 1] ?? String(m);

/** "06-01" -> "Jun 1". */
export function monthDay(md: string): string {
  const m = /^(\d{2})-(\d{2})$/.exec(md);
  return m ? `${monthName(Number(m[1]))} ${Number(m[2])}` : md;
}

/** "2026-03-01" -> "Mar 2026". */
export function monthOf(date: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(date);
  return m ? `${monthName(Number(m[2]))} ${m[1]}` : date;
}

const pad = (n: number) => String(n).padStart(2, "0");
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
/** Days in month m (1-12) of year y. */
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A calendar month as first and last service day. */
export interface MonthSpan {
  from: string;
  to: string;
  label: string;
}

/** The `count` whole calendar months before the one `today` is in, oldest first. */
export function lastMonths(count: number, today = new Date()): MonthSpan[] {
  const spans: MonthSpan[] = [];
  for (let back = count; back >= 1; back--) {
    const index = today.getFullYear() * 12 + today.getMonth() - back;
    const y = Math.floor(index / 12);
    const m = (index % 12) + 1;
    spans.push({ from: iso(y, m, 1), to: iso(y, m, daysIn(y, m)), label: `${monthName(m)} ${y}` });
  }
  return spans;
}

/** Whether text is a real date written YYYY-MM-DD. */
export function isDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo);
}

/** Whether text is a quantity the API takes: a non-negative decimal. */
export const isQuantity = (text: string) => /^\d+(\.\d+)?$/.test(text.trim());

/**
 * A refused request's problems: those naming a field of the form (the form's `fieldOf` says which field a name
 * from the API is), and the rest, said above the form.
 */
export function problemsOf(
  error: unknown,
  fieldOf: (name: string) => string | null,
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  if (!error) return { byField, general };
  if (!(error instanceof ApiError)) return { byField, general: [(error as Error).message] };
  const listed = (error.problem.errors ?? []) as { field?: string; path?: string; message: string }[];
  for (const e of listed) {
    const name = e.field ?? e.path ?? "";
    const key = fieldOf(name);
    if (key) byField[key] ??= e.message;
    else general.push(name ? `${name}: ${e.message}` : e.message);
  }
  if (Object.keys(byField).length === 0 && general.length === 0) general.push(error.message);
  return { byField, general };
}

/** Reads a chosen file as JSON; a file that is not JSON is refused with a message that says so. */
export async function readJsonFile(file: File): Promise<unknown> {
  const text = await file.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file.name} is not a JSON file: ${(err as Error).message}`);
  }
}

/** A fraction as a percentage, exactly: "-0.35" -> "-35%", "0.075" -> "7.5%". */
export function fractionPercent(fraction: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(fraction.trim());
  if (!m) return fraction;
  const digits = `${m[2] ?? ""}${(m[3] ?? "").padEnd(2, "0")}`;
  const whole = digits.slice(0, (m[2] ?? "").length + 2).replace(/^0+(?=\d)/, "") || "0";
  const rest = digits.slice((m[2] ?? "").length + 2).replace(/0+$/, "");
  return `${m[1]}${whole}${rest ? `.${rest}` : ""}%`;
}
