import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";

const cents = (name: string) => bigint(name, { mode: "bigint" });
const ref = (name: string) => bigint(name, { mode: "number" });

/**
 * The chart of GL accounts. Codes are the utility's own; `purpose` names the few accounts the system posts to by
 * default, and `subledger` marks the accounts whose postings carry a customer account and make up its balance.
 */
export const glAccounts = pgTable(
  "gl_accounts",
  {
    code: text("code").primaryKey(),
    name: text("name").notNull(),
    /** asset | liability | equity | revenue | expense */
    type: text("type").notNull(),
    /** What the system uses it for by default (receivables, unapplied_cash, revenue_energy, ...); unique when set. */
    purpose: text("purpose"),
    /** receivable (open items) | unapplied (unapplied credits) | null (not part of an account's balance) */
    subledger: text("subledger"),
    active: boolean("active").notNull().default(true),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("gl_accounts_purpose_key").on(t.purpose),
    check("gl_accounts_type_check", sql`${t.type} IN ('asset', 'liability', 'equity', 'revenue', 'expense')`),
    check("gl_accounts_subledger_check", sql`${t.subledger} IS NULL OR ${t.subledger} IN ('receivable', 'unapplied')`),
  ],
);

/** The general journal: one row per financial event, immutable (a trigger refuses UPDATE and DELETE). */
export const journalEntries = pgTable(
  "journal_entries",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    /** charge | credit | clearing | reset | reversal | general */
    kind: text("kind").notNull(),
    /** The business date in the utility's zone, from the business clock. */
    accountingDate: date("accounting_date", { mode: "string" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    /** The customer account the entry concerns, if any. */
    accountId: ref("account_id").references(() => accounts.id),
    reference: text("reference").notNull().default(""),
    description: text("description").notNull().default(""),
    /** The entry this one reverses; unique, so an entry is reversed at most once. */
    reversesEntryId: ref("reverses_entry_id")
      .unique("journal_entries_reverses_key")
      .references((): AnyPgColumn => journalEntries.id),
    actorName: text("actor_name").notNull(),
    requestId: text("request_id"),
  },
  (t) => [
    index("journal_entries_account_idx").on(t.accountId, t.id),
    index("journal_entries_date_idx").on(t.accountingDate),
    check("journal_entries_reversal_check", sql`(${t.kind} = 'reversal') = (${t.reversesEntryId} IS NOT NULL)`),
  ],
);

/** A receivable item: one charge on an account (a bill line by category, a fee, a deposit installment, ...). */
export const receivableItems = pgTable(
  "receivable_items",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** energy | delivery | tax | fee | deposit | adjustment | refund | transfer */
    category: text("category").notNull(),
    serviceFrom: date("service_from", { mode: "string" }),
    serviceTo: date("service_to", { mode: "string" }),
    /** Null until billed. */
    dueDate: date("due_date", { mode: "string" }),
    accountingDate: date("accounting_date", { mode: "string" }).notNull(),
    originalCents: cents("original_cents").notNull(),
    /** What is still owed on it; 0 when cleared or reversed. */
    openCents: cents("open_cents").notNull(),
    reference: text("reference").notNull().default(""),
    description: text("description").notNull().default(""),
    entryId: ref("entry_id")
      .notNull()
      .references(() => journalEntries.id),
    reversalEntryId: ref("reversal_entry_id").references(() => journalEntries.id),
    /**
     * Paid after everything else: set while the item is held from collection (stayed in bankruptcy, enrolled in
     * arrearage management), so what the customer pays goes to what is collectible first.
     */
    clearsLast: boolean("clears_last").notNull().default(false),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("receivable_items_account_idx").on(t.accountId, t.id),
    index("receivable_items_open_idx").on(t.accountId, t.dueDate).where(sql`${t.openCents} > 0`),
    check("receivable_items_amount_check", sql`${t.originalCents} > 0`),
    check("receivable_items_open_check", sql`${t.openCents} >= 0 AND ${t.openCents} <= ${t.originalCents}`),
    check(
      "receivable_items_period_check",
      sql`(${t.serviceFrom} IS NULL) = (${t.serviceTo} IS NULL) AND (${t.serviceFrom} IS NULL OR ${t.serviceFrom} <= ${t.serviceTo})`,
    ),
  ],
);

/** A credit on an account (payment, credit adjustment, write-off, ...); what is not yet matched is unapplied. */
export const receivableCredits = pgTable(
  "receivable_credits",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** payment | credit_adjustment | write_off | forgiveness | transfer | deposit_application */
    kind: text("kind").notNull(),
    accountingDate: date("accounting_date", { mode: "string" }).notNull(),
    originalCents: cents("original_cents").notNull(),
    /** The unapplied remainder. */
    openCents: cents("open_cents").notNull(),
    /** The GL account debited (cash drawer, bank clearing, bad debt, ...). */
    glAccount: text("gl_account")
      .notNull()
      .references(() => glAccounts.code),
    reference: text("reference").notNull().default(""),
    description: text("description").notNull().default(""),
    entryId: ref("entry_id")
      .notNull()
      .references(() => journalEntries.id),
    reversalEntryId: ref("reversal_entry_id").references(() => journalEntries.id),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("receivable_credits_account_idx").on(t.accountId, t.id),
    index("receivable_credits_open_idx").on(t.accountId).where(sql`${t.openCents} > 0`),
    check("receivable_credits_amount_check", sql`${t.originalCents} > 0`),
    check("receivable_credits_open_check", sql`${t.openCents} >= 0 AND ${t.openCents} <= ${t.originalCents}`),
  ],
);

/** A clearing: part of a credit matched to part of an item. A reset (or the reversal of either side) undoes it. */
export const receivableMatches = pgTable(
  "receivable_matches",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    itemId: ref("item_id")
      .notNull()
      .references(() => receivableItems.id),
    creditId: ref("credit_id")
      .notNull()
      .references(() => receivableCredits.id),
    amountCents: cents("amount_cents").notNull(),
    accountingDate: date("accounting_date", { mode: "string" }).notNull(),
    /** The clearing entry that posted it. */
    entryId: ref("entry_id")
      .notNull()
      .references(() => journalEntries.id),
    /** The reset entry that undid it. */
    undoneByEntryId: ref("undone_by_entry_id").references(() => journalEntries.id),
  },
  (t) => [
    index("receivable_matches_item_idx").on(t.itemId),
    index("receivable_matches_credit_idx").on(t.creditId),
    index("receivable_matches_account_idx").on(t.accountId),
    check("receivable_matches_amount_check", sql`${t.amountCents} > 0`),
  ],
);

/** The lines of a journal entry: debits positive, credits negative; an entry's lines sum to zero. Immutable. */
export const journalPostings = pgTable(
  "journal_postings",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    entryId: ref("entry_id")
      .notNull()
      .references(() => journalEntries.id),
    glAccount: text("gl_account")
      .notNull()
      .references(() => glAccounts.code),
    /** The customer account (always set on receivable and unapplied postings). */
    accountId: ref("account_id").references(() => accounts.id),
    /** The receivable item a receivable posting belongs to. */
    itemId: ref("item_id").references(() => receivableItems.id),
    /** The credit an unapplied posting belongs to. */
    creditId: ref("credit_id").references(() => receivableCredits.id),
    amountCents: cents("amount_cents").notNull(),
  },
  (t) => [
    index("journal_postings_entry_idx").on(t.entryId),
    index("journal_postings_account_idx").on(t.accountId, t.entryId).where(sql`${t.accountId} IS NOT NULL`),
    check("journal_postings_amount_check", sql`${t.amountCents} <> 0`),
  ],
);

/** The cached balance of an account (the sum of its receivable and unapplied postings); its row is the account's lock. */
export const accountBalances = pgTable("account_balances", {
  accountId: ref("account_id")
    .primaryKey()
    .references(() => accounts.id),
  balanceCents: cents("balance_cents").notNull().default(sql`0`),
});
