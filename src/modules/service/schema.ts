import { bigint, date, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "../accounts/schema.js";
import { servicePoints } from "../premises/schema.js";

/** Account x service point x tariff, from a start date to an end date. */
export const serviceAgreements = pgTable(
  "service_agreements",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    accountId: bigint("account_id", { mode: "number" })
      .notNull()
      .references(() => accounts.id),
    servicePointId: bigint("service_point_id", { mode: "number" })
      .notNull()
      .references(() => servicePoints.id),
    /** The rate schedule code, e.g. E-1, E-TOU-C. */
    tariffCode: text("tariff_code").notNull(),
    startDate: date("start_date", { mode: "string" }).notNull(),
    endDate: date("end_date", { mode: "string" }),
    /** pending | active | stopped */
    status: text("status").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [
    index("service_agreements_account_idx").on(t.accountId),
    index("service_agreements_sp_idx").on(t.servicePointId),
  ],
);
