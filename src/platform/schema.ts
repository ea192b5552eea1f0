import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** Every write, who made it, before and after (sensitive values never appear: only that they changed). */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    actorUserId: bigint("actor_user_id", { mode: "number" }),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    accountId: bigint("account_id", { mode: "number" }),
    before: jsonb("before"),
    after: jsonb("after"),
    requestId: text("request_id"),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entityType, t.entityId, t.id),
    index("audit_log_account_idx").on(t.accountId, t.id),
  ],
);

/** Effective-dated settings: a value per key from a business date on. */
export const settings = pgTable(
  "settings",
  {
    key: text("key").notNull(),
    effectiveFrom: date("effective_from", { mode: "string" }).notNull(),
    /** The last day of a temporary version (inclusive); null: until the next version. */
    effectiveTo: date("effective_to", { mode: "string" }),
    value: jsonb("value").notNull(),
    version: integer("version").notNull().default(1),
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.key, t.effectiveFrom] }),
    check("settings_range_check", sql`${t.effectiveTo} IS NULL OR ${t.effectiveTo} >= ${t.effectiveFrom}`),
  ],
);

/** Idempotency keys of money-moving and creating requests: the first response, replayed. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    key: text("key").notNull(),
    actorUserId: bigint("actor_user_id", { mode: "number" }).notNull(),
    route: text("route").notNull(),
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    response: jsonb("response"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    /** Who holds the claim: only the holder records the response, so a claim taken over cannot be recorded twice. */
    claimToken: text("claim_token").notNull().default(""),
    /** When the running request claimed the key; a claim never finished past a lease may be taken over. */
    claimedAt: timestamp("claimed_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.actorUserId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
