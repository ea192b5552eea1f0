import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { journalEntries } from "../ledger/schema.js";
import { serviceAgreements } from "../service/schema.js";

const ref = (name: string) => bigint(name, { mode: "number" });
const cents = (name: string) => bigint(name, { mode: "bigint" });

/** A bill run: one cycle on one bill date. A (cycle, bill date) is run once; a killed run resumes. */
export const billRuns = pgTable(
  "bill_runs",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    /** The bill cycle ("01".."21"), as accounts carry it. */
    cycle: text("cycle").notNull(),
    billDate: date("bill_date", { mode: "string" }).notNull(),
    /** running | completed */
    status: text("status").notNull(),
    accountsTotal: integer("accounts_total").notNull().default(0),
    billed: integer("billed").notNull().default(0),
    held: integer("held").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    /** The last account id done: a resumed run carries on after it (moved in each chunk's transaction). */
    cursorAccountId: ref("cursor_account_id").notNull().default(0),
    startedBy: text("started_by").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "string" }),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    unique("bill_runs_cycle_date_key").on(t.cycle, t.billDate),
    check("bill_runs_status_check", sql`${t.status} IN ('running', 'completed')`),
  ],
);

/**
 * A bill: one account, one period. Issued bills carry their journal entry (one balanced entry: receivable items by
 * category against revenue); held bills wait in the exception queue with no entry; a cancelled bill's entry is
 * reversed. The lines are the rate engine's, per service agreement, each with the tariff rule it came from.
 */
export const bills = pgTable(
  "bills",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** The run that made it; null for a rebill made by hand. */
    runId: ref("run_id").references(() => billRuns.id),
    billDate: date("bill_date", { mode: "string" }).notNull(),
    periodFrom: date("period_from", { mode: "string" }).notNull(),
    periodTo: date("period_to", { mode: "string" }).notNull(),
    mailDate: date("mail_date", { mode: "string" }).notNull(),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    /** issued | held | cancelled */
    status: text("status").notNull(),
    /** This bill's charges (the sum of its lines). */
    totalCents: cents("total_cents").notNull(),
    /** The account balance before this bill's charges. */
    priorBalanceCents: cents("prior_balance_cents").notNull(),
    /** Payments and credits since the previous bill. */
    paymentsSinceCents: cents("payments_since_cents").notNull(),
    /** The balance with this bill: what the customer owes by the due date. */
    amountDueCents: cents("amount_due_cents").notNull(),
    kwh: numeric("kwh").notNull(),
    estimated: boolean("estimated").notNull().default(false),
    /** [{ sa_id, tariff_code, versions: [effective_from], period: {from, to}, reads: {...}, kwh, lines: [...] }] */
    detail: jsonb("detail").notNull(),
    /** Why it is held: high_usage, consecutive_estimates, negative_usage, over_threshold (with words in exception_note). */
    exception: text("exception"),
    exceptionNote: text("exception_note"),
    entryId: ref("entry_id").references(() => journalEntries.id),
    cancelEntryId: ref("cancel_entry_id").references(() => journalEntries.id),
    cancelReason: text("cancel_reason"),
    /** The bill this one replaces (cancel/rebill). */
    rebillOf: ref("rebill_of"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    unique("bills_run_account_key").on(t.runId, t.accountId),
    index("bills_account_idx").on(t.accountId, t.billDate),
    index("bills_held_idx").on(t.status).where(sql`${t.status} = 'held'`),
    check("bills_status_check", sql`${t.status} IN ('issued', 'held', 'cancelled')`),
    check("bills_period_check", sql`${t.periodFrom} <= ${t.periodTo}`),
  ],
);

/**
 * What a bill billed of each service agreement: the period and usage. The latest period_to of an agreement's
 * bills that are not cancelled is where its next bill starts.
 */
export const billSegments = pgTable(
  "bill_segments",
  {
    billId: ref("bill_id")
      .notNull()
      .references(() => bills.id),
    accountId: ref("account_id").notNull(),
    serviceAgreementId: ref("service_agreement_id")
      .notNull()
      .references(() => serviceAgreements.id),
    periodFrom: date("period_from", { mode: "string" }).notNull(),
    periodTo: date("period_to", { mode: "string" }).notNull(),
    kwh: numeric("kwh").notNull(),
    /** The read that closed the period (null when the period ended at a stop without a read). */
    endReadId: ref("end_read_id"),
    estimated: boolean("estimated").notNull().default(false),
    /** false once the bill is cancelled. */
    active: boolean("active").notNull().default(true),
  },
  (t) => [
    unique("bill_segments_bill_sa_key").on(t.billId, t.serviceAgreementId),
    index("bill_segments_sa_idx").on(t.serviceAgreementId, t.periodTo).where(sql`${t.active}`),
  ],
);
