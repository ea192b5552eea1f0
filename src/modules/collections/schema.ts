import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { receivableItems } from "../ledger/schema.js";
import { serviceOrders } from "../orders/schema.js";

const ref = (name: string) => bigint(name, { mode: "number" });
const cents = (name: string) => bigint(name, { mode: "bigint" });

/**
 * Where a delinquent account stands in the dunning steps (reminder, past-due notice, final notice, disconnect order,
 * disconnected): one row per account in collections, written by the daily run. An account whose past-due amount is
 * paid leaves the table (its events stay).
 */
export const collectionStates = pgTable(
  "collection_states",
  {
    accountId: ref("account_id")
      .primaryKey()
      .references(() => accounts.id),
    /** reminder | notice | final_notice | disconnect_ordered | disconnected */
    step: text("step").notNull(),
    stepOn: date("step_on", { mode: "string" }).notNull(),
    /** The past-due notice's date, and the first day disconnection may follow it. */
    noticeOn: date("notice_on", { mode: "string" }),
    disconnectFrom: date("disconnect_from", { mode: "string" }),
    pastDueCents: cents("past_due_cents").notNull(),
    oldestDue: date("oldest_due", { mode: "string" }).notNull(),
    /** The rule holding the next step back, its sentence and since when; null when nothing does. */
    blockedRule: text("blocked_rule"),
    blockedReason: text("blocked_reason"),
    blockedSince: date("blocked_since", { mode: "string" }),
    orderId: ref("order_id").references(() => serviceOrders.id),
    evaluatedOn: date("evaluated_on", { mode: "string" }).notNull(),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("collection_states_step_idx").on(t.step, t.pastDueCents)],
);

/**
 * What collections did or decided for an account on a day: each notice sent (kept with the account; its letter is
 * rendered from the row), a step blocked with the rule and sentence, an order opened, a debt cured. At most one of
 * a kind per account and day, so a run repeated on the same day adds nothing.
 */
export const collectionEvents = pgTable(
  "collection_events",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    onDate: date("on_date", { mode: "string" }).notNull(),
    /** reminder | notice | final_notice | disconnect_ordered | blocked | cured | arrangement_broken | ... */
    kind: text("kind").notNull(),
    ruleId: text("rule_id").notNull(),
    explanation: text("explanation").notNull(),
    facts: jsonb("facts").notNull(),
    pastDueCents: cents("past_due_cents").notNull(),
    /** For notices: mail | email (the account's notice channel). */
    channel: text("channel"),
    emailedAt: timestamp("emailed_at", { withTimezone: true, mode: "string" }),
    emailError: text("email_error"),
    orderId: ref("order_id").references(() => serviceOrders.id),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("collection_events_day_uq").on(t.accountId, t.kind, t.onDate),
    index("collection_events_account_idx").on(t.accountId, t.id),
    // The email queue: notices to email not yet sent nor failed, read in (on_date, id) order a batch at a time.
    index("collection_events_email_idx")
      .on(t.onDate, t.id)
      .where(sql`${t.channel} = 'email' AND ${t.emailedAt} IS NULL AND ${t.emailError} IS NULL`),
  ],
);

/** One daily collections run: when, who or what started it, and what it did. */
export const collectionRuns = pgTable("collection_runs", {
  id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
  onDate: date("on_date", { mode: "string" }).notNull(),
  startedBy: text("started_by").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  finishedAt: timestamp("finished_at", { withTimezone: true, mode: "string" }),
  counts: jsonb("counts").notNull().default({}),
});

/**
 * A dispute: the customer contests the account or some of its bill items. While it is open the disputed items are
 * not collected (a dispute of the whole account holds every step); an investigator resolves it.
 */
export const disputes = pgTable(
  "disputes",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    reason: text("reason").notNull(),
    notes: text("notes").notNull().default(""),
    /** open | upheld | denied | withdrawn */
    status: text("status").notNull().default("open"),
    openedOn: date("opened_on", { mode: "string" }).notNull(),
    openedBy: text("opened_by").notNull(),
    resolution: text("resolution"),
    resolvedOn: date("resolved_on", { mode: "string" }),
    resolvedBy: text("resolved_by"),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("disputes_open_idx").on(t.accountId).where(sql`${t.status} = 'open'`)],
);

/** The bill items a dispute contests (none: the whole account). */
export const disputeItems = pgTable(
  "dispute_items",
  {
    disputeId: ref("dispute_id")
      .notNull()
      .references(() => disputes.id),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    itemId: ref("item_id")
      .notNull()
      .references(() => receivableItems.id),
  },
  (t) => [primaryKey({ columns: [t.disputeId, t.itemId] }), index("dispute_items_item_idx").on(t.itemId)],
);

/**
 * A payment arrangement (arrears spread over installments after a down payment), an extension (one date to pay
 * by) or an arrearage management plan. While kept it holds collection; the daily run breaks it when an installment
 * is missed past the grace days, and collection resumes where it stood.
 */
export const arrangements = pgTable(
  "arrangements",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** arrangement | extension | amp */
    kind: text("kind").notNull(),
    /** active | completed | broken | cancelled */
    status: text("status").notNull().default("active"),
    /** The arrears it covers (the open items covered, as they stood when it was made). */
    arrearsCents: cents("arrears_cents").notNull(),
    downPaymentCents: cents("down_payment_cents").notNull(),
    openedOn: date("opened_on", { mode: "string" }).notNull(),
    openedBy: text("opened_by").notNull(),
    /** The rule and sentence that allowed it. */
    explanation: text("explanation").notNull(),
    closedOn: date("closed_on", { mode: "string" }),
    closedReason: text("closed_reason"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("arrangements_active_idx").on(t.accountId).where(sql`${t.status} = 'active'`),
    check("arrangements_amounts_check", sql`${t.arrearsCents} > 0 AND ${t.downPaymentCents} >= 0`),
  ],
);

/** An arrangement's schedule: the down payment (seq 0) and each installment, with its due date. */
export const arrangementInstallments = pgTable(
  "arrangement_installments",
  {
    arrangementId: ref("arrangement_id")
      .notNull()
      .references(() => arrangements.id),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    seq: integer("seq").notNull(),
    dueOn: date("due_on", { mode: "string" }).notNull(),
    amountCents: cents("amount_cents").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.arrangementId, t.seq] }),
    check("arrangement_installments_amount_check", sql`${t.amountCents} >= 0`),
  ],
);

/** The open items an arrangement covers, with what was open on each when it was made. */
export const arrangementItems = pgTable(
  "arrangement_items",
  {
    arrangementId: ref("arrangement_id")
      .notNull()
      .references(() => arrangements.id),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    itemId: ref("item_id")
      .notNull()
      .references(() => receivableItems.id),
    coveredCents: cents("covered_cents").notNull(),
  },
  (t) => [primaryKey({ columns: [t.arrangementId, t.itemId] })],
);

/**
 * A forecast high for a territory and day, keyed by hand or brought by a weather adapter: at or above the policy's
 * threshold within its window it blocks disconnection where the profile says.
 */
export const heatForecasts = pgTable(
  "heat_forecasts",
  {
    territory: text("territory").notNull(),
    forecastOn: date("forecast_on", { mode: "string" }).notNull(),
    highF: integer("high_f").notNull(),
    /** manual, or the adapter's name */
    source: text("source").notNull(),
    enteredBy: text("entered_by").notNull(),
    enteredAt: timestamp("entered_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.territory, t.forecastOn] })],
);

/** An energy-assistance pledge (LIHEAP and the like) an agency has made toward the account and not yet paid. */
export const assistancePledges = pgTable(
  "assistance_pledges",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    agency: text("agency").notNull(),
    amountCents: cents("amount_cents").notNull(),
    pledgedOn: date("pledged_on", { mode: "string" }).notNull(),
    /** The pledge holds collection until it is paid or this day passes. */
    expiresOn: date("expires_on", { mode: "string" }).notNull(),
    /** pending | received | expired | cancelled */
    status: text("status").notNull().default("pending"),
    recordedBy: text("recorded_by").notNull(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("assistance_pledges_pending_idx").on(t.accountId).where(sql`${t.status} = 'pending'`),
    check("assistance_pledges_amount_check", sql`${t.amountCents} > 0`),
  ],
);

/**
 * A customer's bankruptcy case on an account: the petition date splits the debt into pre-petition items (stayed:
 * never dunned; written off on discharge) and post-petition (collectible); adequate assurance is due within 20 days
 * (30 under Chapter 11).
 */
export const bankruptcies = pgTable(
  "bankruptcies",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    chapter: integer("chapter").notNull(),
    court: text("court").notNull(),
    caseNumber: text("case_number").notNull(),
    petitionDate: date("petition_date", { mode: "string" }).notNull(),
    /** open | discharged | dismissed */
    status: text("status").notNull().default("open"),
    preCents: cents("pre_petition_cents").notNull(),
    recordedOn: date("recorded_on", { mode: "string" }).notNull(),
    recordedBy: text("recorded_by").notNull(),
    closedOn: date("closed_on", { mode: "string" }),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("bankruptcies_open_idx").on(t.accountId).where(sql`${t.status} = 'open'`),
    check("bankruptcies_chapter_check", sql`${t.chapter} IN (7, 9, 11, 12, 13, 15)`),
  ],
);

/** The pre-petition part of each item open at the petition date (a bill spanning it is split by days). */
export const bankruptcyItems = pgTable(
  "bankruptcy_items",
  {
    bankruptcyId: ref("bankruptcy_id")
      .notNull()
      .references(() => bankruptcies.id),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    itemId: ref("item_id")
      .notNull()
      .references(() => receivableItems.id),
    prePetitionCents: cents("pre_petition_cents").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bankruptcyId, t.itemId] }), index("bankruptcy_items_item_idx").on(t.itemId)],
);

/**
 * A closed account with a balance owed after its final bill: dunned by closed-account notices, written off to bad
 * debt and referred to the collection agency on the policy's days; later payments on it are recoveries. The row
 * stays once written off (it carries what was written off and recovered).
 */
export const closedCollections = pgTable(
  "closed_collections",
  {
    accountId: ref("account_id")
      .primaryKey()
      .references(() => accounts.id),
    /** watching | first_notice | second_notice | written_off | referred */
    step: text("step").notNull(),
    stepOn: date("step_on", { mode: "string" }).notNull(),
    /** The final bill's due date, from which the policy's days count. */
    finalDue: date("final_due", { mode: "string" }).notNull(),
    balanceCents: cents("balance_cents").notNull(),
    writtenOffCents: cents("written_off_cents").notNull().default(sql`0`),
    writtenOffOn: date("written_off_on", { mode: "string" }),
    referredOn: date("referred_on", { mode: "string" }),
    recoveredCents: cents("recovered_cents").notNull().default(sql`0`),
    evaluatedOn: date("evaluated_on", { mode: "string" }).notNull(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("closed_collections_step_idx").on(t.step),
    check(
      "closed_collections_step_check",
      sql`${t.step} IN ('watching', 'first_notice', 'second_notice', 'written_off', 'referred')`,
    ),
  ],
);

/** A placement file for the collection agency: the accounts referred on a day, in the configured layout. */
export const agencyFiles = pgTable("agency_files", {
  id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
  onDate: date("on_date", { mode: "string" }).notNull(),
  agency: text("agency").notNull(),
  /** csv | fixed */
  format: text("format").notNull(),
  recordCount: integer("record_count").notNull(),
  totalCents: cents("total_cents").notNull(),
  content: text("content").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
});

/** An account placed with the collection agency, and what was recovered on it since. */
export const agencyPlacements = pgTable(
  "agency_placements",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    fileId: ref("file_id")
      .notNull()
      .references(() => agencyFiles.id),
    placedOn: date("placed_on", { mode: "string" }).notNull(),
    agency: text("agency").notNull(),
    amountCents: cents("amount_cents").notNull(),
    recoveredCents: cents("recovered_cents").notNull().default(sql`0`),
  },
  (t) => [
    uniqueIndex("agency_placements_account_uq").on(t.accountId),
    index("agency_placements_file_idx").on(t.fileId),
  ],
);

/**
 * Arrearage management (AMP, IOU profile): the arrears enrolled are held from collection and forgiven a twelfth per
 * bill paid on time, up to the cap; missed payments in a row end the plan and the rest returns to collection.
 */
export const ampPlans = pgTable(
  "amp_plans",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    /** active | completed | removed */
    status: text("status").notNull().default("active"),
    enrolledOn: date("enrolled_on", { mode: "string" }).notNull(),
    enrolledBy: text("enrolled_by").notNull(),
    enrolledCents: cents("enrolled_cents").notNull(),
    forgivenCents: cents("forgiven_cents").notNull().default(sql`0`),
    onTime: integer("on_time").notNull().default(0),
    misses: integer("misses").notNull().default(0),
    /** The last bill due date judged (paid on time or missed). */
    checkedThrough: date("checked_through", { mode: "string" }),
    closedOn: date("closed_on", { mode: "string" }),
    closedReason: text("closed_reason"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("amp_plans_active_uq").on(t.accountId).where(sql`${t.status} = 'active'`),
    check("amp_plans_amount_check", sql`${t.enrolledCents} > 0 AND ${t.forgivenCents} >= 0`),
  ],
);

/** The items an AMP plan enrolled, and how much of each. */
export const ampItems = pgTable(
  "amp_items",
  {
    planId: ref("plan_id")
      .notNull()
      .references(() => ampPlans.id),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    itemId: ref("item_id")
      .notNull()
      .references(() => receivableItems.id),
    enrolledCents: cents("enrolled_cents").notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.itemId] }), index("amp_items_account_idx").on(t.accountId)],
);
