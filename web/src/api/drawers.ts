import { api } from "./client.js";
import type { Cents } from "./ledger.js";
import type { KeyedTender, Payment, PaymentRequest } from "./payments.js";

/** The tenders a cashier counts into the drawer. */
export const COUNTED_TENDERS = ["cash", "check", "money_order"] as const;
export type CountedTender = (typeof COUNTED_TENDERS)[number];

/** What the drawer's posted payments took by one tender, and what should be in the drawer for it. */
export interface DrawerTotal {
  tender_type: string;
  taken_cents: Cents;
  taken_count: number;
  /** Cash adds the float; null for cards and ACH, which go to the bank directly. */
  expected_cents: Cents | null;
  counted: boolean;
}

export interface DrawerCount {
  tender_type: CountedTender;
  expected_cents: Cents;
  counted_cents: Cents;
  over_short_cents: Cents;
  expected_count: number | null;
  counted_count: number | null;
}

export interface DrawerPayment {
  id: number;
  status: string;
  channel: string;
  total_cents: Cents;
  taken_by: string;
  recorded_at: string;
  reversed_on: string | null;
  accounts: { account_id: number; account_number: string }[];
  tenders: { type: string; amount_cents: Cents; gl_account: string; description: string }[];
}

/** A drawer as the list shows it. */
export interface DrawerSummary {
  id: number;
  location: string;
  cashier: string;
  cashier_name: string;
  business_date: string;
  float_cents: Cents;
  /** open | closed | signed_off */
  status: string;
  opened_at: string;
  closed_at: string | null;
  closed_by: string | null;
  expected_cents: Cents;
  over_short_cents: Cents | null;
  deposit_cents: Cents | null;
  close_note: string | null;
  signed_off_by: string | null;
  signed_off_at: string | null;
  sign_off_note: string | null;
  version: number;
}

export interface Drawer extends DrawerSummary {
  totals: DrawerTotal[];
  counts: DrawerCount[] | null;
  payments: DrawerPayment[];
}

export interface CloseRequest {
  counts: {
    cash: { counted_cents: number };
    check: { counted_cents: number; count?: number };
    money_order: { counted_cents: number; count?: number };
  };
  note?: string;
  version: number;
}

const withKey = (key: string) => ({ headers: { "idempotency-key": key } });

/** The signed-in cashier's open drawer (an ApiError 404 when there is none). */
export const fetchCurrentDrawer = (signal?: AbortSignal) => api.get<Drawer>("/api/v1/drawers/current", { signal });

export const fetchDrawer = (id: number, signal?: AbortSignal) => api.get<Drawer>(`/api/v1/drawers/${id}`, { signal });

/** Drawers, newest first: every cashier's for a supervisor, else one's own. */
export const fetchDrawers = (query: { status?: string; date?: string }, signal?: AbortSignal) =>
  api.get<{ drawers: DrawerSummary[] }>("/api/v1/drawers", { signal, query });

export const openDrawer = (body: { location: string; float_cents: number }, key: string) =>
  api.post<Drawer>("/api/v1/drawers", body, withKey(key));

export const closeDrawer = (id: number, body: CloseRequest, key: string) =>
  api.post<Drawer>(`/api/v1/drawers/${id}/close`, body, withKey(key));

export const signOffDrawer = (id: number, body: { note?: string; version: number }) =>
  api.post<Drawer>(`/api/v1/drawers/${id}/sign-off`, body);

export const drawerReportUrl = (id: number) => `/api/v1/drawers/${id}/report.pdf`;
export const depositSlipUrl = (id: number) => `/api/v1/drawers/${id}/deposit-slip.pdf`;

/** Query keys: the current drawer, and the lists (both refresh after a payment or a close). */
export const drawerKeys = { current: ["drawer", "current"] as const, all: ["drawer"] as const };

/** A counter payment: the keyed tenders, or cash into the cashier's open drawer. */
export type CounterTender = KeyedTender | { type: "cash" };
export interface CounterPaymentRequest extends Omit<PaymentRequest, "tender"> {
  tender: CounterTender;
  drawer_id?: number;
}

/** Takes a payment that may be cash (into the drawer it names); `key` is the attempt's Idempotency-Key. */
export const takeCounterPayment = (body: CounterPaymentRequest, key: string) =>
  api.post<Payment>("/api/v1/payments", body, withKey(key));
