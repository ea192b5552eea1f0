import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { journalEntries } from "../ledger/schema.js";

const cents = (name: string) => bigint(name, { mode: "bigint" });
const ref = (name: string) => bigint(name, { mode: "number" });
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "string" });

/**
 * A cashier's cash drawer for one business day: opened with a float (Dr change fund / Cr cash drawers, reversed
 * at close), takes counter payments (cash, checks and money orders post to the cash drawers GL account), closed
 * with counted amounts by tender type; the over/short and the bank deposit are posted at close; a supervisor signs
 * off. One open drawer per cashier.
 */
export const cashDrawers = pgTable(
  "cash_drawers",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    /** Where it is (a counter, an office): free text chosen by the cashier. */
    location: text("location").notNull(),
    cashierUserId: ref("cashier_user_id").notNull(),
    cashier: text("cashier").notNull(),
    /** The business date it was opened on. */
    businessDate: date("business_date", { mode: "string" }).notNull(),
    floatCents: cents("float_cents").notNull(),
    /** open | closed | signed_off */
    status: text("status").notNull().default("open"),
    openedAt: instant("opened_at").notNull().defaultNow(),
    openEntryId: ref("open_entry_id").references(() => journalEntries.id),
    closedAt: instant("closed_at"),
    closedBy: text("closed_by"),
    /** Counted less expected, all tenders together (negative: short). */
    overShortCents: cents("over_short_cents"),
    /** The entry that returned the float, posted the over/short and moved the deposit to bank clearing. */
    closeEntryId: ref("close_entry_id").references(() => journalEntries.id),
    /** What goes to the bank: the counted cash less the float kept, and the checks and money orders. */
    depositCents: cents("deposit_cents"),
    closeNote: text("close_note"),
    signedOffBy: text("signed_off_by"),
    signedOffAt: instant("signed_off_at"),
    signOffNote: text("sign_off_note"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("cash_drawers_one_open_key").on(t.cashierUserId).where(sql`${t.status} = 'open'`),
    index("cash_drawers_date_idx").on(t.businessDate, t.id),
    check("cash_drawers_status_check", sql`${t.status} IN ('open', 'closed', 'signed_off')`),
    check("cash_drawers_float_check", sql`${t.floatCents} >= 0`),
  ],
);

/** A drawer's count at close, per tender type: what the payments say should be there and what was counted. */
export const cashDrawerCounts = pgTable(
  "cash_drawer_counts",
  {
    drawerId: ref("drawer_id")
      .notNull()
      .references(() => cashDrawers.id),
    /** cash | check | money_order */
    tenderType: text("tender_type").notNull(),
    /** Cash includes the float. */
    expectedCents: cents("expected_cents").notNull(),
    countedCents: cents("counted_cents").notNull(),
    /** How many checks or money orders were expected and counted (null for cash). */
    expectedCount: integer("expected_count"),
    countedCount: integer("counted_count"),
  },
  (t) => [
    primaryKey({ columns: [t.drawerId, t.tenderType] }),
    check("cash_drawer_counts_tender_check", sql`${t.tenderType} IN ('cash', 'check', 'money_order')`),
    check("cash_drawer_counts_counted_check", sql`${t.countedCents} >= 0`),
  ],
);

/**
 * A batch of mailed payments keyed on the 10-key pad against the adding-machine tape: a control count and total,
 * then rows of account number and amount. It posts, all rows in one transaction, only when the rows match the
 * control count and total.
 */
export const paymentBatches = pgTable(
  "payment_batches",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    businessDate: date("business_date", { mode: "string" }).notNull(),
    label: text("label"),
    controlCount: integer("control_count").notNull(),
    controlTotalCents: cents("control_total_cents").notNull(),
    /** check | money_order | cash (the tender every row of the batch was paid by) */
    tenderType: text("tender_type").notNull().default("check"),
    /** open | posted | cancelled */
    status: text("status").notNull().default("open"),
    createdBy: text("created_by").notNull(),
    createdByUserId: ref("created_by_user_id"),
    createdAt: instant("created_at").notNull().defaultNow(),
    postedBy: text("posted_by"),
    postedAt: instant("posted_at"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("payment_batches_status_idx").on(t.status, t.id),
    check("payment_batches_status_check", sql`${t.status} IN ('open', 'posted', 'cancelled')`),
    check("payment_batches_control_check", sql`${t.controlCount} > 0 AND ${t.controlTotalCents} > 0`),
  ],
);

/** One keyed row of a batch. */
export const paymentBatchRows = pgTable(
  "payment_batch_rows",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    batchId: ref("batch_id")
      .notNull()
      .references(() => paymentBatches.id),
    /** 1, 2, 3, ... in keying order. */
    position: integer("position").notNull(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    amountCents: cents("amount_cents").notNull(),
    checkNumber: text("check_number"),
    /** The payment it became, once the batch posts. */
    paymentId: ref("payment_id"),
  },
  (t) => [
    uniqueIndex("payment_batch_rows_position_key").on(t.batchId, t.position),
    check("payment_batch_rows_amount_check", sql`${t.amountCents} > 0`),
  ],
);

/**
 * A lockbox file from the bank (CSV or BAI2). The file's SHA-256 is unique: a file imported again resumes the
 * import it belongs to (if it was cut off) or posts nothing.
 */
export const lockboxFiles = pgTable(
  "lockbox_files",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    fileName: text("file_name").notNull(),
    sha256: text("sha256").notNull(),
    /** csv | bai2 */
    format: text("format").notNull(),
    /** The bank's deposit date for the file (its header), else the business date it was imported on. */
    depositDate: date("deposit_date", { mode: "string" }).notNull(),
    businessDate: date("business_date", { mode: "string" }).notNull(),
    itemCount: integer("item_count").notNull(),
    totalCents: cents("total_cents").notNull(),
    /** importing | imported */
    status: text("status").notNull().default("importing"),
    postedCount: integer("posted_count").notNull().default(0),
    postedCents: cents("posted_cents").notNull().default(sql`0`),
    suspenseCount: integer("suspense_count").notNull().default(0),
    suspenseCents: cents("suspense_cents").notNull().default(sql`0`),
    importedBy: text("imported_by").notNull(),
    startedAt: instant("started_at").notNull().defaultNow(),
    completedAt: instant("completed_at"),
  },
  (t) => [
    uniqueIndex("lockbox_files_sha256_key").on(t.sha256),
    check("lockbox_files_status_check", sql`${t.status} IN ('importing', 'imported')`),
    check("lockbox_files_format_check", sql`${t.format} IN ('csv', 'bai2')`),
  ],
);

/**
 * One payment of a lockbox file, by its line in the file. Matched by account number it posts as a payment;
 * unmatched it is parked in suspense (Dr bank clearing / Cr payment suspense) and worked from the suspense queue:
 * applied to an account (a payment Dr suspense / Cr the account) or returned to the sender.
 */
export const lockboxItems = pgTable(
  "lockbox_items",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    fileId: ref("file_id")
      .notNull()
      .references(() => lockboxFiles.id),
    /** The line of the file the payment is on (the detail record, in BAI2). */
    lineNumber: integer("line_number").notNull(),
    /** The account number as the bank read it off the stub. */
    accountNumber: text("account_number"),
    amountCents: cents("amount_cents").notNull(),
    checkNumber: text("check_number"),
    remitter: text("remitter"),
    /** The account it was matched or applied to. */
    accountId: ref("account_id").references(() => accounts.id),
    /** posted | suspense | applied | returned */
    status: text("status").notNull(),
    /** Why it went to suspense: no_account_number | check_digit | no_such_account. */
    suspenseReason: text("suspense_reason"),
    paymentId: ref("payment_id"),
    suspenseEntryId: ref("suspense_entry_id").references(() => journalEntries.id),
    /** Who worked it from the suspense queue, when, and their note. */
    workedBy: text("worked_by"),
    workedAt: instant("worked_at"),
    workNote: text("work_note"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("lockbox_items_line_key").on(t.fileId, t.lineNumber),
    index("lockbox_items_suspense_idx").on(t.id).where(sql`${t.status} = 'suspense'`),
    check("lockbox_items_amount_check", sql`${t.amountCents} > 0`),
    check("lockbox_items_status_check", sql`${t.status} IN ('posted', 'suspense', 'applied', 'returned')`),
  ],
);
