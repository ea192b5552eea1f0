import type { Cents, LedgerPosting } from "../../api/ledger.js";
import { formatCents } from "./fields.js";
import { words } from "./format.js";

/** Cents as dollars ("$1,234.56", "-$12.00"): the one way the workstation writes money. */
export const money = (cents: Cents | bigint) => formatCents(String(cents));

/** Dollars as typed ("123.45", "$1,234.5", "12") to integer cents, without floating point; null if not an amount. */
export function parseDollars(text: string): bigint | null {
  const m = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{0,2}))?$/.exec(text.trim());
  if (!m || (m[1] === undefined && !m[2])) return null;
  const dollars = BigInt((m[1] ?? "0").replace(/,/g, ""));
  const cents = BigInt((m[2] ?? "").padEnd(2, "0"));
  return dollars * 100n + cents;
}

/** Splits cents into n installments as the server does: the first carries the remainder. */
export function installmentsOf(amount: bigint, n: number): bigint[] {
  const each = amount / BigInt(n);
  return Array.from({ length: n }, (_, i) => (i === 0 ? amount - each * BigInt(n - 1) : each));
}

/** Integer cents as an amount for a text field: 12345 -> "123.45" (no sign, no separators). */
export function dollarsText(cents: Cents | bigint): string {
  const s = String(cents).replace(/^-/, "").padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** One journal entry of the account as the ledger tab shows it: its postings' net effect on the balance. */
export interface LedgerEntry {
  entry_id: number;
  kind: string;
  accounting_date: string;
  reference: string;
  what: string;
  /** The entry's change to the balance (a clearing moves money between items and credits: zero). */
  change: bigint;
  balance_after: Cents;
}

/** What an entry was, in words; a clearing says how much it applied. */
function describe(kind: string, description: string, applied: bigint): string {
  const text = description ? words(description) : "";
  switch (kind) {
    case "charge":
      return `Charge: ${text}`;
    case "credit":
      return `Credit: ${text}`;
    case "clearing":
      return `Credit applied to items: ${money(applied)}`;
    case "reset":
      return `Application to items undone: ${money(applied)}`;
    case "reversal":
      return `Reversal: ${text}`;
    default:
      return text || words(kind);
  }
}

/** Groups the ledger's postings (oldest first) into entries, newest first. Sums are exact (bigint). */
export function ledgerEntries(postings: LedgerPosting[]): LedgerEntry[] {
  const byEntry = new Map<number, LedgerPosting[]>();
  for (const p of postings) byEntry.set(p.entry_id, [...(byEntry.get(p.entry_id) ?? []), p]);
  const entries = [...byEntry.values()].map((lines): LedgerEntry => {
    const first = lines[0]!;
    const change = lines.reduce((sum, l) => sum + BigInt(l.amount_cents), 0n);
    // In a clearing, the unapplied-credit side carries the amount applied (positive) and the item side its mirror.
    const applied = lines.filter((l) => l.credit_id !== null).reduce((sum, l) => sum + BigInt(l.amount_cents), 0n);
    return {
      entry_id: first.entry_id,
      kind: first.kind,
      accounting_date: first.accounting_date,
      reference: first.reference,
      what: describe(first.kind, first.description, applied < 0n ? -applied : applied),
      change,
      balance_after: lines[lines.length - 1]!.running_balance_cents,
    };
  });
  return entries.reverse();
}
