import { z } from "zod";

export const PAYMENT_CHANNELS = ["phone", "mail", "counter", "drop_box", "back_office"] as const;
/** Tenders; cash is taken only into the taker's open cash drawer (without one it is refused by a rule). */
export const TENDER_TYPES = ["check", "money_order", "card", "ach", "cash"] as const;
export type TenderType = (typeof TENDER_TYPES)[number];
export const CARD_BRANDS = ["visa", "mastercard", "amex", "discover", "other"] as const;

/** Why a payment is reversed; the returned ones add the returned-payment fee and count toward cash-only status. */
export const REVERSAL_REASONS = {
  returned_check: { returned: true, label: "Check returned by the bank" },
  nsf: { returned: true, label: "Not sufficient funds" },
  ach_return: { returned: true, label: "ACH debit returned" },
  keyed_in_error: { returned: false, label: "Keyed in error" },
  duplicate: { returned: false, label: "Posted twice" },
  customer_request: { returned: false, label: "Customer request" },
} as const;
export type ReversalReason = keyof typeof REVERSAL_REASONS;
export const REVERSAL_REASON_CODES = Object.keys(REVERSAL_REASONS) as [ReversalReason, ...ReversalReason[]];

/** Money in a request: a positive integer number of cents (never a string, a fraction or zero). */
export const centsInput = z
  .number()
  .int("whole cents")
  .positive("more than zero")
  .max(99_999_999_999, "at most 99,999,999,999 cents");
export const idInput = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const last4 = z.string().regex(/^\d{4}$/, "exactly four digits");
const isoDate = z.iso.date();

/** One tender. Card and ACH are a processor's token and the last four digits: never a card or bank account number. */
export const tenderInput = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("check"),
    amount_cents: centsInput.optional(),
    check_number: z
      .string()
      .trim()
      .regex(/^[\w-]{1,20}$/, "1-20 letters, digits or dashes"),
    routing_last4: last4.optional(),
    account_last4: last4.optional(),
  }),
  z.strictObject({
    type: z.literal("money_order"),
    amount_cents: centsInput.optional(),
    serial_number: z
      .string()
      .trim()
      .regex(/^[\w-]{1,30}$/, "1-30 letters, digits or dashes"),
  }),
  z.strictObject({
    type: z.literal("card"),
    amount_cents: centsInput.optional(),
    processor_token: z.string().trim().min(1).max(200),
    brand: z.enum(CARD_BRANDS),
    last4,
  }),
  z.strictObject({
    type: z.literal("ach"),
    amount_cents: centsInput.optional(),
    processor_token: z.string().trim().min(1).max(200),
    account_last4: last4,
    routing_last4: last4.optional(),
  }),
  z.strictObject({ type: z.literal("cash"), amount_cents: centsInput.optional() }),
]);
export type TenderInput = z.infer<typeof tenderInput>;

export const distributionInput = z.strictObject({
  account_id: idInput,
  amount_cents: centsInput,
  /** Pay these items first, in this order; what is left goes oldest due first, or stays unapplied. */
  item_ids: z.array(idInput).min(1).max(100).optional(),
});

/**
 * A payment in one of two forms: simple (`account_id`, `amount_cents`, `tender`) or general (`tenders` with amounts
 * and a `distribution` over accounts). Which form is used, and that the totals agree, is checked by the service.
 */
export const paymentInput = z.strictObject({
  account_id: idInput.optional(),
  amount_cents: centsInput.optional(),
  tender: tenderInput.optional(),
  tenders: z.array(tenderInput).min(1).max(10).optional(),
  distribution: z.array(distributionInput).min(1).max(50).optional(),
  channel: z.enum(PAYMENT_CHANNELS).default("back_office"),
  /** When it was received, if not today (not in the future). */
  received_on: isoDate.optional(),
  note: z.string().trim().max(1000).optional(),
  /**
   * The cash drawer it is taken into: the taker's own open drawer, which is used anyway when left out. Naming it
   * makes sure the payment lands there (a drawer closed meanwhile refuses it).
   */
  drawer_id: idInput.optional(),
});
export type PaymentInput = z.infer<typeof paymentInput>;

export const reversalInput = z.strictObject({
  reason: z.enum(REVERSAL_REASON_CODES),
  note: z.string().trim().max(1000).optional(),
});
export type ReversalInput = z.infer<typeof reversalInput>;

export const transferInput = z.strictObject({
  from_account_id: idInput,
  to_account_id: idInput,
  amount_cents: centsInput,
  reason: z.string().trim().min(1, "say why").max(400),
});
export type TransferInput = z.infer<typeof transferInput>;

export const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next_cursor` of the page before (keyset paging by payment id). */
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});
