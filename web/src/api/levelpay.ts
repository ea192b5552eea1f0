import { api } from "./client.js";
import { type Cents, moneyKey } from "./ledger.js";

/** Policy's decision on enrolling the account today: the amount, or the rule that refuses, in a sentence. */
export interface LevelPayDecision {
  rule_id: string;
  decision: "eligible" | "refused" | "enrolled";
  eligible: boolean;
  facts: Record<string, unknown>;
  explanation: string;
  /** The level amount it gives (a string of integer cents), when it gives one. */
  amount_cents?: string | null;
}

export interface LevelPayPlan {
  id: number;
  status: "enrolled" | "ended";
  enrolled_on: string;
  enrolled_by: string;
  level_cents: Cents;
  /** The bills less the level amounts asked since the last true-up: more than zero, the customer owes it. */
  deferred_cents: Cents;
  last_review_on: string;
  next_review_on: string | null;
  true_up_on: string | null;
  ended_on: string | null;
  ended_reason: string | null;
  version: number;
}

export interface LevelPayEvent {
  id: number;
  on_date: string;
  kind: "enrolled" | "billed" | "reviewed" | "trued_up" | "ended" | "bill_cancelled";
  bill_id: number | null;
  actual_cents: Cents | null;
  level_cents: Cents;
  deferred_after_cents: Cents;
  settled_cents: Cents | null;
  rule_id: string;
  explanation: string;
}

/** The account's level pay, as GET /accounts/{id}/level-pay answers it. */
export interface LevelPay {
  account_id: number;
  as_of: string;
  profile: string;
  rules: {
    average_months: number;
    review_every_months: number;
    review_change_percent: string;
    true_up_after_months: number;
  };
  decision: LevelPayDecision;
  plan: LevelPayPlan | null;
  events: LevelPayEvent[];
}

/** What each kind of event is called in the plan's history. */
export const LEVEL_PAY_EVENT_WORDS: Record<LevelPayEvent["kind"], string> = {
  enrolled: "Enrolled",
  billed: "Bill leveled",
  reviewed: "Reviewed",
  trued_up: "Trued up",
  ended: "Ended",
  bill_cancelled: "Bill cancelled",
};

const headers = (key: string) => ({ headers: { "idempotency-key": key } });

export const levelPayKey = (accountId: number) => [...moneyKey(accountId), "level-pay"] as const;

export const fetchLevelPay = (accountId: number, signal?: AbortSignal) =>
  api.get<LevelPay>(`/api/v1/accounts/${accountId}/level-pay`, { signal });

export const enrolLevelPay = (accountId: number, key: string) =>
  api.post<LevelPay>(`/api/v1/accounts/${accountId}/level-pay`, {}, headers(key));

export const endLevelPay = (accountId: number, body: { version: number; reason: string }, key: string) =>
  api.post<LevelPay>(`/api/v1/accounts/${accountId}/level-pay/end`, body, headers(key));
