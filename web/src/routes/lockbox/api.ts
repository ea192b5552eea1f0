import { ApiError, api, type Problem } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";

/** A lockbox file and how far its import got. */
export interface LockboxFile {
  id: number;
  file_name: string;
  format: "csv" | "bai2";
  deposit_date: string;
  business_date: string;
  /** importing | imported */
  status: string;
  item_count: number;
  total_cents: Cents;
  posted_count: number;
  posted_cents: Cents;
  suspense_count: number;
  suspense_cents: Cents;
  imported_by: string;
  started_at: string;
  completed_at: string | null;
  /** Items recorded so far (GET /lockbox/files/{id} only). */
  done_count?: number;
}

/** What an upload answered: the import started (202), or the same file was imported before (200). */
export interface UploadAnswer {
  status: number;
  file: LockboxFile;
  message: string;
}

/** A lockbox item as the suspense queue shows it. */
export interface SuspenseItem {
  id: number;
  file_id: number;
  file_name: string;
  line_number: number;
  deposit_date: string;
  amount_cents: Cents;
  account_number: string | null;
  remitter: string | null;
  check_number: string | null;
  status: string;
  reason: string | null;
  reason_label: string | null;
  age_days: number;
  account_id: number | null;
  payment_id: number | null;
  worked_by: string | null;
  work_note: string | null;
}

export interface Suggestion {
  account_id: number;
  account_number: string;
  name: string;
  status: string;
  amount_due_cents: Cents;
  reasons: string[];
}

export interface SuspenseQueue {
  items: SuspenseItem[];
  total_count: number;
  total_cents: Cents;
}

/** Uploads a lockbox file as it is (its bytes are the body); the CSRF token is the session's. */
export async function uploadLockboxFile(file: File, csrfToken: string | null): Promise<UploadAnswer> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/lockbox/files?file_name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      headers: {
        accept: "application/json",
        "content-type": "application/octet-stream",
        ...(csrfToken ? { "x-csrf-token": csrfToken } : {}),
      },
      body: file,
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, { title: "No connection", status: 0, detail: "the server cannot be reached; try again" });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const problem = { title: res.statusText, status: res.status, ...body } as Problem;
    throw new ApiError(res.status, problem);
  }
  return { status: res.status, file: body.file as LockboxFile, message: String(body.message ?? "") };
}

export const fetchLockboxFile = (id: number, signal?: AbortSignal) =>
  api.get<LockboxFile>(`/api/v1/lockbox/files/${id}`, { signal });

export const fetchLockboxFiles = (signal?: AbortSignal) =>
  api.get<{ files: LockboxFile[] }>("/api/v1/lockbox/files", { signal, query: { limit: 20 } });

export const fetchSuspenseQueue = (signal?: AbortSignal) =>
  api.get<SuspenseQueue>("/api/v1/payment-suspense", { signal, query: { limit: 200 } });

export const fetchSuspenseItem = (id: number, signal?: AbortSignal) =>
  api.get<SuspenseItem & { suggestions: Suggestion[] }>(`/api/v1/payment-suspense/${id}`, { signal });

const withKey = (key: string) => ({ headers: { "idempotency-key": key } });

/** Applies a suspense item to an account (a lockbox payment onto it). */
export const applySuspenseItem = (id: number, body: { account_id: number; note?: string }, key: string) =>
  api.post<SuspenseItem>(`/api/v1/payment-suspense/${id}/apply`, body, withKey(key));

/** Returns a suspense item to the sender, with the reason. */
export const returnSuspenseItem = (id: number, body: { note: string }, key: string) =>
  api.post<SuspenseItem>(`/api/v1/payment-suspense/${id}/return`, body, withKey(key));
