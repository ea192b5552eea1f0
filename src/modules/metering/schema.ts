import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { meters, servicePoints } from "../premises/schema.js";

const ref = (name: string) => bigint(name, { mode: "number" });

/**
 * A register read: the kWh dial of a meter on a day. `kwh` is the usage since the meter's previous valid read
 * (dial difference, over a rollover when the dials wrapped, times the multiplier); null for a meter's first read.
 */
export const meterReads = pgTable(
  "meter_reads",
  {
    id: ref("id").primaryKey().generatedByDefaultAsIdentity(),
    meterId: ref("meter_id")
      .notNull()
      .references(() => meters.id),
    servicePointId: ref("service_point_id")
      .notNull()
      .references(() => servicePoints.id),
    readOn: date("read_on", { mode: "string" }).notNull(),
    /** The dial reading as shown (kWh register). */
    reading: numeric("reading").notNull(),
    /** Usage since the previous valid read, kWh; null for the first read of a meter. */
    kwh: numeric("kwh"),
    /** The demand register (kW), for demand meters. */
    demandKw: numeric("demand_kw"),
    /** actual | estimated | customer (a customer's own read) */
    kind: text("kind").notNull(),
    /** keyed | import | field | estimate | seed */
    source: text("source").notNull(),
    /** valid | exception (held: not billed until accepted or replaced) | replaced */
    status: text("status").notNull().default("valid"),
    /** Why it is an exception: negative_usage, high_usage, low_usage, ... (with the figures in exception_note). */
    exception: text("exception"),
    exceptionNote: text("exception_note"),
    /** The dials wrapped past 10^dials between the previous read and this one. */
    rollover: integer("rollover").notNull().default(0),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("meter_reads_meter_day_key").on(t.meterId, t.readOn).where(sql`${t.status} <> 'replaced'`),
    index("meter_reads_sp_idx").on(t.servicePointId, t.readOn),
    check("meter_reads_kind_check", sql`${t.kind} IN ('actual', 'estimated', 'customer')`),
    check("meter_reads_status_check", sql`${t.status} IN ('valid', 'exception', 'replaced')`),
  ],
);

/**
 * A day of interval readings for one meter, compactly: one row per meter and local day with the readings as an
 * array of watt-hours (24 hourly, 96 quarter-hourly; 23/25 or 92/100 on the days the clocks change), in order from
 * the day's first local instant. A missing reading is NULL in the array.
 */
export const intervalDays = pgTable(
  "interval_days",
  {
    meterId: ref("meter_id")
      .notNull()
      .references(() => meters.id),
    day: date("day", { mode: "string" }).notNull(),
    minutes: integer("minutes").notNull(),
    wh: integer("wh").array().notNull(),
    /** import (Green Button, CSV) | seed | ami */
    source: text("source").notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.meterId, t.day] })],
);
