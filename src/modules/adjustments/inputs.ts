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

export const REFUND_METHODS = ["check", "ach"] as const;

/**
 * A refund of the account's credit balance: by check to the mailing address, or by ACH to the bank account the
 * processor holds as a token (with its last four digits; never the account number itself).
 */
export const refundInput = z
  .strictObject({
    amount_cents: centsInput,
    method: z.enum(REFUND_METHODS),
    reason: z.string().trim().min(1).max(40),
    note: z.string().trim().max(1000).optional(),
    processor_token: z
      .string()
      .trim()
      .regex(/^[\w.:-]{6,200}$/, "the processor's token: 6-200 letters, digits, '_', '-', '.', ':'")
      .optional(),
    account_last4: z
      .string()
      .regex(/^\d{4}$/, "exactly four digits")
      .optional(),
  })
  .superRefine((r, issue) => {
    for (const field of ["processor_token", "account_last4"] as const) {
      if (r.method === "ach" && r[field] === undefined) {
        issue.addIssue({ code: "custom", path: [field], message: "required for an ACH refund" });
      }
      if (r.method === "check" && r[field] !== undefined) {
        issue.addIssue({ code: "custom", path: [field], message: "only for an ACH refund" });
      }
    }
  });
export type RefundInput = z.infer<typeof refundInput>;

export const APPROVAL_STATUSES = ["pending", "approved", "rejected"] as const;

export const approvalQueueQuery = z.object({
  status: z.enum([...APPROVAL_STATUSES, "all"]).default("pending"),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const approveInput = z.strictObject({
  version: z.number().int().min(1),
  note: z.string().trim().max(1000).optional(),
});
export type ApproveInput = z.infer<typeof approveInput>;

export const rejectInput = z.strictObject({
  version: z.number().int().min(1),
  note: z.string().trim().min(1, "say why it is rejected").max(1000),
});
export type RejectInput = z.infer<typeof rejectInput>;

export const registerQuery = z.object({
  /** The first accounting date; today's business date when left out. */
  from: z.iso.date().optional(),
  /** The last accounting date (inclusive); the same as from when left out. */
  to: z.iso.date().optional(),
});
