import type { Address } from "../../api/accounts.js";

/** A code as words: "billing_question" -> "Billing question". */
export function words(code: string): string {
  const s = code.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A postal address on one line. */
export function addressLine(a: Address | null | undefined): string {
  if (!a) return "—";
  return [a.line1, a.line2, a.city, `${a.state} ${a.zip}`].filter(Boolean).join(", ");
}

/** A US number in E.164 as people read it: +19165550142 -> (916) 555-0142. */
export function phoneText(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}

/** An instant as local date and time. */
export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

const isAddress = (v: unknown): v is Address =>
  typeof v === "object" && v !== null && "line1" in v && "city" in v && "zip" in v;
const isPhone = (v: unknown): v is { number: string; label?: string } =>
  typeof v === "object" && v !== null && typeof (v as { number?: unknown }).number === "string";

/** Any value from an audit row as short text: phones and addresses as people write them, the rest as JSON. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (isAddress(v)) return addressLine(v);
  if (Array.isArray(v) && v.length > 0 && v.every(isPhone)) {
    return v.map((p) => `${phoneText(p.number)}${p.label ? ` (${p.label})` : ""}`).join("; ");
  }
  if (Array.isArray(v) && v.length === 0) return "none";
  return JSON.stringify(v);
}
