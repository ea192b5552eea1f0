import { z } from "zod";
import { isoDate, postalAddress } from "../parties/index.js";

export const ACCOUNT_STATUSES = ["pending", "active", "closed"] as const;
export const CUSTOMER_CLASSES = ["residential", "commercial", "industrial", "agricultural", "street_lighting"] as const;
export const NOTICE_CHANNELS = ["mail", "email"] as const;
export const PROGRAMS = ["care", "fera", "medical_baseline"] as const;

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const billCycle = z.string().regex(/^(0[1-9]|1\d|2[01])$/, "a bill cycle, 01 to 21");
const coApplicants = z.array(id).max(5);

/** A new account: its main customer, co-applicants, class, cycle and where notices go. */
export const accountInput = z.strictObject({
  main_party_id: id,
  co_applicant_ids: coApplicants.default([]),
  status: z.enum(["pending", "active"]).default("active"),
  customer_class: z.enum(CUSTOMER_CLASSES).default("residential"),
  notice_channel: z.enum(NOTICE_CHANNELS).default("mail"),
  bill_cycle: billCycle,
  /** Where bills go when not to the main customer's mailing address. */
  mailing_address: postalAddress.nullish(),
  opened_on: isoDate.optional(),
});
export type AccountInput = z.infer<typeof accountInput>;

/** An edit of an account with the version read; co_applicant_ids replaces the list. */
export const accountChange = z.strictObject({
  version: z.number().int(),
  main_party_id: id.optional(),
  co_applicant_ids: coApplicants.optional(),
  status: z.enum(ACCOUNT_STATUSES).optional(),
  customer_class: z.enum(CUSTOMER_CLASSES).optional(),
  notice_channel: z.enum(NOTICE_CHANNELS).optional(),
  bill_cycle: billCycle.optional(),
  mailing_address: postalAddress.nullish(),
});
export type AccountChange = z.infer<typeof accountChange>;

const endsAfterStart = (v: { effective_from?: string; effective_to?: string | null }, ctx: z.RefinementCtx) => {
  if (v.effective_from && v.effective_to && v.effective_to < v.effective_from) {
    ctx.addIssue({ code: "custom", path: ["effective_to"], message: "ends before it starts" });
  }
};

/** An enrolment in a program that changes what the account pays. */
export const enrolmentInput = z
  .strictObject({
    program: z.enum(PROGRAMS),
    party_id: id.nullish(),
    effective_from: isoDate,
    effective_to: isoDate.nullish(),
    recertify_by: isoDate.nullish(),
    /** Medical baseline only: no recertification needed. */
    permanent: z.boolean().default(false),
    household_size: z.number().int().min(1).max(20).nullish(),
    note: z.string().max(500).nullish(),
  })
  .superRefine((v, ctx) => {
    endsAfterStart(v, ctx);
    if (v.permanent && v.program !== "medical_baseline") {
      ctx.addIssue({ code: "custom", path: ["permanent"], message: "only a medical baseline enrolment is permanent" });
    }
  });
export type EnrolmentInput = z.infer<typeof enrolmentInput>;

export const enrolmentChange = z
  .strictObject({
    version: z.number().int(),
    effective_from: isoDate.optional(),
    effective_to: isoDate.nullish(),
    recertify_by: isoDate.nullish(),
    permanent: z.boolean().optional(),
    household_size: z.number().int().min(1).max(20).nullish(),
    note: z.string().max(500).nullish(),
  })
  .superRefine(endsAfterStart);
export type EnrolmentChange = z.infer<typeof enrolmentChange>;
