/** Turns an API field name into words: "customer_class" -> "Customer class", "balance_cents" -> "Balance". */
export function fieldLabel(name: string): string {
  const words = name.replace(/_cents$/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Integer cents as dollars without floating point: -1234 -> "-$12.34". */
export function formatCents(cents: number | string): string {
  const s = String(cents);
  const negative = s.startsWith("-");
  const digits = (negative ? s.slice(1) : s).padStart(3, "0");
  const dollars = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${dollars}.${digits.slice(-2)}`;
}

/** A scalar as a person reads it. */
export function formatValue(name: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (name.endsWith("_cents") && (typeof value === "number" || typeof value === "string")) return formatCents(value);
  if (typeof value === "string" && /^[a-z]+(_[a-z]+)*$/.test(value)) return value.replace(/_/g, " ");
  return String(value);
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
