import { api } from "./client.js";
import type { Cents } from "./ledger.js";

/** A credit lowers the balance (matched to the oldest due items); a charge is a new item billed with the next bill. */
export type AdjustmentKind = "credit" | "charge";

/** What the workstation sends to make an adjustment. */
export interface AdjustmentRequest {
  kind: AdjustmentKind;
  amount_cents: number;
  reason_code: string;
  note?: string;
}

/** An adjustment as the API shows it. */
export interface Adjustment {
  id: number;
  account_id: number;
  kind: AdjustmentKind;
  amount_cents: Cents;
  reason_code: string;
  reason_label: string;
  note: string | null;
  gl_account: string;
  accounting_date: string;
  made_by: string;
  item_id: number | null;
  credit_id: number | null;
  entry_id: number;
  recorded_at: string;
  version: number;
}

/** A reason code (the setting `adjustments.reasons`): the kinds it allows and the GL account it posts against. */
export interface AdjustmentReason {
  code: string;
  label: string;
  kinds: AdjustmentKind[];
  gl_account: string;
}

/** The rule a credit above the role's limit breaks (the 422 carries `limit_cents`). */
export const OVER_LIMIT_RULE = "adjustments.over_limit";

/** Makes an adjustment; `key` is the attempt's Idempotency-Key (the same on a retry of the same attempt). */
export const makeAdjustment = (accountId: number, body: AdjustmentRequest, key: string) =>
  api.post<Adjustment & { balance_cents: Cents }>(`/api/v1/accounts/${accountId}/adjustments`, body, {
    headers: { "idempotency-key": key },
  });

/** How many adjustments the list asks for (the ledger has every one). */
export const ADJUSTMENT_LIST_LIMIT = 100;

/** The account's adjustments, newest first. */
export const fetchAdjustments = async (accountId: number, signal?: AbortSignal) =>
  (
    await api.get<{ adjustments: Adjustment[] }>(`/api/v1/accounts/${accountId}/adjustments`, {
      signal,
      query: { limit: ADJUSTMENT_LIST_LIMIT },
    })
  ).adjustments;

/** The reason codes in force. */
export const fetchAdjustmentReasons = async (signal?: AbortSignal) =>
  (await api.get<{ reasons: AdjustmentReason[] }>("/api/v1/adjustments/reasons", { signal })).reasons;

/** The largest credit each role may make, in cents (the setting `adjustments.credit_limit_cents`). */
export const fetchCreditLimits = async (signal?: AbortSignal) =>
  (await api.get<{ current: Record<string, number> }>("/api/v1/settings/adjustments.credit_limit_cents", { signal }))
    .current;
