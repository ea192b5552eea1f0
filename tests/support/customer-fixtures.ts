import { sql } from "drizzle-orm";
import type { TestApp } from "./testkit.js";

let serial = 0;

/** A person as the new-customer form would send it. */
export const aPerson = (over: Record<string, unknown> = {}) => ({
  kind: "person",
  first_name: "Maria",
  last_name: "Lopez",
  date_of_birth: "1958-07-14",
  email: "maria.lopez@example.com",
  phones: [{ number: "(916) 555-0142", label: "mobile" }],
  mailing_address: { line1: "1200 J St", city: "Sacramento", state: "CA", zip: "95814" },
  identity: { type: "ssn", number: "123-45-6789" },
  ...over,
});

export const aPremise = (over: Record<string, unknown> = {}) => ({
  address_line1: "1200 J St",
  city: "Sacramento",
  zip: "95814",
  baseline_territory: "S",
  climate_zone: 12,
  tax_jurisdiction: "City of Sacramento",
  ...over,
});

/** A meter with a unique number. */
export const aMeter = (over: Record<string, unknown> = {}) => ({
  meter_number: `TM${String(++serial).padStart(6, "0")}${Math.floor(Math.random() * 1000)}`,
  kind: "register",
  registers: [{ unit: "kWh", dials: 5 }],
  ...over,
});

/** A whole new customer through POST /api/v1/customers (party, account, premise, service point, meter, agreement). */
export async function newCustomer(t: TestApp, over: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/customers",
    headers: await t.as("csr"),
    payload: {
      party: aPerson(),
      account: { bill_cycle: "07", notice_channel: "mail" },
      premise: aPremise(),
      service_point: { description: "Residential service" },
      meter: aMeter(),
      service_agreement: { tariff_code: "E-1", start_date: "2026-03-02" },
      ...over,
    },
  });
  if (res.statusCode !== 201) throw new Error(`new customer failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** How many rows a table has (to prove a refused request changed nothing). */
export async function count(t: TestApp, table: string): Promise<number> {
  const rows = await t.database.rows<{ n: bigint }>(t.database.db, sql.raw(`SELECT count(*)::int8 AS n FROM ${table}`));
  return Number(rows[0]!.n);
}

/** Row counts of every customer-model table and the audit log. */
export async function counts(t: TestApp): Promise<Record<string, number>> {
  const tables = [
    "parties",
    "party_phones",
    "party_flags",
    "accounts",
    "account_parties",
    "enrolments",
    "premises",
    "service_points",
    "meters",
    "meter_registers",
    "meter_installations",
    "service_agreements",
    "contacts",
    "audit_log",
  ];
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = await count(t, table);
  return out;
}
