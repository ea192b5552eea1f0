import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** One interaction with a customer: channel, reason, notes, outcome, who and when. */
export const contacts = pgTable(
  "contacts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    accountId: bigint("account_id", { mode: "number" }).notNull(),
    partyId: bigint("party_id", { mode: "number" }),
    /** phone | email | mail | in_person */
    channel: text("channel").notNull(),
    reasonCode: text("reason_code").notNull(),
    notes: text("notes").notNull().default(""),
    /** resolved | follow_up | referred | no_answer ... */
    outcome: text("outcome").notNull(),
    userId: bigint("user_id", { mode: "number" }),
    username: text("username").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "string" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [index("contacts_account_idx").on(t.accountId, t.occurredAt)],
);
