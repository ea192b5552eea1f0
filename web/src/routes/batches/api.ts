import { api, request } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";
import { newIdempotencyKey } from "../../api/payments.js";
import { searchAccounts } from "../../api/search.js";

/** check | money_order: the tender every payment of the batch was paid by. */
export type BatchTender = "check" | "money_order";

/** A batch without its rows, as the list shows it. */
export interface BatchSummary {
  id: number;
  business_date: string;
  label: string | null;
  tender_type: BatchTender;
  /** open | posted | cancelled */
  status: string;
  control_count: number;
  control_total_cents: Cents;
  keyed_count: number;
  keyed_total_cents: Cents;
  /** Control less keyed: positive is still to key, negative is keyed over. */
  count_difference: number;
  total_difference_cents: Cents;
  balanced: boolean;
  created_by: string;
  created_at: string;
  posted_by: string | null;
  posted_at: string | null;
  version: number;
}

export interface BatchRow {
  position: number;
  account_id: number;
  account_number: string;
  customer_name: string;
  amount_cents: Cents;
  check_number: string | null;
  payment_id: number | null;
}

export interface Batch extends BatchSummary {
  rows: BatchRow[];
}

export interface NewBatch {
  control_count: number;
  control_total_cents: number;
  tender_type: BatchTender;
  label?: string;
}

export interface RowBody {
  account_number: string;
  amount_cents: number;
  check_number?: string;
}

const BATCHES = "/api/v1/payment-batches";
const withKey = (key: string) => ({ headers: { "idempotency-key": key } });

export const batchKey = (id: number) => ["payment-batch", id] as const;
export const BATCH_LIST_KEY = ["payment-batches"] as const;

/** The keying desk: open batches and today's posted or cancelled ones, newest first. */
export const fetchDesk = (signal?: AbortSignal) => api.get<{ batches: BatchSummary[] }>(BATCHES, { signal });

export const fetchBatch = (id: number, signal?: AbortSignal) => api.get<Batch>(`${BATCHES}/${id}`, { signal });

/** Opens a batch; the key makes a resent request (a lost answer) open it only once. */
export const createBatch = (body: NewBatch, key = newIdempotencyKey()) => api.post<Batch>(BATCHES, body, withKey(key));

/** Keys a row at the end of the batch. */
export const addRow = (id: number, body: RowBody, key = newIdempotencyKey()) =>
  api.post<Batch>(`${BATCHES}/${id}/rows`, body, withKey(key));

export const editRow = (
  id: number,
  position: number,
  body: { account_number?: string; amount_cents?: number; check_number?: string | null; version: number },
) => request<Batch>("PUT", `${BATCHES}/${id}/rows/${position}`, { body });

export const deleteRow = (id: number, position: number, version: number) =>
  request<Batch>("DELETE", `${BATCHES}/${id}/rows/${position}`, { query: { version } });

/** Posts the batch (all rows, one transaction); the same key on a retry of the same attempt. */
export const postBatch = (id: number, version: number, key: string) =>
  api.post<Batch>(`${BATCHES}/${id}/post`, { version }, withKey(key));

export const cancelBatch = (id: number, version: number) => api.post<Batch>(`${BATCHES}/${id}/cancel`, { version });

/** The customer on an account, by its exact number (null when no account has it), for a glance while keying. */
export async function accountByNumber(number: string, signal?: AbortSignal) {
  const { results } = await searchAccounts(number, 5, signal);
  return results.find((r) => r.account_number === number) ?? null;
}
