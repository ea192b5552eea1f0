/** The tables the seed fills, in load order (referenced tables first), with the columns it writes. */
export const SEED_TABLES = {
  parties: [
    "id",
    "kind",
    "first_name",
    "middle_name",
    "last_name",
    "business_name",
    "display_name",
    "language",
    "date_of_birth",
    "email",
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_zip",
    "identity_type",
    "identity_encrypted",
    "identity_last4",
    "identity_hash",
    "third_party_name",
    "third_party_phone",
    "third_party_email",
    "third_party_address",
  ],
  party_phones: ["id", "party_id", "label", "number", "is_primary"],
  party_flags: ["id", "party_id", "flag", "effective_from", "effective_to", "recertify_by", "note"],
  accounts: [
    "id",
    "account_number",
    "status",
    "customer_class",
    "main_party_id",
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_zip",
    "notice_channel",
    "bill_cycle",
    "opened_on",
    "closed_on",
  ],
  account_parties: ["account_id", "party_id", "role", "added_on"],
  enrolments: [
    "id",
    "account_id",
    "party_id",
    "program",
    "effective_from",
    "effective_to",
    "recertify_by",
    "permanent",
    "household_size",
    "note",
  ],
  premises: [
    "id",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "baseline_territory",
    "climate_zone",
    "tax_jurisdiction",
  ],
  service_points: ["id", "premise_id", "kind", "description"],
  meters: ["id", "meter_number", "kind", "interval_minutes", "multiplier", "manufacturer"],
  meter_registers: ["id", "meter_id", "unit", "dials", "tou_period"],
  meter_installations: ["id", "meter_id", "service_point_id", "installed_on", "removed_on"],
  service_agreements: ["id", "account_id", "service_point_id", "tariff_code", "start_date", "end_date", "status"],
  contacts: [
    "id",
    "account_id",
    "party_id",
    "channel",
    "reason_code",
    "notes",
    "outcome",
    "user_id",
    "username",
    "occurred_at",
    "recorded_at",
  ],
} as const;

export type SeedTable = keyof typeof SEED_TABLES;
export const TABLE_NAMES = Object.keys(SEED_TABLES) as SeedTable[];
/** Tables whose id the seed assigns (all but the account_parties link table). */
export const ID_TABLES = TABLE_NAMES.filter((t) => t !== "account_parties");

/** The most rows of each table one seeded account can produce: the id range reserved per account. */
export const MAX_ROWS_PER_ACCOUNT: Record<SeedTable, number> = {
  parties: 2,
  party_phones: 4,
  party_flags: 10,
  accounts: 1,
  account_parties: 2,
  enrolments: 3,
  premises: 1,
  service_points: 2,
  meters: 4,
  meter_registers: 12,
  meter_installations: 4,
  service_agreements: 4,
  contacts: 5,
};

type Value = string | number | boolean | null | undefined;

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** One value in PostgreSQL's COPY text format. */
function copyValue(v: Value): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "string") return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : v;
  if (typeof v === "boolean") return v ? "t" : "f";
  return String(v);
}

/** Rows of one table in COPY text format, accumulated for one chunk. */
export class CopyRows {
  readonly lines: string[] = [];

  add(...values: Value[]) {
    let line = copyValue(values[0]);
    for (let i = 1; i < values.length; i++) line += `\t${copyValue(values[i])}`;
    this.lines.push(line);
  }

  get count() {
    return this.lines.length;
  }

  text(): string {
    return this.lines.length ? `${this.lines.join("\n")}\n` : "";
  }
}

/** The COPY statement for a table; source is STDIN (PostgreSQL) or '/dev/blob' (PGlite). */
export const copyStatement = (table: SeedTable, source: "STDIN" | "'/dev/blob'") =>
  `COPY ${table} (${SEED_TABLES[table].join(", ")}) FROM ${source}`;
