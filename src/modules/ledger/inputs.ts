import { z } from "zod";

/** What a receivable item is for; each has a default GL account it credits (see chart.ts). */
export const ITEM_CATEGORIES = [
  "energy",
  "delivery",
  "tax",
  "fee",
  "deposit",
  "adjustment",
  "refund",
  "transfer",
  "recovery",
  "level_pay",
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

/** What a credit is; each has a default GL account it debits (see chart.ts). */
export const CREDIT_KINDS = [
  "payment",
  "credit_adjustment",
  "write_off",
  "forgiveness",
  "transfer",
  "deposit_application",
  "level_pay_deferral",
] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

/** A charge on an account: one receivable item, posted Dr receivables / Cr `gl_credit_account`. */
export interface ChargeInput {
  account_id: number;
  category: ItemCategory;
  amount_cents: bigint;
  service_period?: { from: string; to: string } | null;
  /** Null until the charge is billed. */
  due_date?: string | null;
  /** A GL account code; the category's default when omitted. */
  gl_credit_account?: string;
  /** Where the charge comes from ("bill:123", "fee:reconnect:45"). */
  reference: string;
  description?: string;
}

/** A credit on an account, posted Dr `gl_debit_account` / Cr unapplied cash, then matched to items. */
export interface CreditInput {
  account_id: number;
  kind: CreditKind;
  amount_cents: bigint;
  /** A GL account code; the kind's default when omitted (a payment: bank clearing). */
  gl_debit_account?: string;
  /** Match these items, in this order, instead of oldest due first; what is left stays unapplied. */
  directed_item_ids?: number[];
  reference: string;
  description?: string;
}

/** A posting of a general (GL-only) entry: debit positive, credit negative. */
export interface GeneralPosting {
  gl_account: string;
  amount_cents: bigint;
  account_id?: number | null;
}

/** A GL-only entry (a drawer deposited to the bank, a tax remittance): it may not touch an account's balance. */
export interface GeneralEntryInput {
  description: string;
  reference: string;
  postings: GeneralPosting[];
}

export const itemsQuery = z.object({
  status: z.enum(["open", "all"]).default("all"),
});
export const ledgerQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
