import { api, request } from "./client.js";
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
  closed_notice: "Closed-account notice",
  closed_final_notice: "Closed-account final notice",
  balance_transferred: "Balance transferred",
  written_off: "Written off to bad debt",
  referred: "Referred to the agency",
  recovery: "Recovered from bad debt",
  amp_enrolled: "Enrolled in AMP",
  amp_forgiven: "AMP forgiveness",
  amp_removed: "Removed from AMP",
  bankruptcy_filed: "Bankruptcy recorded",
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
  notes?: string;
  status: string;
  item_ids: number[];
  disputed_cents: Cents;
  opened_on: string;
  opened_by?: string;
  resolution: string | null;
  resolved_on?: string | null;
  resolved_by?: string | null;
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
  closed: ClosedStanding | null;
  amp: AmpStanding;
  /** Energy-assistance pledges, newest first. */
  pledges: Pledge[];
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

/** One account on the collector's worklist, as GET /collections/worklist answers it. */
export interface WorklistEntry {
  account_id: number;
  account_number: string;
  name: string;
  step: Step;
  step_on: string;
  past_due_cents: Cents;
  oldest_due: string;
  days_past_due: number;
  disconnect_from: string | null;
  blocked_rule: string | null;
  blocked_reason: string | null;
  next: { step: Step; on: string } | null;
  history: number;
  risk: number;
}

export const WORKLIST_KEY = ["collections", "worklist"] as const;

/** The collector's worklist, highest risk first (one step only when given). */
export const fetchWorklist = (step: Step | null, signal?: AbortSignal) =>
  api.get<{ as_of: string; entries: WorklistEntry[] }>("/api/v1/collections/worklist", {
    signal,
    query: { step: step ?? undefined, limit: 200 },
  });

export interface DisputeRequest {
  reason: string;
  notes?: string;
  item_ids?: number[];
}

/** Opens a dispute of the account (no items) or of some of its open bill items. */
export const openDispute = (accountId: number, body: DisputeRequest, key?: string) =>
  api.post<Dispute>(`/api/v1/accounts/${accountId}/disputes`, body, headers(key));

export type DisputeOutcome = "upheld" | "denied" | "withdrawn";

/** Resolves an open dispute with what the investigation found; a stale version is refused (409). */
export const resolveDispute = (
  disputeId: number,
  body: { version: number; status: DisputeOutcome; resolution: string },
) => api.post<Dispute>(`/api/v1/disputes/${disputeId}/resolve`, body);

export interface PledgeRequest {
  agency: string;
  amount_cents: number;
  pledged_on: string;
  expires_on: string;
}

export interface Pledge extends PledgeRequest {
  id: number;
  account_id: number;
  /** Pending until expires_on; shown expired after it. */
  status: "pending" | "received" | "expired" | "cancelled";
  recorded_by: string;
  version: number;
}

/** Records an agency's pending energy-assistance pledge toward the account. */
export const recordPledge = (accountId: number, body: PledgeRequest, key?: string) =>
  api.post<Pledge>(`/api/v1/accounts/${accountId}/assistance-pledges`, body, headers(key));

/** Closes a pending pledge: received (the agency paid) or cancelled; a stale version is refused (409). */
export const closePledge = (pledgeId: number, body: { version: number; status: "received" | "cancelled" }) =>
  api.post<Pledge>(`/api/v1/assistance-pledges/${pledgeId}/close`, body);

export interface HeatForecast {
  territory: string;
  forecast_on: string;
  high_f: number;
  source: string;
  entered_by: string;
  entered_at: string;
}

export interface HeatForecasts {
  as_of: string;
  threshold_f: number;
  window_hours: number;
  holds_disconnection: boolean;
  forecasts: HeatForecast[];
}

export const HEAT_KEY = ["collections", "heat"] as const;

/** The forecast highs on file from today on, with the policy's threshold. */
export const fetchHeatForecasts = (signal?: AbortSignal) =>
  api.get<HeatForecasts>("/api/v1/heat-forecasts", { signal });

/** Keys forecast highs by territory and day; a day keyed again replaces the earlier figure. */
export const putHeatForecasts = (forecasts: { territory: string; forecast_on: string; high_f: number }[]) =>
  request<{ forecasts: HeatForecast[] }>("PUT", "/api/v1/heat-forecasts", { body: { forecasts } });

/** Where a closed account's balance stands in closed-account collection. */
export type ClosedStep = "watching" | "first_notice" | "second_notice" | "written_off" | "referred";

export const CLOSED_STEP_WORDS: Record<ClosedStep, string> = {
  watching: "Closed, final bill not yet overdue",
  first_notice: "Closed-account notice sent",
  second_notice: "Closed-account final notice sent",
  written_off: "Written off to bad debt",
  referred: "With the collection agency",
};

export interface ClosedStanding {
  step: ClosedStep;
  step_on: string;
  /** The final bill's due date, from which the policy's days run. */
  final_due: string;
  balance_cents: Cents;
  written_off_cents: Cents;
  written_off_on: string | null;
  referred_on: string | null;
  recovered_cents: Cents;
  placement: { agency: string; placed_on: string; amount_cents: Cents; file_id: number } | null;
}

/** Policy's decision on enrolling the account in arrearage management (AMP) today. */
export interface AmpDecision extends CollectionDecision {
  eligible: boolean;
  /** What enrolment would hold from collection: the arrears, up to the cap. */
  enrol_cents: Cents;
}

export interface AmpPlan {
  id: number;
  account_id: number;
  status: "active" | "completed" | "removed";
  enrolled_on: string;
  enrolled_by: string;
  enrolled_cents: Cents;
  forgiven_cents: Cents;
  /** A twelfth of what was enrolled: forgiven for each bill paid on time. */
  installment_cents: Cents;
  on_time: number;
  misses: number;
  checked_through: string | null;
  closed_on: string | null;
  closed_reason: string | null;
  version: number;
}

export interface AmpStanding {
  profile: string;
  decision: AmpDecision;
  plans: AmpPlan[];
}

/** Enrols the account's arrears in AMP: 201, or 422 naming the rule that refuses. */
export const enrolAmp = (accountId: number, key: string) =>
  api.post<AmpPlan>(`/api/v1/accounts/${accountId}/amp`, {}, headers(key));

/** Ends an AMP plan at the customer's request: what is not forgiven returns to collection. */
export const leaveAmp = (planId: number, version: number) =>
  api.post<AmpPlan>(`/api/v1/amp-plans/${planId}/leave`, { version });

/** A placement file as it was sent to the collection agency (downloads). */
export const agencyFileUrl = (fileId: number) => `/api/v1/collections/agency-files/${fileId}`;
