import { api } from "./client.js";

/**
 * The account view as the API sends it. Only the header fields are typed here: the page lists the rest as they
 * come, so new parts of the view show up without a change to the workstation.
 */
export interface AccountView {
  id: number;
  account_number: string;
  status: string;
  version: number;
  customer?: { display_name?: string } | null;
  [field: string]: unknown;
}

/** One account with everything the CSR may see about it. */
export const fetchAccount = (id: number, signal?: AbortSignal) =>
  api.get<AccountView>(`/api/v1/accounts/${id}`, { signal });
