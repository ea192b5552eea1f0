import { sql } from "drizzle-orm";
import { bigint, date, index, integer, numeric, pgTable, text } from "drizzle-orm/pg-core";

/** A service address. */
export const premises = pgTable(
  "premises",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    addressLine1: text("address_line1").notNull(),
    addressLine2: text("address_line2"),
    city: text("city").notNull(),
    state: text("state").notNull().default("CA"),
    zip: text("zip").notNull(),
    /** Baseline territory (the letter that sets the baseline allowance), e.g. P, Q, R, S, T, V, W, X, Y, Z. */
    baselineTerritory: text("baseline_territory").notNull(),
    /** California climate zone 1-16. */
    climateZone: integer("climate_zone"),
    taxJurisdiction: text("tax_jurisdiction").notNull(),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("premises_address_trgm").using("gin", sql`lower(${t.addressLine1}) gin_trgm_ops`)],
);

/** Where service is delivered at a premise. */
export const servicePoints = pgTable(
  "service_points",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    premiseId: bigint("premise_id", { mode: "number" })
      .notNull()
      .references(() => premises.id),
    /** electric (the only kind for now) */
    kind: text("kind").notNull().default("electric"),
    description: text("description"),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("service_points_premise_idx").on(t.premiseId)],
);

export const meters = pgTable(
  "meters",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    meterNumber: text("meter_number").notNull().unique(),
    /** register | interval */
    kind: text("kind").notNull(),
    /** For interval meters: 15 or 60. */
    intervalMinutes: integer("interval_minutes"),
    multiplier: numeric("multiplier").notNull().default("1"),
    manufacturer: text("manufacturer"),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("meters_number_trgm").using("gin", sql`${t.meterNumber} gin_trgm_ops`)],
);

/** What a meter measures: unit and dials. */
export const meterRegisters = pgTable(
  "meter_registers",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    meterId: bigint("meter_id", { mode: "number" })
      .notNull()
      .references(() => meters.id),
    /** kWh | kW | kVARh */
    unit: text("unit").notNull(),
    dials: integer("dials").notNull(),
    /** For time-of-use registers: the period it accumulates (e.g. peak, off_peak). */
    touPeriod: text("tou_period"),
  },
  (t) => [index("meter_registers_meter_idx").on(t.meterId)],
);

/** A meter's install and removal history at service points. */
export const meterInstallations = pgTable(
  "meter_installations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    meterId: bigint("meter_id", { mode: "number" })
      .notNull()
      .references(() => meters.id),
    servicePointId: bigint("service_point_id", { mode: "number" })
      .notNull()
      .references(() => servicePoints.id),
    installedOn: date("installed_on", { mode: "string" }).notNull(),
    removedOn: date("removed_on", { mode: "string" }),
  },
  (t) => [
    index("meter_installations_sp_idx").on(t.servicePointId),
    index("meter_installations_meter_idx").on(t.meterId),
  ],
);
