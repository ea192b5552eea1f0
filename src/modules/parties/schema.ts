import { sql } from "drizzle-orm";
import { bigint, boolean, date, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** A customer: a person or a business. */
export const parties = pgTable(
  "parties",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    kind: text("kind", { enum: ["person", "business"] }).notNull(),
    firstName: text("first_name"),
    middleName: text("middle_name"),
    lastName: text("last_name"),
    businessName: text("business_name"),
    /** "Last, First" for persons, the business name for businesses: what lists and search show. */
    displayName: text("display_name").notNull(),
    language: text("language").notNull().default("en"),
    dateOfBirth: date("date_of_birth", { mode: "string" }),
    email: text("email"),
    mailingLine1: text("mailing_line1"),
    mailingLine2: text("mailing_line2"),
    mailingCity: text("mailing_city"),
    mailingState: text("mailing_state"),
    mailingZip: text("mailing_zip"),
    /** ssn | itin | ein | drivers_license */
    identityType: text("identity_type"),
    identityEncrypted: text("identity_encrypted"),
    identityLast4: text("identity_last4"),
    identityHash: text("identity_hash"),
    thirdPartyName: text("third_party_name"),
    thirdPartyPhone: text("third_party_phone"),
    thirdPartyEmail: text("third_party_email"),
    thirdPartyAddress: text("third_party_address"),
    /** Parties this one may duplicate (same identity number, or same name and birth date), found at creation. */
    possibleDuplicateIds: bigint("possible_duplicate_ids", { mode: "number" }).array().notNull().default(sql`'{}'`),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("parties_display_name_trgm").using("gin", sql`lower(${t.displayName}) gin_trgm_ops`),
    index("parties_last_name_idx").on(sql`lower(${t.lastName})`),
    index("parties_identity_hash_idx").on(t.identityHash),
    index("parties_identity_last4_idx").on(t.identityLast4),
    index("parties_name_dob_idx").on(sql`lower(${t.lastName})`, sql`lower(${t.firstName})`, t.dateOfBirth),
    index("parties_email_idx").on(sql`lower(${t.email})`),
  ],
);

/** Phone numbers of a party, E.164. */
export const partyPhones = pgTable(
  "party_phones",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    partyId: bigint("party_id", { mode: "number" })
      .notNull()
      .references(() => parties.id),
    /** mobile | home | work | other */
    label: text("label").notNull().default("mobile"),
    number: text("number").notNull(),
    isPrimary: boolean("is_primary").notNull().default(false),
  },
  (t) => [index("party_phones_party_idx").on(t.partyId), index("party_phones_number_idx").on(t.number)],
);

/** Flags that protect a customer, effective-dated, with a recertification date where one applies. */
export const partyFlags = pgTable(
  "party_flags",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    partyId: bigint("party_id", { mode: "number" })
      .notNull()
      .references(() => parties.id),
    /** medical_baseline | life_support | third_party_notification | language_assistance | hearing_impaired | ... */
    flag: text("flag").notNull(),
    effectiveFrom: date("effective_from", { mode: "string" }).notNull(),
    effectiveTo: date("effective_to", { mode: "string" }),
    recertifyBy: date("recertify_by", { mode: "string" }),
    note: text("note"),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("party_flags_party_idx").on(t.partyId)],
);
