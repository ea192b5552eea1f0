import type { AccountView, Party } from "./accounts.js";
import { api } from "./client.js";

/** Account settings the new-customer form offers, as the API names them. */
export const CUSTOMER_CLASSES = ["residential", "commercial", "industrial", "agricultural", "street_lighting"] as const;
export const NOTICE_CHANNELS = ["mail", "email"] as const;
export const BASELINE_TERRITORIES = ["P", "Q", "R", "S", "T", "V", "W", "X", "Y", "Z"] as const;
export const METER_KINDS = ["register", "interval"] as const;

/** The body of POST /api/v1/customers as the workstation sends it (a new party, a new premise). */
export interface NewCustomerRequest {
  party: {
    kind: "person" | "business";
    first_name?: string | null;
    last_name?: string | null;
    business_name?: string | null;
    date_of_birth?: string | null;
    email?: string | null;
    phones?: { number: string; label: "mobile" | "home" | "work" | "other" }[];
  };
  account: { customer_class: string; notice_channel: string; bill_cycle: string };
  premise?: {
    address_line1: string;
    city: string;
    state: string;
    zip: string;
    baseline_territory: string;
    tax_jurisdiction: string;
  };
  service_point?: { kind: "electric"; description?: string | null };
  meter?: {
    meter_number: string;
    kind: string;
    interval_minutes?: number | null;
    registers: { unit: "kWh"; dials: number }[];
  };
  service_agreement?: { tariff_code: string; start_date: string };
}

/** What the API answers: the new account, its customer, and parties the customer may duplicate. */
export interface NewCustomerResponse {
  account: AccountView;
  party: { id: number; display_name: string };
  possible_duplicate_ids: number[];
}

/** Opens a new customer, account and service in one request. */
export const createCustomer = (body: NewCustomerRequest) => api.post<NewCustomerResponse>("/api/v1/customers", body);

/** One account a customer is on, as GET /api/v1/parties/{id}/accounts lists it. */
export interface PartyAccount {
  id: number;
  account_number: string;
  status: string;
  customer_class: string;
  role: "main" | "co_applicant";
  opened_on: string;
  closed_on: string | null;
  /** As search shows it: the premise served, else the mailing address. */
  service_address: string | null;
}

/** The accounts a customer is on, open ones first. */
export const fetchPartyAccounts = (partyId: number, signal?: AbortSignal) =>
  api.get<{ accounts: PartyAccount[] }>(`/api/v1/parties/${partyId}/accounts`, { signal });

/** One customer (identity masked). */
export const fetchParty = (partyId: number, signal?: AbortSignal) =>
  api.get<Party>(`/api/v1/parties/${partyId}`, { signal });
