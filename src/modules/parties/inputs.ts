import { z } from "zod";
import { IDENTITY_TYPES, normaliseIdentityNumber } from "../../core/identity-number.js";
import { toE164 } from "../../core/phone.js";

/** Flags that protect a customer or change how the utility deals with them. */
export const PARTY_FLAGS = [
  "medical_baseline",
  "life_support",
  "third_party_notification",
  "language_assistance",
  "hearing_impaired",
  "visually_impaired",
  "large_print",
  "confidential_address",
] as const;
export const PHONE_LABELS = ["mobile", "home", "work", "other"] as const;
export const PARTY_KINDS = ["person", "business"] as const;

export const isoDate = z.iso.date();
export const idParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().trim().min(1).max(max);

/** A US phone number as typed; stored in E.164. */
export const phoneNumber = z
  .string()
  .max(30)
  .refine((v) => toE164(v) !== null, "not a US phone number (e.g. (916) 555-0142)");

/** A postal address in the US. */
export const postalAddress = z.strictObject({
  line1: text(100),
  line2: z.string().trim().max(100).nullish(),
  city: text(60),
  state: z.string().regex(/^[A-Z]{2}$/, "two capital letters (CA)"),
  zip: z.string().regex(/^\d{5}(-\d{4})?$/, "a ZIP code: 12345 or 12345-6789"),
});
export type PostalAddress = z.infer<typeof postalAddress>;

const phone = z.strictObject({
  number: phoneNumber,
  label: z.enum(PHONE_LABELS).default("mobile"),
  primary: z.boolean().optional(),
});

const identity = z.strictObject({ type: z.enum(IDENTITY_TYPES), number: z.string().max(30) }).superRefine((v, ctx) => {
  const checked = normaliseIdentityNumber(v.type, v.number);
  if (checked.error) ctx.addIssue({ code: "custom", path: ["number"], message: checked.error });
});

const thirdParty = z.strictObject({
  name: text(200),
  phone: phoneNumber.nullish(),
  email: z.email().max(254).nullish(),
  address: z.string().trim().max(300).nullish(),
});

const datedRange = <T extends { effective_from?: string | null; effective_to?: string | null }>(
  v: T,
  ctx: z.RefinementCtx,
) => {
  if (v.effective_from && v.effective_to && v.effective_to < v.effective_from) {
    ctx.addIssue({ code: "custom", path: ["effective_to"], message: "ends before it starts" });
  }
};

/** A flag as a request gives it. */
export const flagInput = z
  .strictObject({
    flag: z.enum(PARTY_FLAGS),
    effective_from: isoDate,
    effective_to: isoDate.nullish(),
    recertify_by: isoDate.nullish(),
    note: z.string().max(500).nullish(),
  })
  .superRefine(datedRange);
export type FlagInput = z.infer<typeof flagInput>;

export const flagChange = z
  .strictObject({
    version: z.number().int(),
    effective_from: isoDate.optional(),
    effective_to: isoDate.nullish(),
    recertify_by: isoDate.nullish(),
    note: z.string().max(500).nullish(),
  })
  .superRefine(datedRange);
export type FlagChange = z.infer<typeof flagChange>;

const partyFields = {
  first_name: text(100).nullish(),
  middle_name: z.string().trim().max(100).nullish(),
  last_name: text(100).nullish(),
  business_name: text(200).nullish(),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, "a language tag (en, es, zh-Hant)"),
  date_of_birth: isoDate.nullish(),
  email: z.email().max(254).nullish(),
  phones: z.array(phone).max(5),
  mailing_address: postalAddress.nullish(),
  identity: identity.nullish(),
  third_party: thirdParty.nullish(),
};

/** A new person or business. */
export const partyInput = z
  .strictObject({
    kind: z.enum(PARTY_KINDS),
    ...partyFields,
    language: partyFields.language.default("en"),
    phones: partyFields.phones.default([]),
    flags: z.array(flagInput).max(20).default([]),
  })
  .superRefine((v, ctx) => {
    const need = v.kind === "person" ? (["first_name", "last_name"] as const) : (["business_name"] as const);
    for (const field of need) {
      if (!v[field]) ctx.addIssue({ code: "custom", path: [field], message: `a ${v.kind} needs a ${field}` });
    }
  });
export type PartyInput = z.infer<typeof partyInput>;

/** An edit of a party: the version read and the fields to change (null clears an optional one). */
export const partyChange = z.strictObject({
  version: z.number().int(),
  ...partyFields,
  language: partyFields.language.optional(),
  phones: partyFields.phones.optional(),
});
export type PartyChange = z.infer<typeof partyChange>;
