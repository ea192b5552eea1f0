import { z } from "zod";
import { defineSetting } from "../../platform/settings.js";

export const returnedPaymentFeeCents = defineSetting({
  key: "payments.returned_payment.fee_cents",
  description:
    "The fee charged to the account when a payment comes back returned (returned check, NSF, ACH return), in cents; " +
    "0 charges none. Default 2500 ($25), the California policy default for a returned payment; source: utility " +
    "practice (no rule sets it: the utility's own choice, the same for municipal and IOU profiles)",
  schema: z.number().int().min(0).max(100_000),
  default: 2500,
});

export const returnedPaymentsForCashOnly = defineSetting({
  key: "payments.returned_payment.cash_only_count",
  description:
    "How many returned payments within the window put an account on cash-only status (default 2, utility practice)",
  schema: z.number().int().min(1).max(100),
  default: 2,
});

export const returnedPaymentWindowMonths = defineSetting({
  key: "payments.returned_payment.window_months",
  description: "The window, in months back from today, in which returned payments are counted (default 12)",
  schema: z.number().int().min(1).max(120),
  default: 12,
});

export const cashOnlyMonths = defineSetting({
  key: "payments.cash_only.months",
  description: "How long an account stays on cash-only status once set, in months (default 12, utility practice)",
  schema: z.number().int().min(1).max(120),
  default: 12,
});

export const cashOnlyRefusedTenders = defineSetting({
  key: "payments.cash_only.refused_tenders",
  description:
    "The tenders a cash-only account may not pay with (default personal checks and ACH; money orders and cards " +
    "are guaranteed funds)",
  schema: z.array(z.enum(["check", "money_order", "card", "ach"])).max(4),
  default: ["check", "ach"] as ("check" | "money_order" | "card" | "ach")[],
});

export const receiptUtilityName = defineSetting({
  key: "payments.receipt.utility_name",
  description: "The utility's name as printed at the top of a payment receipt",
  schema: z.string().trim().min(1).max(120),
  default: "Kilowatt Municipal Utility",
});
