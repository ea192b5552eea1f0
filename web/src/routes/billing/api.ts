import { api } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";

/** The query keys of the billing pages: runs, one run's progress, the exception queue, one bill. */
export const BILLING_KEY = ["billing"] as const;
export const RUNS_KEY = [...BILLING_KEY, "runs"] as const;
export const runKey = (id: number) => [...RUNS_KEY, id] as const;
export const EXCEPTIONS_KEY = [...BILLING_KEY, "exceptions"] as const;
export const billKey = (id: number) => [...BILLING_KEY, "bill", id] as const;

/** A bill run and how far it got. */
export interface BillRun {
  id: number;
  /** "01" to "21" */
  cycle: string;
  bill_date: string;
  status: "running" | "completed";
  accounts_total: number;
  billed: number;
  held: number;
  skipped: number;
  skipped_why: Record<string, number>;
  started_at: string;
  finished_at: string | null;
  resumed: boolean;
}

/** A held bill in the exception queue. */
export interface HeldBill {
  bill_id: number;
  account_id: number;
  account_number: string;
  name: string;
  customer_class: string;
  bill_date: string;
  period: { from: string; to: string };
  status: string;
  total_cents: Cents;
  kwh: string;
  estimated: boolean;
  /** high_usage | consecutive_estimates | over_threshold | cannot_price | ... */
  exception: string | null;
  exception_note: string | null;
  held_since: string;
  version: number;
}

export interface HeldQueue {
  items: HeldBill[];
  /** How many bills are held for each reason (the whole queue, whatever the filter). */
  by_reason: Record<string, number>;
}

/** One line of a bill as the rate engine priced it. */
export interface BillLine {
  description: string;
  quantity: string;
  unit: string;
  price: string;
  amount_cents: Cents;
  kind: string;
  rule: string;
}

/** A register read at one end of a billed period. */
export interface BillRead {
  id?: number;
  read_on: string;
  reading: string;
  /** actual | estimated | customer */
  kind: string;
}

/** What a bill billed of one service agreement. */
export interface BillAgreement {
  sa_id: number;
  tariff_code: string;
  tariff_name?: string;
  meter_number?: string | null;
  multiplier?: string;
  period: { from: string; to: string };
  days?: number;
  reads?: { start: BillRead | null; end: BillRead | null };
  kwh: string;
  estimated?: boolean;
  lines: BillLine[];
  total_cents: Cents;
}

/** A bill with everything it printed (GET /bills/{id}). */
export interface Bill {
  id: number;
  account_id: number;
  account_number: string;
  bill_date: string;
  period_from: string;
  period_to: string;
  due_date: string;
  status: string;
  kwh: string;
  estimated: boolean;
  total_cents: Cents;
  amount_due_cents: Cents;
  exception: string | null;
  exception_note: string | null;
  rebill_of: number | null;
  rebilled_by: number | null;
  detail: { agreements: BillAgreement[]; messages?: string[] };
  version: number;
}

/** A register read as the metering API shows it. */
export interface MeterRead {
  id: number;
  meter_number: string;
  read_on: string;
  reading: string;
  kwh: string | null;
  kind: string;
  /** valid | exception | replaced */
  status: string;
  exception: string | null;
  exception_note: string | null;
  version: number;
}

export interface Released {
  bill_id: number;
  status: string;
  mail_date: string;
  due_date: string;
  version: number;
}

export interface Cancelled {
  bill_id: number;
  status: "cancelled";
  balance_cents: Cents | null;
  version: number;
}

export interface Rebilled {
  cancelled: Cancelled;
  bill_id: number;
  status: string;
  total_cents: Cents;
  exception: string | null;
  exception_note: string | null;
}

export const fetchRuns = (signal?: AbortSignal) => api.get<{ items: BillRun[] }>("/api/v1/bill-runs", { signal });

export const fetchRun = (id: number, signal?: AbortSignal) => api.get<BillRun>(`/api/v1/bill-runs/${id}`, { signal });

/** Starts (or resumes) the run of a cycle for a bill date; it goes on in the server (202). */
export const startRun = (body: { cycle: string; bill_date: string }) => api.post<BillRun>("/api/v1/bill-runs", body);

export const fetchHeld = (reason: string | null, signal?: AbortSignal) =>
  api.get<HeldQueue>("/api/v1/bill-exceptions", { signal, query: { limit: 500, reason: reason ?? undefined } });

export const fetchBill = (id: number, signal?: AbortSignal) => api.get<Bill>(`/api/v1/bills/${id}`, { signal });

/** The bill document (PDF) as the customer gets it. */
export const billPdfUrl = (id: number) => `/api/v1/bills/${id}/pdf`;

export const releaseBill = (id: number, body: { version: number; note?: string }) =>
  api.post<Released>(`/api/v1/bills/${id}/release`, body);

export const cancelBill = (id: number, body: { version: number; reason: string }) =>
  api.post<Cancelled>(`/api/v1/bills/${id}/cancel`, body);

export const rebillBill = (id: number, body: { version: number; reason: string }) =>
  api.post<Rebilled>(`/api/v1/bills/${id}/rebill`, body);

/** A meter's register reads, latest first. */
export const fetchMeterReads = (meterNumber: string, signal?: AbortSignal) =>
  api.get<{ reads: MeterRead[] }>(`/api/v1/meters/${encodeURIComponent(meterNumber)}/reads`, {
    signal,
    query: { limit: 50 },
  });

/** Replaces a read by a corrected reading on the same day (the old one is kept as replaced). */
export const replaceRead = (id: number, body: { version: number; reading: string; note?: string }) =>
  api.post<{ replaced: MeterRead; read: MeterRead }>(`/api/v1/reads/${id}/replace`, body);

/** Accepts a held read as it is. */
export const acceptRead = (id: number, body: { version: number; note?: string }) =>
  api.post<MeterRead>(`/api/v1/reads/${id}/accept`, body);
