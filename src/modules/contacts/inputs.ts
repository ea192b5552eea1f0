import { z } from "zod";

export const CONTACT_CHANNELS = ["phone", "email", "mail", "in_person"] as const;
export const CONTACT_REASONS = [
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
export const CONTACT_OUTCOMES = ["resolved", "follow_up", "referred", "escalated", "no_action", "no_answer"] as const;

/** One interaction with the customer, as the CSR logs it. Notes are kept exactly as typed (markup included). */
export const contactInput = z.strictObject({
  channel: z.enum(CONTACT_CHANNELS),
  reason_code: z.enum(CONTACT_REASONS),
  notes: z.string().max(4000).default(""),
  outcome: z.enum(CONTACT_OUTCOMES),
  /** When it happened, if not now (a call logged after it ended). */
  occurred_at: z.iso.datetime({ offset: true }).optional(),
  /** Who the CSR spoke with, if not the main customer; must be on the account. */
  party_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullish(),
});
export type ContactInput = z.infer<typeof contactInput>;

export const contactListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
