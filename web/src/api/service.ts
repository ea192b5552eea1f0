import { api, request } from "./client.js";
import type { Cents } from "./ledger.js";

export interface StopServiceRequest {
  stop_on: string;
  /** Final readings the CSR has, by meter; a meter left out is estimated from its history. */
  reads?: { meter_number: string; reading: string; kind?: "actual" | "customer" }[];
}

export interface StopServiceResult {
  account_id: number;
  account_number: string;
  stop_on: string;
  /** True when the stop is ahead of today: the morning after it makes the final bill. */
  scheduled: boolean;
  agreements: number[];
  reads: {
    meter_number: string;
    read_on: string;
    reading: string | null;
    kind: "actual" | "customer" | "estimated" | "on_file";
    status: string;
    note: string | null;
  }[];
  final_bill: {
    id: number;
    status: string;
    total_cents: Cents;
    amount_due_cents: Cents;
    due_date: string;
    exception: string | null;
  } | null;
  /** What happened, in a sentence: the stop, the account closed and the final bill. */
  explanation: string;
}

/** Stops the account's service on a day: final reads, the final bill at once, the account closed. */
export const stopService = (accountId: number, body: StopServiceRequest, key: string) =>
  api.post<StopServiceResult>(`/api/v1/accounts/${accountId}/stop-service`, body, {
    headers: { "idempotency-key": key },
  });

/** Cancels a scheduled stop: the customer stays. */
export const cancelScheduledStop = (accountId: number) =>
  request<{ account_id: number; explanation: string }>("DELETE", `/api/v1/accounts/${accountId}/stop-service`);
