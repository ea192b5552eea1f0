import {
  bigint,
  boolean,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { parties } from "../parties/schema.js";

/** The financial relationship: billed and paid. */
export const accounts = pgTable(
  "accounts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    /** 10 digits, the last a Luhn check digit. */
    accountNumber: text("account_number").notNull().unique(),
    /** pending | active | closed */
    status: text("status").notNull().default("active"),
    /** residential | commercial | industrial | agricultural | street_lighting */
    customerClass: text("customer_class").notNull().default("residential"),
    mainPartyId: bigint("main_party_id", { mode: "number" })
      .notNull()
      .references(() => parties.id),
    /** When null, bills go to the main customer's mailing address. */
    mailingLine1: text("mailing_line1"),
    mailingLine2: text("mailing_line2"),
    mailingCity: text("mailing_city"),
    mailingState: text("mailing_state"),
    mailingZip: text("mailing_zip"),
    /** mail | email */
    noticeChannel: text("notice_channel").notNull().default("mail"),
    /** The bill cycle (route read and billed together), "01".."21". */
    billCycle: text("bill_cycle").notNull(),
    openedOn: date("opened_on", { mode: "string" }).notNull(),
    closedOn: date("closed_on", { mode: "string" }),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [index("accounts_main_party_idx").on(t.mainPartyId)],
);

/** Who is on an account: the main customer and co-applicants. */
export const accountParties = pgTable(
  "account_parties",
  {
    accountId: bigint("account_id", { mode: "number" })
      .notNull()
      .references(() => accounts.id),
    partyId: bigint("party_id", { mode: "number" })
      .notNull()
      .references(() => parties.id),
    /** main | co_applicant */
    role: text("role").notNull(),
    addedOn: date("added_on", { mode: "string" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.partyId] }), index("account_parties_party_idx").on(t.partyId)],
);

/** Enrolments that change what a customer pays (CARE, FERA, medical baseline), per account. */
export const enrolments = pgTable(
  "enrolments",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    accountId: bigint("account_id", { mode: "number" }).notNull(),
    partyId: bigint("party_id", { mode: "number" }).references(() => parties.id),
    /** care | fera | medical_baseline */
    program: text("program").notNull(),
    effectiveFrom: date("effective_from", { mode: "string" }).notNull(),
    effectiveTo: date("effective_to", { mode: "string" }),
    recertifyBy: date("recertify_by", { mode: "string" }),
    /** For medical baseline: true when no recertification is needed. */
    permanent: boolean("permanent").notNull().default(false),
    householdSize: integer("household_size"),
    note: text("note"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("enrolments_account_idx").on(t.accountId),
    uniqueIndex("enrolments_unique_start").on(t.accountId, t.program, t.effectiveFrom),
  ],
);
