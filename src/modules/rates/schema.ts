import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";

const ref = (name: string) => bigint(name, { mode: "number" });

/** A rate schedule in the tariff book: its identity; prices live in its versions. */
export const tariffs = pgTable(
  "tariffs",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    code: text("code").notNull().unique(),
    name: text("name").notNull(),
    /** residential | commercial | industrial | agricultural | lighting */
    sector: text("sector").notNull(),
    timeZone: text("time_zone").notNull(),
    description: text("description"),
    /** Where it was published (an address), if known. */
    sourceUrl: text("source_url"),
    /** kilowatt (authored in the Kilowatt format) | urdb (converted from an OpenEI URDB record) */
    origin: text("origin").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    check(
      "tariffs_sector_check",
      sql`${t.sector} IN ('residential', 'commercial', 'industrial', 'agricultural', 'lighting')`,
    ),
    check("tariffs_origin_check", sql`${t.origin} IN ('kilowatt', 'urdb')`),
  ],
);

/**
 * One effective-dated version of a tariff: the version object of the Kilowatt tariff format, in force from
 * effective_from until the next version's. Never updated once stored: a price change is a new version.
 */
export const tariffVersions = pgTable(
  "tariff_versions",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    tariffId: ref("tariff_id")
      .notNull()
      .references(() => tariffs.id),
    effectiveFrom: date("effective_from", { mode: "string" }).notNull(),
    /** The version object (docs/tariff-format.md). */
    document: jsonb("document").notNull(),
    /** The URDB rate record it was converted from, kept as imported. */
    urdbRecord: jsonb("urdb_record"),
    /** The URDB record's label, to find it again in OpenEI. */
    urdbLabel: text("urdb_label"),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    unique("tariff_versions_tariff_from_key").on(t.tariffId, t.effectiveFrom),
    index("tariff_versions_tariff_idx").on(t.tariffId, t.effectiveFrom),
  ],
);
