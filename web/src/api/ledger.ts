import { api } from "./client.js";

/** Cents as the API sends them: a JSON integer (bigint on the server). Never used for arithmetic beyond sums. */
export type Cents = number;

/** What an account owes as of the business date `as_of`. */
export interface Balances {
  account_id: number;
  as_of: string;
  /** Open items less unapplied credits; positive = the customer owes. */
  balance_cents: Cents;
  /** Billed open items less unapplied credits. */
  amount_due_cents: Cents;
  /** Open items whose due date has passed. */
  past_due_cents: Cents;
  unbilled_cents: Cents;
  unapplied_credit_cents: Cents;
  aging: {
    current_cents: Cents;
    days_1_30_cents: Cents;
    days_31_60_cents: Cents;
    days_61_90_cents: Cents;
    days_91_plus_cents: Cents;
  };
}

/** A clearing of an item by a credit (undone when `undone_by_entry_id` is set). */
export interface Match {
  id: number;
  item_id: number;
  credit_id: number;
  amount_cents: Cents;
  accounting_date: string;
  entry_id: number;
  undone_by_entry_id: number | null;
}

/** A receivable item: one charge on the account, by category, with its service period and due date. */
export interface ReceivableItem {
  id: number;
  category: string;
  service_period: { from: string; to: string } | null;
  /** Null until the charge is billed. */
  due_date: string | null;
  accounting_date: string;
  original_cents: Cents;
  open_cents: Cents;
  status: "open" | "cleared" | "reversed";
  reference: string;
  description: string;
  matches: Match[];
}

/** A credit (payment, credit adjustment, ...); `unapplied_cents` is what no item has consumed yet. */
export interface ReceivableCredit {
  id: number;
  kind: string;
  accounting_date: string;
  original_cents: Cents;
  unapplied_cents: Cents;
  status: "unapplied" | "applied" | "reversed";
  reference: string;
  description: string;
  matches: Match[];
}

export interface AccountItems {
  account_id: number;
  items: ReceivableItem[];
  credits: ReceivableCredit[];
}

/** One receivable or unapplied posting, with the account's balance after its entry. */
export interface LedgerPosting {
  posting_id: number;
  entry_id: number;
  /** charge | credit | clearing | reset | reversal | general */
  kind: string;
  accounting_date: string;
  recorded_at: string;
  reference: string;
  description: string;
  reverses_entry_id: number | null;
  gl_account: string;
  item_id: number | null;
  credit_id: number | null;
  amount_cents: Cents;
  running_balance_cents: Cents;
}

/** The latest postings, oldest first; `complete` is false when older ones were left out. */
export interface AccountLedger {
  account_id: number;
  postings: LedgerPosting[];
  complete: boolean;
}

/** How many postings the ledger tab asks for. */
export const LEDGER_LIMIT = 200;

/** Every query about an account's money starts with this key, so one invalidation refreshes them all. */
export const moneyKey = (accountId: number) => ["money", accountId] as const;

/** Balance, amount due, past due and aging, as of today's business date. */
export const fetchBalances = (accountId: number, signal?: AbortSignal) =>
  api.get<Balances>(`/api/v1/accounts/${accountId}/balances`, { signal });

/** The open receivable items and unapplied credits. */
export const fetchOpenItems = (accountId: number, signal?: AbortSignal) =>
  api.get<AccountItems>(`/api/v1/accounts/${accountId}/items`, { signal, query: { status: "open" } });

/** The account's latest ledger postings with the running balance. */
export const fetchLedger = (accountId: number, signal?: AbortSignal) =>
  api.get<AccountLedger>(`/api/v1/accounts/${accountId}/ledger`, { signal, query: { limit: LEDGER_LIMIT } });
