import { api } from "./client.js";

/** One account found by search. */
export interface SearchResult {
  account_id: number;
  account_number: string;
  name: string;
  service_address: string | null;
}

/** Searches customers and accounts, best match first. */
export const searchAccounts = (q: string, limit: number, signal?: AbortSignal) =>
  api.get<{ results: SearchResult[] }>("/api/v1/search", { query: { q, limit }, signal });
