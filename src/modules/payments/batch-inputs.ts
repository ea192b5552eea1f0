import { z } from "zod";
import { centsInput } from "./inputs.js";

/** The tenders a keyed batch is paid by: the mailed payments of one stack are all checks or all money orders. */
export const BATCH_TENDERS = ["check", "money_order"] as const;
export const BATCH_STATUSES = ["open", "posted", "cancelled"] as const;

/** How many payments a batch may hold: one stack and its adding-machine tape. */
export const MAX_BATCH_ROWS = 2_000;

const version = z.number().int().positive();
/** Ten digits as keyed; the check digit and the account itself are checked by the service, naming the field. */
const accountNumber = z
  .string()
  .trim()
  .regex(/^\d{10}$/, "10 digits");
/** A check number, or a money order's serial number in a money-order batch. */
const checkNumber = z
  .string()
  .trim()
  .regex(/^[\w-]{1,30}$/, "1-30 letters, digits or dashes");

export const batchInput = z.strictObject({
  control_count: z.number().int("a whole number").positive("more than zero").max(MAX_BATCH_ROWS),
  control_total_cents: centsInput,
  tender_type: z.enum(BATCH_TENDERS).default("check"),
  label: z.string().trim().max(200).optional(),
});
export type BatchInput = z.infer<typeof batchInput>;

export const batchRowInput = z.strictObject({
  account_number: accountNumber,
  amount_cents: centsInput,
  check_number: checkNumber.optional(),
});
export type BatchRowInput = z.infer<typeof batchRowInput>;

/** A row changed: only the fields sent change (check_number null clears it), with the batch's version read. */
export const batchRowChange = z.strictObject({
  account_number: accountNumber.optional(),
  amount_cents: centsInput.optional(),
  check_number: checkNumber.nullable().optional(),
  version,
});
export type BatchRowChange = z.infer<typeof batchRowChange>;

export const batchListQuery = z.object({
  /** Without it: the open batches and those posted or cancelled today (the keying desk). */
  status: z.enum(BATCH_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type BatchListQuery = z.infer<typeof batchListQuery>;

export const batchVersionQuery = z.object({ version: z.coerce.number().int().positive() });
