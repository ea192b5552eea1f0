import { z } from "zod";
import { centsInput } from "../payments/index.js";

export const ADJUSTMENT_KINDS = ["charge", "credit"] as const;

/** A charge or credit adjustment on an account, with a reason code from the `adjustments.reasons` setting. */
export const adjustmentInput = z.strictObject({
  kind: z.enum(ADJUSTMENT_KINDS),
  amount_cents: centsInput,
  reason_code: z.string().trim().min(1).max(40),
  note: z.string().trim().max(1000).optional(),
});
export type AdjustmentInput = z.infer<typeof adjustmentInput>;

export const adjustmentListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
