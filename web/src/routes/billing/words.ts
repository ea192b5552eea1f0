import { words } from "../account/format.js";
import { money } from "../account/money.js";

/** Why bills are held, as an analyst says it. */
const REASONS: Record<string, string> = {
  high_usage: "High usage",
  consecutive_estimates: "Estimated too often",
  over_threshold: "Over the limit",
  cannot_price: "Cannot be priced",
  negative_usage: "Negative usage",
  low_usage: "Low usage",
  read_exception: "Read held",
};

/** A hold reason in words: "high_usage" -> "High usage". */
export const reasonLabel = (reason: string | null) => (reason ? (REASONS[reason] ?? words(reason)) : "Held");

/** A hold note in plain words: cents as dollars ("charges of 9123 cents" -> "charges of $91.23"). */
export const plainNote = (note: string | null) =>
  (note ?? "")
    .replace(/(-?\d+) cents/g, (_, cents: string) => money(BigInt(cents)))
    .replace(/ (\d+(?:\.\d+)?)x\)/g, " $1×)");

/** A count with its noun: 1 bill, 3 bills. */
export const count = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** kWh as people read them: "1234.500" -> "1,234.5". */
export const kwhText = (kwh: string) => Number(kwh).toLocaleString("en-US", { maximumFractionDigits: 3 });

/** A timestamp as the database or API writes it ("2026-03-02 17:00:00.12+00", ISO) as local date and time. */
export function stamp(text: string | null): string {
  if (!text) return "—";
  const iso = text.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return text;
  return d.toLocaleString("en-US", {
    month: "short",
    day: "numeric",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
  });
}

/** Today's date where the analyst sits, as YYYY-MM-DD. */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
