import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
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
