import { api } from "./client.js";
import { moneyKey } from "./ledger.js";

/** Cents as the credit API sends them: a string of an integer (bigint on the server), never a float. */
export type CentsText = string;

export type DepositReason = "establishment" | "reestablishment" | "bankruptcy_assurance";
export const DEPOSIT_REASONS: DepositReason[] = ["establishment", "reestablishment", "bankruptcy_assurance"];

/** Why a deposit is asked for, as the CSR says it ("a deposit ... to start service"). */
export const REASON_WORDS: Record<DepositReason, string> = {
  establishment: "to start service",
  reestablishment: "to restore service after a disconnection for non-payment",
  bankruptcy_assurance: "as adequate assurance of payment after a bankruptcy filing",
};

/** A decision policy makes for the account: the rule, the facts it used and the sentence read to the customer. */
export interface CreditDecision {
  rule_id: string;
  decision: string;
  facts: Record<string, unknown>;
  explanation: string;
  amount_cents?: CentsText | null;
}

export type DepositStatus = "billed" | "waived" | "refunded" | "applied" | "cancelled";

/** A deposit on the account, with what was paid on its installments and how it ended. */
export interface Deposit {
  id: number;
  account_id: number;
  reason: DepositReason;
  status: DepositStatus;
  amount_cents: CentsText;
  installments: number;
  paid_cents: CentsText;
  unpaid_cents: CentsText;
  rule_id: string;
  explanation: string;
  facts: Record<string, unknown>;
  requested_on: string;
  requested_by: string;
  letter_id: number | null;
  closed_on: string | null;
  closed_note: string | null;
  returned_cents: CentsText;
  interest_cents: CentsText;
  version: number;
}

/** A letter of credit from another utility, kept for the customer. */
export interface LetterOfCredit {
  id: number;
  issuer: string;
  months_of_service: number;
  late_payments: number;
  disconnections: number;
  issued_on: string;
  received_on: string;
  note?: string;
  recorded_by?: string;
}

/** An external credit check; `bureau` is "sandbox" for the sandbox adapter, which asks no one. */
export interface CreditCheck {
  id: number;
  bureau: string;
  score: number;
  rating: "good" | "poor";
  reasons: string[];
  reference: string;
  checked_on: string;
  checked_by: string;
}

/** A decision acted on (a deposit billed, waived, refunded), as it was when the system acted. */
export interface KeptDecision {
  id: number;
  rule_id: string;
  decision: string;
  explanation: string;
  subject: string;
  decided_on: string;
  decided_by: string;
}

/** The account's credit section, as GET /accounts/{id}/credit answers it. */
export interface CreditSummary {
  account_id: number;
  as_of: string;
  profile: string;
  /** The internal score of 100. */
  score: number;
  rating: "good" | "poor" | "no_history";
  reasons: string[];
  facts: Record<string, unknown>;
  /** [0] the credit rating, [1] the deposit to start service. */
  decisions: CreditDecision[];
  deposits: Deposit[];
  totals: { held_cents: CentsText; due_cents: CentsText };
  refund_after_months: number;
  max_installments: number;
  letters: LetterOfCredit[];
  checks: CreditCheck[];
  kept_decisions: KeptDecision[];
}

export interface DepositRequest {
  reason: DepositReason;
  installments?: number;
}

export interface LetterRequest {
  issuer: string;
  months_of_service: number;
  late_payments: number;
  disconnections: number;
  issued_on: string;
  note?: string;
}

/** What recording a letter answers: whether it waives, what it lacks when not, and the deposits it waived. */
export interface LetterRecorded {
  letter: LetterOfCredit;
  waives: boolean;
  shortfall: string | null;
  waived: Deposit[];
  explanation: string;
}

/** The rule that refuses a second deposit for a reason while one is billed. */
export const ALREADY_BILLED_RULE = "deposit.already_billed";

/** The sandbox adapter's name: the workstation says so wherever it shows the bureau. */
export const SANDBOX_BUREAU = "sandbox";

const headers = (key?: string) => (key ? { headers: { "idempotency-key": key } } : {});

/** The score, policy's decisions, deposits, letters and checks of the account's customer. */
export const fetchCredit = (accountId: number, signal?: AbortSignal) =>
  api.get<CreditSummary>(`/api/v1/accounts/${accountId}/credit`, { signal });

/** Asks policy for a deposit: 201 billed, or 422 with the rule and the sentence that refused it. */
export const requireDeposit = (accountId: number, body: DepositRequest, key?: string) =>
  api.post<Deposit>(`/api/v1/accounts/${accountId}/deposits`, body, headers(key));

/** Records a letter of credit; it waives the deposits to start or restore service when it shows what policy asks. */
export const recordLetter = (accountId: number, body: LetterRequest, key?: string) =>
  api.post<LetterRecorded>(`/api/v1/accounts/${accountId}/letters-of-credit`, body, headers(key));

/** Runs an external credit check on the account's customer through the configured bureau. */
export const runCreditCheck = (accountId: number) =>
  api.post<CreditCheck>(`/api/v1/accounts/${accountId}/credit-checks`);

/** The credit section reads again whenever the account's money moves (a payment on a deposit, a waiver). */
export const creditKey = (accountId: number) => [...moneyKey(accountId), "credit"] as const;
