import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { bills } from "../billing/schema.js";
import { journalEntries } from "../ledger/schema.js";

const ref = (name: string) => bigint(name, { mode: "number" });
const cents = (name: string) => bigint(name, { mode: "bigint" });

/**
 * A level pay plan (budget billing): while enrolled, each bill asks the level amount and the difference from the bill
 * is the deferred balance, settled at the true-up or when the plan ends. One plan in force per account.
 */
export const levelPayPlans = pgTable(
  "level_pay_plans",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** enrolled | ended */
    status: text("status").notNull(),
    enrolledOn: date("enrolled_on", { mode: "string" }).notNull(),
    enrolledBy: text("enrolled_by").notNull(),
    /** What each bill asks, in whole dollars. */
    levelCents: cents("level_cents").notNull(),
    /** The bills less the level amounts asked since the last true-up (more than zero: the customer owes it). */
    deferredCents: cents("deferred_cents").notNull().default(sql`0`),
    /** The account's latest bill at enrolment: the plan levels the bills after it. */
    afterBillId: ref("after_bill_id").notNull().default(0),
    /** The last review (or the bill the plan's year began with); the next falls due review_every_months later. */
    lastReviewOn: date("last_review_on", { mode: "string" }).notNull(),
    /** The true-up comes with the first bill on or after this day (a few days' slack: plan.ts DATE_SLACK_DAYS). */
    trueUpOn: date("true_up_on", { mode: "string" }).notNull(),
    endedOn: date("ended_on", { mode: "string" }),
    endedReason: text("ended_reason"),
    endedBy: text("ended_by"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("level_pay_plans_enrolled_key").on(t.accountId).where(sql`${t.status} = 'enrolled'`),
    index("level_pay_plans_account_idx").on(t.accountId, t.id),
    check("level_pay_plans_status_check", sql`${t.status} IN ('enrolled', 'ended')`),
    check("level_pay_plans_ended_check", sql`(${t.status} = 'ended') = (${t.endedOn} IS NOT NULL)`),
    check("level_pay_plans_level_check", sql`${t.levelCents} >= 0`),
  ],
);

/**
 * What happened to a plan, with the rule and the sentence: enrolled, a bill leveled (its actual amount, the level
 * amount asked, the deferred balance after), reviewed, trued up, a leveled bill cancelled, ended. A bill is leveled
 * once (unique per bill and kind).
 */
export const levelPayEvents = pgTable(
  "level_pay_events",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    planId: ref("plan_id")
      .notNull()
      .references(() => levelPayPlans.id),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    onDate: date("on_date", { mode: "string" }).notNull(),
    /** enrolled | billed | reviewed | trued_up | ended | bill_cancelled */
    kind: text("kind").notNull(),
    billId: ref("bill_id").references(() => bills.id),
    /** billed: the bill's charges. */
    actualCents: cents("actual_cents"),
    /** The level amount in force after the event. */
    levelCents: cents("level_cents").notNull(),
    deferredAfterCents: cents("deferred_after_cents").notNull(),
    /** trued_up, ended: the deferred balance settled (more than zero billed, less than zero credited). */
    settledCents: cents("settled_cents"),
    /** The ledger entry that posted it, if it moved money. */
    entryId: ref("entry_id").references(() => journalEntries.id),
    ruleId: text("rule_id").notNull(),
    facts: jsonb("facts").notNull().default({}),
    explanation: text("explanation").notNull(),
    recordedBy: text("recorded_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("level_pay_events_plan_idx").on(t.planId, t.id),
    index("level_pay_events_account_idx").on(t.accountId, t.id),
    uniqueIndex("level_pay_events_bill_key").on(t.billId, t.kind).where(sql`${t.billId} IS NOT NULL`),
    check(
      "level_pay_events_kind_check",
      sql`${t.kind} IN ('enrolled', 'billed', 'reviewed', 'trued_up', 'ended', 'bill_cancelled')`,
    ),
  ],
);
