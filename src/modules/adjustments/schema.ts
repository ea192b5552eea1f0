import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { glAccounts, journalEntries, receivableCredits, receivableItems } from "../ledger/schema.js";

const cents = (name: string) => bigint(name, { mode: "bigint" });
const ref = (name: string) => bigint(name, { mode: "number" });

/** A charge or credit made on an account outside billing, with its reason code. */
export const adjustments = pgTable(
  "adjustments",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** charge (a receivable item) | credit (matched to items, else unapplied) */
    kind: text("kind").notNull(),
    amountCents: cents("amount_cents").notNull(),
    reasonCode: text("reason_code").notNull(),
    note: text("note"),
    /** The GL account the reason posts against (credited by a charge, debited by a credit). */
    glAccount: text("gl_account")
      .notNull()
      .references(() => glAccounts.code),
    entryId: ref("entry_id")
      .notNull()
      .references(() => journalEntries.id),
    itemId: ref("item_id").references(() => receivableItems.id),
    creditId: ref("credit_id").references(() => receivableCredits.id),
    accountingDate: date("accounting_date", { mode: "string" }).notNull(),
    madeBy: text("made_by").notNull(),
    madeByUserId: ref("made_by_user_id"),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("adjustments_account_idx").on(t.accountId, t.id),
    check("adjustments_amount_check", sql`${t.amountCents} > 0`),
    check("adjustments_kind_check", sql`${t.kind} IN ('charge', 'credit')`),
    check(
      "adjustments_posting_check",
      sql`(${t.kind} = 'charge' AND ${t.itemId} IS NOT NULL) OR (${t.kind} = 'credit' AND ${t.creditId} IS NOT NULL)`,
    ),
  ],
);

/**
 * A credit adjustment or refund above the requester's approval limit, waiting for someone whose limit covers it.
 * Nothing posts until it is approved; approving posts it (as the approver, for the requester) in the same
 * transaction.
 */
export const approvalRequests = pgTable(
  "approval_requests",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    /** adjustment | refund */
    kind: text("kind").notNull(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    amountCents: cents("amount_cents").notNull(),
    /** The request as it was made (the adjustment's or refund's input), posted as is on approval. */
    payload: jsonb("payload").notNull(),
    /** One line for the queue: "Courtesy credit: storm outage". */
    summary: text("summary").notNull(),
    requestedBy: text("requested_by").notNull(),
    requestedByUserId: ref("requested_by_user_id"),
    requestedAt: timestamp("requested_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    /** pending | approved | rejected */
    status: text("status").notNull().default("pending"),
    decidedBy: text("decided_by"),
    decidedByUserId: ref("decided_by_user_id"),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "string" }),
    decisionNote: text("decision_note"),
    /** What approval posted: the adjustment or the refund. */
    adjustmentId: ref("adjustment_id").references(() => adjustments.id),
    refundId: ref("refund_id"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("approval_requests_pending_idx").on(t.id).where(sql`${t.status} = 'pending'`),
    index("approval_requests_account_idx").on(t.accountId, t.id),
    check("approval_requests_kind_check", sql`${t.kind} IN ('adjustment', 'refund')`),
    check("approval_requests_status_check", sql`${t.status} IN ('pending', 'approved', 'rejected')`),
    check("approval_requests_amount_check", sql`${t.amountCents} > 0`),
  ],
);

/**
 * A refund of an account's credit balance, by check (to the mailing address) or ACH (to a bank account the
 * processor holds as a token): a receivable item of category `refund` (Dr receivables / Cr refunds payable) that
 * consumes the unapplied credit. Accounts payable pays it from the refund register.
 */
export const refunds = pgTable(
  "refunds",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    amountCents: cents("amount_cents").notNull(),
    /** check | ach */
    method: text("method").notNull(),
    payeeName: text("payee_name").notNull(),
    /** The mailing address for a check, as it was when the refund posted. */
    payeeAddress: text("payee_address"),
    processorToken: text("processor_token"),
    last4: text("last4"),
    reason: text("reason").notNull(),
    note: text("note"),
    /** pending_approval | posted | rejected */
    status: text("status").notNull(),
    itemId: ref("item_id").references(() => receivableItems.id),
    entryId: ref("entry_id").references(() => journalEntries.id),
    accountingDate: date("accounting_date", { mode: "string" }),
    requestedBy: text("requested_by").notNull(),
    requestedByUserId: ref("requested_by_user_id"),
    approvedBy: text("approved_by"),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("refunds_account_idx").on(t.accountId, t.id),
    index("refunds_date_idx").on(t.accountingDate, t.id),
    check("refunds_amount_check", sql`${t.amountCents} > 0`),
    check("refunds_method_check", sql`${t.method} IN ('check', 'ach')`),
    check("refunds_status_check", sql`${t.status} IN ('pending_approval', 'posted', 'rejected')`),
    check(
      "refunds_posted_check",
      sql`${t.status} <> 'posted' OR (${t.itemId} IS NOT NULL AND ${t.accountingDate} IS NOT NULL)`,
    ),
  ],
);
