/**
 * Policy profiles: the rules the system applies to credit and deposits (and, as later contexts add theirs, to
 * collections and restoration), one rule set per profile, each an effective-dated setting an admin may change.
 * `policy.profile` says which profile the utility follows on a date; `policy.rules.<profile>` holds its numbers.
 * The shipped values and their sources are in shared DOMAIN.md and docs/policy.md.
 */
import { z } from "zod";
import type { Ctx } from "../../platform/context.js";
import { defineSetting, getSetting } from "../../platform/settings.js";

export const PROFILES = ["municipal", "iou"] as const;
export type ProfileName = (typeof PROFILES)[number];

export const PROFILE_TITLES: Record<ProfileName, string> = {
  municipal: "California publicly owned (municipal) utility",
  iou: "California investor-owned utility (CPUC rules)",
};

const wholeCents = z
  .string()
  .regex(/^\d{1,9}$/, 'whole cents, e.g. "12000" for $120.00')
  .transform((v) => v as `${number}`);
/** A multiple such as "2" or "2.5": positive, at most 3 (what California municipal practice allows). */
const multiple = z
  .string()
  .refine(
    (v) => /^\d+(\.\d{1,2})?$/.test(v) && Number(v) > 0 && Number(v) <= 3,
    "a positive number up to 3, such as 2 or 2.5",
  );
const percent = z.string().regex(/^\d{1,2}(\.\d{1,3})?$/, "a percent from 0 to 99.999, e.g. 0 or 1.5");
const count = (max: number) => z.number().int().min(0).max(max);

/** How the internal credit score is made from payment history (points off 100), and where its ratings begin. */
const creditRules = z.strictObject({
  late_payment_12: count(100),
  late_payment_24: count(100),
  returned_payment_12: count(100),
  returned_payment_24: count(100),
  disconnection_12: count(100),
  disconnection_24: count(100),
  /** A score below this is poor credit. */
  poor_below: count(100),
  /** Fewer months of billing history than this is no history (the external check or a letter of credit decides). */
  min_history_months: count(60),
  /** An external check scoring this or more is good credit ... */
  bureau_good_from: count(900),
  /** ... for this many days after it was run. */
  bureau_valid_days: count(365),
});

const depositRules = z.strictObject({
  /** Deposits at the start of service on poor credit (false: none, as the CPUC rules for IOUs say). */
  establishment: z.boolean(),
  /** Deposits to restore service after a disconnection for non-payment. */
  reestablishment: z.boolean(),
  /** Adequate assurance after a bankruptcy filing (11 U.S.C. 366): every profile keeps it. */
  bankruptcy_assurance: z.boolean(),
  /** Days to pay adequate assurance after the filing (20; 30 for Chapter 11). */
  bankruptcy_days: count(60),
  bankruptcy_days_chapter_11: count(60),
  /** The deposit is this multiple of the estimated average monthly bill. */
  multiple,
  /** Months of the premise's bills averaged for the estimate; with fewer, the class average is used. */
  estimate_months: count(24),
  /** The estimated average monthly bill by customer class when the premise has no history, in cents. */
  class_average_cents: z.record(z.string().min(1), wholeCents),
  /** Installments a deposit may be billed in (1: at once). */
  max_installments: count(12),
  /** Yearly interest paid on deposits held, percent (0: none). */
  interest_percent: percent,
  /** Refunded (or credited) after this many consecutive months with no late payment. */
  refund_after_on_time_months: count(60),
  /** A letter of credit from another utility waives the deposit when it shows this many months of service ... */
  letter_months: count(60),
  /** ... with no more late payments than this and no disconnection. */
  letter_max_late: count(12),
});

/**
 * Closed accounts: a debit balance left after the final bill moves to the customer's active account where policy
 * allows; else it is dunned by final notices, written off to bad debt and referred to a collection agency.
 */
const closedRules = z.strictObject({
  /** A debit balance moves to the same customer's active account (the final bill's due date passed or not). */
  transfer_debit: z.boolean(),
  /** A credit balance moves to the same customer's active account; else it is refunded. */
  transfer_credit: z.boolean(),
  /** The first closed-account notice this many days after the final bill's due date ... */
  first_notice_after_days: count(90),
  /** ... the second this many days after the due date ... */
  second_notice_after_days: count(180),
  /** ... written off to bad debt this many days after the due date ... */
  write_off_after_days: count(730),
  /** ... and referred to the collection agency this many days after the write-off. */
  agency_after_days: count(365),
  /** Balances under this, in cents, are written off but not referred. */
  min_agency_cents: wholeCents,
});

const CLOSED: z.infer<typeof closedRules> = {
  transfer_debit: true,
  transfer_credit: true,
  first_notice_after_days: 5,
  second_notice_after_days: 30,
  write_off_after_days: 90,
  agency_after_days: 0,
  min_agency_cents: "2500",
};

/** Level pay (PG&E's Balanced Payment Plan): the average of the last months' bills, reviewed, trued up yearly. */
const levelPayRules = z.strictObject({
  /** The level amount is the average of this many months of bills (fewer when the account is younger). */
  average_months: count(24),
  /** The amount is reviewed every this many months ... */
  review_every_months: count(12),
  /** ... and changed when the new average differs by at least this percent. */
  review_change_percent: percent,
  /** The deferred balance is settled (trued up) after this many months. */
  true_up_after_months: count(24),
});

const LEVEL_PAY: z.infer<typeof levelPayRules> = {
  average_months: 12,
  review_every_months: 4,
  review_change_percent: "10",
  true_up_after_months: 12,
};

/**
 * Collections: the dunning steps' day counts (PUC 779.1 / 10010.1: the disconnect notice no earlier than the due
 * date, at least 10 days before disconnection counted from 5 days after mailing, then a 48-hour notice), the amounts
 * below which no one is dunned, what protects a customer from disconnection, arrangements and restoration.
 */
const collectionRules = z.strictObject({
  /** A courtesy reminder this many days after the oldest past-due bill's due date. */
  reminder_after_days: count(60),
  /** The past-due (disconnect) notice this many days after the due date (never before it). */
  notice_after_days: count(90),
  /** A mailed notice counts from this many days after mailing ... */
  notice_mail_days: count(15),
  /** ... and disconnection may come no sooner than this many days after that. */
  notice_lead_days: count(60),
  /** The final notice goes this many hours before disconnection (48). */
  final_notice_hours: z.number().int().min(24).max(168),
  /** No reminder or notice for a past-due amount under this, in cents. */
  min_notice_cents: wholeCents,
  /** No final notice or disconnection for a past-due amount under this, in cents. */
  min_disconnect_cents: wholeCents,
  /** Which facts block disconnection (and the final notice before it). Disputes, kept arrangements and bankruptcy always do. */
  protect: z.strictObject({
    medical_baseline: z.boolean(),
    life_support: z.boolean(),
    age_65: z.boolean(),
    heat: z.boolean(),
    assistance_pledge: z.boolean(),
  }),
  /** A forecast high at or above this (degrees Fahrenheit) ... */
  heat_threshold_f: z.number().int().min(50).max(140),
  /** ... within this many hours blocks disconnection. */
  heat_window_hours: z.number().int().min(0).max(240),
  /** A payment arrangement spreads arrears over at most this many months. */
  arrangement_max_months: count(36),
  /** An extension gives at most this many days more to pay. */
  extension_max_days: count(90),
  /** Days of grace after an installment's due date before a missed installment breaks the arrangement. */
  arrangement_grace_days: count(30),
  /** The reconnection fee after a disconnection for non-payment, in cents ("0": none) ... */
  reconnection_fee_cents: wholeCents,
  /** ... and for a same-day reconnection asked after the cut-off hour. */
  after_hours_fee_cents: wholeCents,
  after_hours_from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time HH:MM"),
  /** Arrearage management (AMP): arrears forgiven a twelfth per on-time payment. */
  amp: z.strictObject({
    enabled: z.boolean(),
    min_arrears_cents: wholeCents,
    min_arrears_days: count(365),
    min_customer_months: count(60),
    cap_cents: wholeCents,
    out_after_misses: count(12),
  }),
  /** Closed accounts: what happens to a balance left after the final bill. */
  closed: closedRules.default(CLOSED),
  /** Level pay (budget billing): a monthly average, reviewed and trued up. */
  level_pay: levelPayRules.default(LEVEL_PAY),
});

const ruleSet = { credit: creditRules, deposit: depositRules, collections: collectionRules };
export const policyRules = z.strictObject(ruleSet);
export type PolicyRules = z.infer<typeof policyRules>;

const CREDIT: PolicyRules["credit"] = {
  late_payment_12: 8,
  late_payment_24: 3,
  returned_payment_12: 20,
  returned_payment_24: 8,
  disconnection_12: 35,
  disconnection_24: 15,
  poor_below: 60,
  min_history_months: 6,
  bureau_good_from: 620,
  bureau_valid_days: 90,
};

const CLASS_AVERAGE = {
  residential: "12000",
  commercial: "45000",
  industrial: "600000",
  agricultural: "90000",
  street_lighting: "20000",
} as Record<string, `${number}`>;

const COLLECTIONS: PolicyRules["collections"] = {
  reminder_after_days: 3,
  notice_after_days: 7,
  notice_mail_days: 5,
  notice_lead_days: 10,
  final_notice_hours: 48,
  min_notice_cents: "2500",
  min_disconnect_cents: "5000",
  // Municipal: life support or medical baseline on file blocks disconnection (a setting, on by default).
  protect: { medical_baseline: true, life_support: true, age_65: false, heat: false, assistance_pledge: false },
  heat_threshold_f: 100,
  heat_window_hours: 72,
  arrangement_max_months: 12,
  extension_max_days: 30,
  arrangement_grace_days: 5,
  // Hemet: $75, and $230 for a same-day reconnection asked after 3 PM.
  reconnection_fee_cents: "7500",
  after_hours_fee_cents: "23000",
  after_hours_from: "15:00",
  amp: {
    enabled: false,
    min_arrears_cents: "50000",
    min_arrears_days: 90,
    min_customer_months: 6,
    cap_cents: "800000",
    out_after_misses: 2,
  },
  closed: CLOSED,
  level_pay: LEVEL_PAY,
};

/** The shipped rule sets (DOMAIN.md, "Policy defaults"). */
export const PROFILE_DEFAULTS: Record<ProfileName, PolicyRules> = {
  // Creditworthiness only; 2x the estimated average monthly bill (Riverside, Hemet allow up to 3x); refunded after
  // 12 months with no late payment (Hemet); waived with another utility's letter of credit.
  municipal: {
    credit: CREDIT,
    deposit: {
      establishment: true,
      reestablishment: true,
      bankruptcy_assurance: true,
      bankruptcy_days: 20,
      bankruptcy_days_chapter_11: 30,
      multiple: "2",
      estimate_months: 12,
      class_average_cents: CLASS_AVERAGE,
      max_installments: 3,
      interest_percent: "0",
      refund_after_on_time_months: 12,
      letter_months: 12,
      letter_max_late: 0,
    },
    collections: COLLECTIONS,
  },
  // CPUC D.20-06-003: no establishment or re-establishment deposits; bankruptcy assurance stays (federal law).
  iou: {
    credit: CREDIT,
    deposit: {
      establishment: false,
      reestablishment: false,
      bankruptcy_assurance: true,
      bankruptcy_days: 20,
      bankruptcy_days_chapter_11: 30,
      multiple: "2",
      estimate_months: 12,
      class_average_cents: CLASS_AVERAGE,
      max_installments: 3,
      interest_percent: "0",
      refund_after_on_time_months: 12,
      letter_months: 12,
      letter_max_late: 0,
    },
    // D.20-06-003: no disconnection of medical baseline, life support or 65+ households, nor with 100 F forecast
    // within 72 hours or a LIHEAP pledge pending; no reconnection fee; AMP for CARE/FERA (Res. E-5114).
    collections: {
      ...COLLECTIONS,
      protect: { medical_baseline: true, life_support: true, age_65: true, heat: true, assistance_pledge: true },
      reconnection_fee_cents: "0",
      after_hours_fee_cents: "0",
      amp: { ...COLLECTIONS.amp, enabled: true },
    },
  },
};

/**
 * A profile's rule set as stored: a version saved before collections had rules reads with the profile's shipped
 * collections rules.
 */
const storedRules = (profile: ProfileName) =>
  z.strictObject({ ...ruleSet, collections: collectionRules.default(PROFILE_DEFAULTS[profile].collections) });

export const policyProfile = defineSetting<ProfileName>({
  key: "policy.profile",
  description:
    "The policy profile the utility follows: municipal (a California publicly owned utility, the default) or iou " +
    "(the rules the California PUC sets for investor-owned utilities). Its numbers are in policy.rules.<profile>.",
  schema: z.enum(PROFILES),
  default: "municipal",
});

export const profileRules: Record<ProfileName, ReturnType<typeof defineSetting<PolicyRules>>> = {
  municipal: defineSetting<PolicyRules>({
    key: "policy.rules.municipal",
    description:
      "The municipal profile's rules: the credit score's points and poor-credit line; deposits (which reasons, the " +
      "multiple of the average monthly bill, class averages, installments, interest, refund after on-time months, " +
      "letters of credit); collections (the dunning days, amounts, protections from disconnection, arrangements, " +
      "reconnection fees, arrearage management).",
    schema: storedRules("municipal"),
    default: PROFILE_DEFAULTS.municipal,
  }),
  iou: defineSetting<PolicyRules>({
    key: "policy.rules.iou",
    description:
      "The investor-owned-utility profile's rules (CPUC D.20-06-003: no establishment or re-establishment " +
      "deposits; bankruptcy assurance stays; more protections from disconnection; no reconnection fee; arrearage " +
      "management).",
    schema: storedRules("iou"),
    default: PROFILE_DEFAULTS.iou,
  }),
};

/** The profile in force on a date and its rules. */
export interface PolicyInForce {
  profile: ProfileName;
  rules: PolicyRules;
  as_of: string;
}

export async function policyInForce(ctx: Ctx, asOf: string, profile?: ProfileName): Promise<PolicyInForce> {
  const name = profile ?? (await getSetting(ctx.db, policyProfile, asOf));
  return { profile: name, rules: await getSetting(ctx.db, profileRules[name], asOf), as_of: asOf };
}
