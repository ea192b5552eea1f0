import { api } from "./client.js";
import { type Cents, moneyKey } from "./ledger.js";

export type Step = "reminder" | "notice" | "final_notice" | "disconnect_ordered" | "disconnected";

export const STEP_WORDS: Record<Step, string> = {
  reminder: "Reminder",
  notice: "Past-due notice",
  final_notice: "Final (48-hour) notice",
  disconnect_ordered: "Disconnect ordered",
  disconnected: "Disconnected",
};

/** What each kind of event is called in the notices list. */
export const EVENT_WORDS: Record<string, string> = {
  ...STEP_WORDS,
  blocked: "Step held",
  cured: "Collection closed",
  arrangement_made: "Arrangement made",
  extension_made: "Extension given",
  arrangement_broken: "Arrangement broken",
  arrangement_completed: "Arrangement completed",
};

export interface CollectionDecision {
  rule_id: string;
  decision: string;
  facts: Record<string, unknown>;
  explanation: string;
}

export interface CollectionEvent {
  id: number;
  on_date: string;
  kind: string;
  rule_id: string;
  explanation: string;
  past_due_cents: Cents;
  channel: string | null;
  emailed_at: string | null;
  emailed_to: string | null;
  email_error: string | null;
  order_id: number | null;
  notice: boolean;
}

export interface Installment {
  seq: number;
  due_on: string;
  amount_cents: Cents;
}

export interface Arrangement {
  id: number;
  kind: "arrangement" | "extension" | "amp";
  status: string;
  arrears_cents: Cents;
  down_payment_cents: Cents;
  paid_cents: Cents;
  opened_on: string;
  opened_by: string;
  explanation: string;
  closed_on: string | null;
  closed_reason: string | null;
  installments: Installment[];
}

export interface Dispute {
  id: number;
  reason: string;
  status: string;
  item_ids: number[];
  disputed_cents: Cents;
  opened_on: string;
  resolution: string | null;
  version: number;
}

export interface ServiceOrder {
  id: number;
  kind: "disconnect_nonpay" | "reconnect";
  status: "open" | "completed" | "cancelled";
  reason: string;
  opened_on: string;
  due_on: string;
  completed_on: string | null;
  cancel_reason: string | null;
}

/** The account's collections section, as GET /accounts/{id}/collections answers it. */
export interface Collections {
  account_id: number;
  as_of: string;
  profile: string;
  balances: {
    past_due_cents: Cents;
    aging: Record<string, Cents>;
  };
  collectible_past_due_cents: Cents;
  disputed_cents: Cents;
  pre_petition_cents: Cents;
  state: null | {
    step: Step;
    step_on: string;
    notice_on: string | null;
    disconnect_from: string | null;
    blocked_rule: string | null;
    blocked_reason: string | null;
    blocked_since: string | null;
    order_id: number | null;
  };
  next: null | { step: Step; on: string; words: string };
  decisions: CollectionDecision[];
  events: CollectionEvent[];
  arrangements: Arrangement[];
  disputes: Dispute[];
  orders: ServiceOrder[];
  bankruptcies: Bankruptcy[];
  rules: { arrangement_max_months: number; extension_max_days: number; min_notice_cents: string };
}

export type ArrangementRequest =
  | { kind: "arrangement"; down_payment_cents?: number; installments: number; first_due?: string }
  | { kind: "extension"; pay_by: string };

const headers = (key?: string) => (key ? { headers: { "idempotency-key": key } } : {});

export const fetchCollections = (accountId: number, signal?: AbortSignal) =>
  api.get<Collections>(`/api/v1/accounts/${accountId}/collections`, { signal });

/** Makes an arrangement or extension: 201, or 422 naming the policy rule that refused it. */
export const makeArrangement = (accountId: number, body: ArrangementRequest, key?: string) =>
  api.post<Arrangement>(`/api/v1/accounts/${accountId}/arrangements`, body, headers(key));

export const noticePdfUrl = (noticeId: number) => `/api/v1/collection-notices/${noticeId}/pdf`;

/** Collections reads again whenever the account's money moves. */
export const collectionsKey = (accountId: number) => [...moneyKey(accountId), "collections"] as const;

export interface Requirement {
  rule_id: string;
  met: boolean;
  amount_cents: Cents;
  explanation: string;
}

/** What restoring service requires, as GET/POST /accounts/{id}/restoration answer it. */
export interface Restoration {
  account_id: number;
  as_of: string;
  profile: string;
  disconnected: boolean;
  disconnect_order_id: number | null;
  same_day: boolean;
  after_hours: boolean;
  requirements: Requirement[];
  all_met: boolean;
  reconnect_order_id: number | null;
}

export const fetchRestoration = (accountId: number, sameDay: boolean, signal?: AbortSignal) =>
  api.get<Restoration>(`/api/v1/accounts/${accountId}/restoration?same_day=${sameDay}`, { signal });

/** Restores service: bills what is due, opens the reconnect order once every requirement is met. */
export const restoreService = (accountId: number, body: { same_day?: boolean }, key?: string) =>
  api.post<Restoration>(`/api/v1/accounts/${accountId}/restoration`, body, headers(key));

export const restorationKey = (accountId: number, sameDay: boolean) =>
  [...moneyKey(accountId), "restoration", sameDay] as const;

export interface Bankruptcy {
  id: number;
  chapter: number;
  court: string;
  case_number: string;
  petition_date: string;
  status: "open" | "discharged" | "dismissed";
  pre_petition_cents: Cents;
  pre_petition_open_cents: Cents;
  recorded_on: string;
  recorded_by: string;
  closed_on: string | null;
  version: number;
}

export interface BankruptcyRequest {
  chapter: 7 | 11 | 13;
  court: string;
  case_number: string;
  petition_date: string;
}

/** Records a customer's bankruptcy case: 201, or 422 naming the rule (a petition date after today). */
export const recordBankruptcy = (accountId: number, body: BankruptcyRequest, key?: string) =>
  api.post<Bankruptcy>(`/api/v1/accounts/${accountId}/bankruptcies`, body, headers(key));

export const proofOfClaimUrl = (bankruptcyId: number) => `/api/v1/bankruptcies/${bankruptcyId}/proof-of-claim`;
