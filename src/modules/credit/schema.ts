import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { parties } from "../parties/schema.js";

const ref = (name: string) => bigint(name, { mode: "number" });
const cents = (name: string) => bigint(name, { mode: "bigint" });

/** An external credit check of a customer through a bureau adapter (the sandbox adapter is named as such). */
export const creditChecks = pgTable(
  "credit_checks",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    partyId: ref("party_id")
      .notNull()
      .references(() => parties.id),
    /** The adapter that answered: "sandbox" or a bureau's name. */
    bureau: text("bureau").notNull(),
    /** The bureau's score (300-850 for the sandbox) and what the policy made of it. */
    score: integer("score").notNull(),
    /** good | poor */
    rating: text("rating").notNull(),
    reasons: jsonb("reasons").notNull(),
    /** The bureau's reference for the inquiry. */
    reference: text("reference").notNull(),
    checkedOn: date("checked_on", { mode: "string" }).notNull(),
    checkedBy: text("checked_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [index("credit_checks_party_idx").on(t.partyId, t.checkedOn)],
);

/** A letter of credit from another utility: the customer's record there, which may waive a deposit here. */
export const lettersOfCredit = pgTable(
  "letters_of_credit",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    partyId: ref("party_id")
      .notNull()
      .references(() => parties.id),
    accountId: ref("account_id").references(() => accounts.id),
    issuer: text("issuer").notNull(),
    /** Months of service the letter shows, late payments and disconnections in them. */
    monthsOfService: integer("months_of_service").notNull(),
    latePayments: integer("late_payments").notNull(),
    disconnections: integer("disconnections").notNull(),
    /** The date on the letter. */
    issuedOn: date("issued_on", { mode: "string" }).notNull(),
    receivedOn: date("received_on", { mode: "string" }).notNull(),
    note: text("note").notNull().default(""),
    recordedBy: text("recorded_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("letters_of_credit_party_idx").on(t.partyId),
    check(
      "letters_of_credit_counts_check",
      sql`${t.monthsOfService} >= 0 AND ${t.latePayments} >= 0 AND ${t.disconnections} >= 0`,
    ),
  ],
);

/**
 * A deposit on an account: required by a policy decision (its rule, facts and sentence kept here), billed as
 * receivable items of category "deposit" (Cr deposits held, a liability), at once or in installments; then waived,
 * refunded after the run of on-time payments (with interest where policy says), or applied to the final bill.
 */
export const deposits = pgTable(
  "deposits",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** establishment | reestablishment | bankruptcy_assurance */
    reason: text("reason").notNull(),
    /** billed | waived | refunded | applied | cancelled */
    status: text("status").notNull(),
    amountCents: cents("amount_cents").notNull(),
    installments: integer("installments").notNull(),
    ruleId: text("rule_id").notNull(),
    facts: jsonb("facts").notNull(),
    explanation: text("explanation").notNull(),
    requestedOn: date("requested_on", { mode: "string" }).notNull(),
    requestedBy: text("requested_by").notNull(),
    /** Waived: the letter of credit (or the note) that waived it. */
    letterId: ref("letter_id").references(() => lettersOfCredit.id),
    closedOn: date("closed_on", { mode: "string" }),
    closedNote: text("closed_note"),
    /** What was paid back or applied, and the interest on it. */
    returnedCents: cents("returned_cents").notNull().default(sql`0`),
    interestCents: cents("interest_cents").notNull().default(sql`0`),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("deposits_account_idx").on(t.accountId),
    index("deposits_billed_idx").on(t.id).where(sql`${t.status} = 'billed'`),
    check("deposits_amount_check", sql`${t.amountCents} > 0 AND ${t.installments} BETWEEN 1 AND 12`),
    check("deposits_status_check", sql`${t.status} IN ('billed', 'waived', 'refunded', 'applied', 'cancelled')`),
  ],
);

/** A policy decision acted on: the rule, the facts and the sentence, as they were when the system acted. */
export const policyDecisions = pgTable(
  "policy_decisions",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    ruleId: text("rule_id").notNull(),
    decision: text("decision").notNull(),
    facts: jsonb("facts").notNull(),
    explanation: text("explanation").notNull(),
    /** What it was acted on: "deposit:12". */
    subject: text("subject").notNull(),
    decidedOn: date("decided_on", { mode: "string" }).notNull(),
    decidedBy: text("decided_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [index("policy_decisions_account_idx").on(t.accountId, t.id)],
);
