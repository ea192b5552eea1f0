import { api } from "./client.js";

/** One thing that happened on an account, in plain words (detail is text: never shown as markup). */
export interface ActivityEvent {
  id: number;
  /** When it was recorded (ISO instant). */
  at: string;
  kind: string;
  title: string;
  detail: string;
  actor: string;
  /** Money it moved on this account: positive adds to what the customer owes. */
  amount_cents?: number | string;
  ref?: { type: string; id: number };
}

/** One page of the timeline; `next_cursor` asks for the next older page, null at the oldest. */
export interface ActivityPage {
  events: ActivityEvent[];
  next_cursor: number | null;
}

/** How many events a page shows. */
export const ACTIVITY_PAGE = 50;

/**
 * The query key of an account's timeline. It sits under the audit history's key on purpose: the timeline is read
 * from the audit trail, so whatever refreshes the audit history after a write (a contact, a payment, an
 * adjustment, an edit) refreshes the timeline too.
 */
export const activityKey = (accountId: number) => ["audit", accountId, "activity"] as const;

/** The account's activity, newest first, a page at a time: `before` is the previous page's `next_cursor`. */
export const fetchActivity = (accountId: number, before?: number, signal?: AbortSignal) =>
  api.get<ActivityPage>(`/api/v1/accounts/${accountId}/activity`, { signal, query: { limit: ACTIVITY_PAGE, before } });
