/**
 * Referral to the collection agency: the accounts referred on a day go out in one placement file, in the layout the
 * agency asks for (setting `collections.agency`: CSV with a header, or fixed-width records), and each placement is
 * kept with what has been recovered on it since.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../../platform/context.js";
import { notFound } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { currentSetting, defineSetting } from "../../platform/settings.js";

/** The fields a placement record can carry. */
export const PLACEMENT_FIELDS = [
  "account_number",
  "customer_name",
  "mailing_line1",
  "mailing_line2",
  "mailing_city",
  "mailing_state",
  "mailing_zip",
  "phone",
  "email",
  "amount",
  "amount_cents",
  "final_due",
  "written_off_on",
  "placed_on",
  "last_payment_on",
] as const;
type PlacementField = (typeof PLACEMENT_FIELDS)[number];

const NUMERIC = new Set<PlacementField>(["amount", "amount_cents"]);

export interface AgencyLayout {
  agency: string;
  format: "csv" | "fixed";
  fields: { field: PlacementField; width?: number }[];
}

export const agencyLayout = defineSetting<AgencyLayout>({
  key: "collections.agency",
  description:
    "The collection agency written-off closed accounts are referred to, and its placement file's layout: csv (a " +
    "header line, then one line per account) or fixed (each field padded or cut to its width; amounts right-aligned " +
    `with leading zeros). Fields: ${PLACEMENT_FIELDS.join(", ")}; "amount" is dollars and cents ("123.45").`,
  schema: z
    .strictObject({
      agency: z.string().min(1).max(200),
      format: z.enum(["csv", "fixed"]),
      fields: z
        .array(z.strictObject({ field: z.enum(PLACEMENT_FIELDS), width: z.number().int().min(1).max(200).optional() }))
        .min(1),
    })
    .superRefine((v, ctx) => {
      if (v.format !== "fixed") return;
      v.fields.forEach((f, i) => {
        if (f.width === undefined) {
          ctx.addIssue({ code: "custom", path: ["fields", i, "width"], message: "a fixed-width layout needs a width" });
        }
      });
    }),
  default: {
    agency: "Sandbox Recovery Agency",
    format: "csv",
    fields: [
      { field: "account_number" },
      { field: "customer_name" },
      { field: "mailing_line1" },
      { field: "mailing_city" },
      { field: "mailing_state" },
      { field: "mailing_zip" },
      { field: "phone" },
      { field: "amount" },
      { field: "final_due" },
      { field: "written_off_on" },
      { field: "last_payment_on" },
    ],
  },
});

type PlacementRow = Record<Exclude<PlacementField, "amount">, string | null> & { account_id: bigint };

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

const dollars = (cents: string) => {
  const c = BigInt(cents);
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? "-" : ""}${a / 100n}.${(a % 100n).toString().padStart(2, "0")}`;
};

/** One record of the file, in the layout. */
export function placementLine(layout: AgencyLayout, r: Record<PlacementField, string | null>): string {
  if (layout.format === "csv") return layout.fields.map((f) => csvCell(r[f.field] ?? "")).join(",");
  return layout.fields
    .map((f) => {
      const w = f.width!;
      const v = (r[f.field] ?? "").replace(/[\r\n]+/g, " ");
      if (NUMERIC.has(f.field)) return v.replace(".", "").padStart(w, "0").slice(-w);
      return v.padEnd(w, " ").slice(0, w);
    })
    .join("");
}

/** The placement file's whole text. */
export function placementFile(layout: AgencyLayout, records: Record<PlacementField, string | null>[]): string {
  const lines = records.map((r) => placementLine(layout, r));
  if (layout.format === "csv") lines.unshift(layout.fields.map((f) => f.field).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** Places the accounts with the agency: one file for the day's referrals, one placement per account. */
export async function placeWithAgency(
  tx: Ctx,
  today: string,
  referrals: { account: number; cents: bigint }[],
): Promise<number> {
  const layout = await currentSetting(tx, agencyLayout);
  const ids = referrals.map((r) => r.account);
  const rows = await preparedRows<PlacementRow>(
    tx,
    sql`SELECT a.id AS account_id, a.account_number, p.display_name AS customer_name,
          coalesce(a.mailing_line1, p.mailing_line1) AS mailing_line1,
          CASE WHEN a.mailing_line1 IS NOT NULL THEN a.mailing_line2 ELSE p.mailing_line2 END AS mailing_line2,
          coalesce(a.mailing_city, p.mailing_city) AS mailing_city,
          coalesce(a.mailing_state, p.mailing_state) AS mailing_state,
          coalesce(a.mailing_zip, p.mailing_zip) AS mailing_zip,
          (SELECT ph.number FROM party_phones AS ph WHERE ph.party_id = p.id ORDER BY ph.id LIMIT 1) AS phone,
          p.email, r.cents::text AS amount_cents, cc.final_due::text AS final_due,
          cc.written_off_on::text AS written_off_on, ${today}::date::text AS placed_on,
          (SELECT max(c.accounting_date) FROM receivable_credits AS c
           WHERE c.account_id = a.id AND c.kind = 'payment')::text AS last_payment_on
        FROM unnest(${sql.param(ids)}::int8[], ${sql.param(referrals.map((r) => r.cents.toString()))}::int8[])
          AS r(account_id, cents)
        JOIN accounts AS a ON a.id = r.account_id
        JOIN parties AS p ON p.id = a.main_party_id
        LEFT JOIN closed_collections AS cc ON cc.account_id = a.id
        WHERE NOT EXISTS (SELECT 1 FROM agency_placements AS x WHERE x.account_id = a.id)
        ORDER BY a.account_number`,
  );
  if (rows.length === 0) return 0;
  const records = rows.map((r) => ({ ...r, amount: dollars(r.amount_cents!) }));
  const total = rows.reduce((s, r) => s + BigInt(r.amount_cents!), 0n);
  const [file] = await preparedRows<{ id: bigint }>(
    tx,
    sql`INSERT INTO agency_files (on_date, agency, format, record_count, total_cents, content)
        VALUES (${today}::date, ${layout.agency}, ${layout.format}, ${rows.length}::int4, ${total.toString()}::int8,
                ${placementFile(layout, records)})
        RETURNING id`,
  );
  await preparedRows(
    tx,
    sql`INSERT INTO agency_placements (account_id, file_id, placed_on, agency, amount_cents)
        SELECT r.account_id, ${file!.id}::int8, ${today}::date, ${layout.agency}, r.cents
        FROM unnest(${sql.param(rows.map((r) => Number(r.account_id)))}::int8[],
                    ${sql.param(rows.map((r) => r.amount_cents!))}::int8[]) AS r(account_id, cents)`,
  );
  return rows.length;
}

export interface AgencyFileView {
  id: number;
  on_date: string;
  agency: string;
  format: string;
  record_count: number;
  total_cents: bigint;
  recovered_cents: bigint;
}

export async function listAgencyFiles(ctx: Ctx, limit = 50): Promise<AgencyFileView[]> {
  const rows = await preparedRows<Omit<AgencyFileView, "id"> & { id: bigint }>(
    ctx,
    sql`SELECT f.id, f.on_date::text AS on_date, f.agency, f.format, f.record_count, f.total_cents,
          coalesce((SELECT sum(p.recovered_cents) FROM agency_placements AS p WHERE p.file_id = f.id), 0)::int8
            AS recovered_cents
        FROM agency_files AS f ORDER BY f.id DESC LIMIT ${limit}::int4`,
  );
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    total_cents: BigInt(r.total_cents),
    recovered_cents: BigInt(r.recovered_cents),
  }));
}

/** A placement file's text, as it was sent (404 naming the file when there is none). */
export async function agencyFileContent(
  ctx: Ctx,
  id: number,
): Promise<{ name: string; format: string; content: string }> {
  const [f] = await preparedRows<{ on_date: string; format: string; content: string }>(
    ctx,
    sql`SELECT on_date::text AS on_date, format, content FROM agency_files WHERE id = ${id}::int8`,
  );
  if (!f) throw notFound(`agency file ${id}`, "file_id");
  return {
    name: `placement-${f.on_date}-${id}.${f.format === "csv" ? "csv" : "txt"}`,
    format: f.format,
    content: f.content,
  };
}
