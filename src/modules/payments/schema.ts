import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { glAccounts, journalEntries, receivableCredits, receivableItems } from "../ledger/schema.js";
import { cashDrawers } from "./cashiering-schema.js";

const cents = (name: string) => bigint(name, { mode: "bigint" });
const ref = (name: string) => bigint(name, { mode: "number" });

/** A payment event: money received once (one or more tenders), distributed over one or more accounts. */
export const payments = pgTable(
  "payments",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    /** The business date it was posted, from the business clock. */
    accountingDate: date("accounting_date", { mode: "string" }).notNull(),
    /** When the utility received it (a check in the mail may be posted a day later). */
    receivedOn: date("received_on", { mode: "string" }).notNull(),
    /** phone | mail | counter | drop_box | back_office */
    channel: text("channel").notNull(),
    totalCents: cents("total_cents").notNull(),
    note: text("note"),
    takenBy: text("taken_by").notNull(),
    takenByUserId: ref("taken_by_user_id"),
    /** posted | reversed */
    status: text("status").notNull().default("posted"),
    reversalReason: text("reversal_reason"),
    reversalNote: text("reversal_note"),
    reversedOn: date("reversed_on", { mode: "string" }),
    reversedBy: text("reversed_by"),
    /** A returned payment (returned check, NSF, ACH return): it counts toward cash-only status. */
    returned: boolean("returned").notNull().default(false),
    /** The returned-payment fee charged for it, if any. */
    feeItemId: ref("fee_item_id").references(() => receivableItems.id),
    feeCents: cents("fee_cents"),
    /** The cash drawer it was taken into at the counter. */
    drawerId: ref("drawer_id").references(() => cashDrawers.id),
    /**
     * Where a payment posted by a batch job came from ("batch:12:3", "lockbox:5:17"): unique, so a job cut off and
     * run again can never post the same payment twice.
     */
    sourceRef: text("source_ref"),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    check("payments_total_check", sql`${t.totalCents} > 0`),
    check("payments_status_check", sql`${t.status} IN ('posted', 'reversed')`),
    index("payments_reversed_idx").on(t.reversedOn).where(sql`${t.returned}`),
    uniqueIndex("payments_source_ref_key").on(t.sourceRef),
    index("payments_drawer_idx").on(t.drawerId).where(sql`${t.drawerId} IS NOT NULL`),
  ],
);

/** How a payment was paid: each tender with its amount. Card and ACH keep a processor token and last four only. */
export const paymentTenders = pgTable(
  "payment_tenders",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    paymentId: ref("payment_id")
      .notNull()
      .references(() => payments.id),
    position: integer("position").notNull(),
    /** check | money_order | card | ach */
    type: text("type").notNull(),
    amountCents: cents("amount_cents").notNull(),
    /** The GL account the tender's money is in (bank clearing; a cash drawer once cash is taken). */
    glAccount: text("gl_account")
      .notNull()
      .references(() => glAccounts.code),
    checkNumber: text("check_number"),
    serialNumber: text("serial_number"),
    processorToken: text("processor_token"),
    brand: text("brand"),
    last4: text("last4"),
    routingLast4: text("routing_last4"),
  },
  (t) => [
    index("payment_tenders_payment_idx").on(t.paymentId),
    check("payment_tenders_amount_check", sql`${t.amountCents} > 0`),
  ],
);

/**
 * A payment's share on one account: one ledger credit. A transfer or a reversal never edits a share's amount: it
 * marks the share transferred or reversed (its credit reversed in the ledger) and, for a transfer, adds new shares.
 */
export const paymentLines = pgTable(
  "payment_lines",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    paymentId: ref("payment_id")
      .notNull()
      .references(() => payments.id),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    amountCents: cents("amount_cents").notNull(),
    glAccount: text("gl_account")
      .notNull()
      .references(() => glAccounts.code),
    /** The items the payer directed it to, in order (null: oldest due first). */
    itemIds: jsonb("item_ids").$type<number[] | null>(),
    creditId: ref("credit_id")
      .notNull()
      .references(() => receivableCredits.id),
    entryId: ref("entry_id")
      .notNull()
      .references(() => journalEntries.id),
    /** posted | transferred | reversed */
    status: text("status").notNull().default("posted"),
    /** The transfer that made this share (null for the payment's own distribution). */
    fromTransferId: ref("from_transfer_id"),
    /** The transfer that moved it away. */
    transferId: ref("transfer_id"),
    reversalEntryId: ref("reversal_entry_id").references(() => journalEntries.id),
  },
  (t) => [
    index("payment_lines_payment_idx").on(t.paymentId),
    uniqueIndex("payment_lines_credit_key").on(t.creditId),
    index("payment_lines_account_idx").on(t.accountId, t.paymentId),
    check("payment_lines_amount_check", sql`${t.amountCents} > 0`),
    check("payment_lines_status_check", sql`${t.status} IN ('posted', 'transferred', 'reversed')`),
  ],
);

/** A payment (or part of it) moved from the account it was posted to onto another. */
export const paymentTransfers = pgTable(
  "payment_transfers",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    paymentId: ref("payment_id")
      .notNull()
      .references(() => payments.id),
    fromAccountId: ref("from_account_id")
      .notNull()
      .references(() => accounts.id),
    toAccountId: ref("to_account_id")
      .notNull()
      .references(() => accounts.id),
    amountCents: cents("amount_cents").notNull(),
    reason: text("reason").notNull(),
    accountingDate: date("accounting_date", { mode: "string" }).notNull(),
    madeBy: text("made_by").notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("payment_transfers_payment_idx").on(t.paymentId),
    check("payment_transfers_amount_check", sql`${t.amountCents} > 0`),
  ],
);

/** A time an account takes cash only (after returned payments): from `starts_on` until the day before `ends_on`. */
export const cashOnlyPeriods = pgTable(
  "cash_only_periods",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    startsOn: date("starts_on", { mode: "string" }).notNull(),
    endsOn: date("ends_on", { mode: "string" }).notNull(),
    reason: text("reason").notNull(),
    /** The returned payment that set it. */
    paymentId: ref("payment_id").references(() => payments.id),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("cash_only_periods_account_idx").on(t.accountId, t.endsOn),
    check("cash_only_periods_dates_check", sql`${t.startsOn} < ${t.endsOn}`),
  ],
);
