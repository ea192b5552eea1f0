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

export const creditLimitsByRole = defineSetting<Record<string, number>>({
  key: "adjustments.credit_limit_cents",
  description:
    "The largest credit adjustment each role may make without approval, in cents (a user with several roles has " +
    "the highest of them; a role not listed may make none)",
  schema: z.record(z.string().min(1).max(40), z.number().int().min(0).max(99_999_999_999)),
  default: { csr: 5_000, lead: 25_000, supervisor: 100_000, billing_analyst: 25_000 },
});
