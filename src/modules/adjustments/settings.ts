import { z } from "zod";
import { defineSetting } from "../../platform/settings.js";

/** A reason an adjustment may be made for: which kinds it allows and the GL account it posts against. */
export interface AdjustmentReason {
  code: string;
  label: string;
  /** charge, credit or both. */
  kinds: ("charge" | "credit")[];
  /** A GL account code (credited by a charge, debited by a credit). */
  gl_account: string;
}

const reason = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, "lower-case letters, digits and '_'"),
  label: z.string().trim().min(1).max(80),
  kinds: z
    .array(z.enum(["charge", "credit"]))
    .min(1)
    .max(2),
  gl_account: z.string().trim().min(1).max(20),
});

export const adjustmentReasons = defineSetting<AdjustmentReason[]>({
  key: "adjustments.reasons",
  description:
    "The reason codes adjustments are made with: code, label, kinds allowed (charge, credit) and the GL account " +
    "each posts against (codes of the default chart: 4010 energy revenue, 4050 fee revenue, 4090 revenue adjustments)",
  schema: z
    .array(reason)
    .min(1)
    .max(100)
    .refine((list) => new Set(list.map((r) => r.code)).size === list.length, "each code once"),
  default: [
    { code: "courtesy_credit", label: "Courtesy credit", kinds: ["credit"], gl_account: "4090" },
    { code: "billing_error", label: "Billing error", kinds: ["charge", "credit"], gl_account: "4090" },
    { code: "meter_error", label: "Meter error", kinds: ["charge", "credit"], gl_account: "4010" },
    { code: "fee_waiver", label: "Fee waived", kinds: ["credit"], gl_account: "4050" },
    { code: "service_fee", label: "Service fee", kinds: ["charge"], gl_account: "4050" },
  ],
});

/** The largest credit or refund each role may post without approval, in cents; null means no limit. */
export type ApprovalLimits = Record<string, number | null>;

export const approvalLimits = defineSetting<ApprovalLimits>({
  key: "approvals.limit_cents",
  description:
    "The largest credit adjustment or refund each role may post without approval, in cents (null: no limit). A " +
    "user with several roles has the highest of them; a role not listed has none. Above it the credit or refund " +
    "waits for someone whose own limit covers it (approvals.decide)",
  schema: z.record(z.string().min(1).max(40), z.number().int().min(0).max(99_999_999_999).nullable()),
  default: { csr: 5_000, lead: 50_000, supervisor: null, billing_analyst: 50_000 },
});

/** A reason a credit balance is refunded for. */
export interface RefundReason {
  code: string;
  label: string;
}

export const refundReasons = defineSetting<RefundReason[]>({
  key: "refunds.reasons",
  description: "The reasons a credit balance is refunded for (code and label), shown on the refund register",
  schema: z
    .array(
      z.strictObject({
        code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, "lower-case letters, digits and '_'"),
        label: z.string().trim().min(1).max(80),
      }),
    )
    .min(1)
    .max(100)
    .refine((list) => new Set(list.map((r) => r.code)).size === list.length, "each code once"),
  default: [
    { code: "overpayment", label: "Overpayment" },
    { code: "account_closed", label: "Account closed with a credit" },
    { code: "duplicate_payment", label: "Duplicate payment" },
    { code: "customer_request", label: "Customer request" },
  ],
});
