import { z } from "zod";
import { isoDate } from "../parties/index.js";

export const AGREEMENT_STATUSES = ["pending", "active", "stopped"] as const;

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A rate schedule code as the tariff book prints it: E-1, E-TOU-C, B-1. */
export const tariffCode = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,19}$/, "a rate schedule code (E-1, E-TOU-C)");

const endsAfterStart = (v: { start_date?: string; end_date?: string | null }, ctx: z.RefinementCtx) => {
  if (v.start_date && v.end_date && v.end_date < v.start_date) {
    ctx.addIssue({ code: "custom", path: ["end_date"], message: "ends before it starts" });
  }
};

/** Service for an account at a service point under a tariff, from a start date. */
export const agreementInput = z
  .strictObject({
    account_id: id,
    service_point_id: id,
    tariff_code: tariffCode,
    start_date: isoDate,
    end_date: isoDate.nullish(),
    /** Default: pending when it starts after today, else active. */
    status: z.enum(AGREEMENT_STATUSES).optional(),
  })
  .superRefine(endsAfterStart);
export type AgreementInput = z.infer<typeof agreementInput>;

export const agreementChange = z
  .strictObject({
    version: z.number().int(),
    tariff_code: tariffCode.optional(),
    start_date: isoDate.optional(),
    end_date: isoDate.nullish(),
    status: z.enum(AGREEMENT_STATUSES).optional(),
  })
  .superRefine(endsAfterStart);
export type AgreementChange = z.infer<typeof agreementChange>;
