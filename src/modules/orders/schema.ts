import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { premises } from "../premises/schema.js";

const ref = (name: string) => bigint(name, { mode: "number" });

/**
 * A service order: field work at a premise (disconnect for non-payment, reconnect, ...). Opened by the process that
 * needs it (collections, restoration), worked from the field worklist, completed with the date, the meter read and
 * notes, or cancelled (a disconnect order is cancelled when the customer pays before the work).
 */
export const serviceOrders = pgTable(
  "service_orders",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    accountId: ref("account_id")
      .notNull()
      .references(() => accounts.id),
    premiseId: ref("premise_id").references(() => premises.id),
    /** disconnect_nonpay | reconnect */
    kind: text("kind").notNull(),
    /** open | completed | cancelled */
    status: text("status").notNull().default("open"),
    /** Why: the rule or request that opened it, in words. */
    reason: text("reason").notNull(),
    /** What opened it ("collections", "restoration:12", a user's name). */
    source: text("source").notNull(),
    openedOn: date("opened_on", { mode: "string" }).notNull(),
    /** The day the work may be done from (a disconnection no sooner than the notices allow). */
    dueOn: date("due_on", { mode: "string" }).notNull(),
    /** True for a same-day reconnection asked after hours. */
    /** normal | same_day (a reconnection asked after hours, with its fee) */
    priority: text("priority").notNull().default("normal"),
    completedOn: date("completed_on", { mode: "string" }),
    /** The meter read at completion, as the field worker keyed it. */
    completionRead: text("completion_read"),
    notes: text("notes").notNull().default(""),
    closedBy: text("closed_by"),
    cancelReason: text("cancel_reason"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("service_orders_account_idx").on(t.accountId, t.id),
    index("service_orders_open_idx").on(t.kind, t.dueOn).where(sql`${t.status} = 'open'`),
    check("service_orders_kind_check", sql`${t.kind} IN ('disconnect_nonpay', 'reconnect')`),
    check("service_orders_status_check", sql`${t.status} IN ('open', 'completed', 'cancelled')`),
    check("service_orders_completed_check", sql`(${t.status} = 'completed') = (${t.completedOn} IS NOT NULL)`),
  ],
);
