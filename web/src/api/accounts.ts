import { api } from "./client.js";

export interface Address {
  line1: string;
  line2: string | null;
  city: string;
  state: string;
  zip: string;
}

export interface Phone {
  id?: number;
  label: string;
  number: string;
  primary: boolean;
}

/** A customer (party) as the account view shows it: identity masked. */
export interface Party {
  id: number;
  kind: "person" | "business";
  display_name: string;
  language: string;
  age_65_plus: boolean | null;
  email: string | null;
  phones: Phone[];
  mailing_address: Address | null;
  identity_type: string | null;
  identity_masked: string | null;
  third_party: { name: string; phone: string | null; email: string | null; address: string | null } | null;
  flags: { id: number; flag: string; active: boolean; effective_from: string; recertification_due: boolean }[];
  version: number;
  [field: string]: unknown;
}

export interface Contact {
  id: number;
  channel: string;
  reason_code: string;
  /** Exactly as typed: shown as text, never as markup. */
  notes: string;
  outcome: string;
  username: string;
  occurred_at: string;
}

export interface Enrolment {
  id: number;
  program: string;
  effective_from: string;
  effective_to: string | null;
  recertify_by: string | null;
  permanent?: boolean;
  active: boolean;
  recertification_due: boolean;
}

/** A service agreement as the account view sends it: with its premise, service point and the meter there now. */
export interface ServiceAgreement {
  id: number;
  tariff_code: string;
  start_date: string;
  end_date: string | null;
  /** pending | active | stopped */
  status: string;
  premise: {
    address_line1: string;
    address_line2: string | null;
    city: string;
    state: string;
    zip: string;
    baseline_territory: string;
    climate_zone: number | null;
    tax_jurisdiction: string;
  };
  service_point: { id: number; kind: string; description: string | null };
  meter: {
    meter_number: string;
    kind: string;
    interval_minutes: number | null;
    multiplier: string;
    registers: { unit: string; dials: number; tou_period: string | null }[];
    installed_on: string;
  } | null;
  [field: string]: unknown;
}

/** The account view as the API sends it; parts the person may not read are null. */
export interface AccountView {
  id: number;
  account_number: string;
  status: string;
  version: number;
  customer_class?: string;
  bill_cycle?: string;
  opened_on?: string;
  /** The business date the view was read on (what "in force" means). */
  as_of?: string;
  customer?: Party | null;
  co_applicants?: Party[] | null;
  service_agreements?: ServiceAgreement[];
  enrolments?: Enrolment[];
  recent_contacts?: Contact[] | null;
  [field: string]: unknown;
}

export interface AuditEntry {
  id: number;
  recorded_at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
}

/** One account with everything the CSR may see about it. */
export const fetchAccount = (id: number, signal?: AbortSignal) =>
  api.get<AccountView>(`/api/v1/accounts/${id}`, { signal });

/** One page of the audit history; `next_cursor` asks for the next older page, null at the oldest. */
export interface AuditPage {
  entries: AuditEntry[];
  next_cursor: number | null;
}

/** How many audit rows a page shows. */
export const AUDIT_PAGE = 50;

/** The account's audit history, newest first, a page at a time: `before` is the previous page's `next_cursor`. */
export const fetchAudit = (id: number, before?: number, signal?: AbortSignal) =>
  api.get<AuditPage>(`/api/v1/accounts/${id}/audit`, { signal, query: { limit: AUDIT_PAGE, before } });

export const CHANNELS = ["phone", "email", "mail", "in_person"] as const;
export const REASONS = [
  "billing_question",
  "high_bill",
  "payment",
  "start_service",
  "stop_service",
  "transfer_service",
  "payment_arrangement",
  "outage",
  "program_enrolment",
  "complaint",
  "address_change",
  "other",
] as const;
export const OUTCOMES = ["resolved", "follow_up", "referred", "escalated", "no_action", "no_answer"] as const;

export interface ContactInput {
  channel: string;
  reason_code: string;
  notes: string;
  outcome: string;
}

/** Writes down one interaction with the customer. */
export const logContact = (accountId: number, body: ContactInput) =>
  api.post<Contact>(`/api/v1/accounts/${accountId}/contacts`, body);

export interface PartyChange {
  version: number;
  email?: string | null;
  phones?: { number: string; label: string; primary?: boolean }[];
  mailing_address?: (Omit<Address, "line2"> & { line2?: string | null }) | null;
}

/** Changes a customer's details; a stale version is refused with 409 and the current values. */
export const patchParty = (partyId: number, body: PartyChange) => api.patch<Party>(`/api/v1/parties/${partyId}`, body);
