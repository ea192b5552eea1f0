/**
 * What a chunk of a bill run needs to know, read set-based: the accounts' agreements with their premise, meter and
 * where their billing stopped; the reads since; programs; balances and the last bill; recent billing history.
 * A handful of statements per chunk whatever its size.
 */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";

export interface AgreementRow {
  sa_id: number;
  account_id: number;
  account_number: string;
  customer_class: string;
  tariff_code: string;
  start_date: string;
  end_date: string | null;
  service_point_id: number;
  territory: string;
  service_address: string;
  billed_through: string | null;
  meter_id: number | null;
  meter_number: string | null;
  multiplier: string | null;
  meter_kind: string | null;
}

export interface AccountFacts {
  programs: Set<string>;
  balance: bigint;
  lastBillDate: string | null;
  paymentsSince: bigint;
  name: string;
  mailing: string[];
}

export interface HistoryRow {
  sa_id: number;
  days: number;
  kwh: string;
  estimated: boolean;
}

const num = (v: unknown) => Number(v);

/** The chunk's agreements in force on or before the bill date and not yet final-billed. */
export async function loadAgreements(tx: Ctx, accountIds: number[], billDate: string): Promise<AgreementRow[]> {
  const rows = await preparedRows<Record<string, unknown>>(
    tx,
    sql`SELECT sa.id AS sa_id, sa.account_id, a.account_number, a.customer_class, sa.tariff_code,
               sa.start_date::text AS start_date, sa.end_date::text AS end_date, sa.service_point_id,
               p.baseline_territory AS territory,
               concat_ws(', ', p.address_line1, p.address_line2, p.city || ' ' || p.state || ' ' || p.zip) AS service_address,
               (SELECT max(s.period_to)::text FROM bill_segments AS s
                 WHERE s.service_agreement_id = sa.id AND s.active) AS billed_through,
               m.id AS meter_id, m.meter_number, m.multiplier::text AS multiplier, m.kind AS meter_kind
        FROM service_agreements AS sa
        JOIN accounts AS a ON a.id = sa.account_id
        JOIN service_points AS sp ON sp.id = sa.service_point_id
        JOIN premises AS p ON p.id = sp.premise_id
        LEFT JOIN LATERAL (
          SELECT mi.meter_id FROM meter_installations AS mi
          WHERE mi.service_point_id = sa.service_point_id AND mi.installed_on <= ${billDate}::date
          ORDER BY mi.installed_on DESC, mi.id DESC LIMIT 1) AS inst ON true
        LEFT JOIN meters AS m ON m.id = inst.meter_id
        WHERE sa.account_id = ANY(${sql.param(accountIds)}::int8[])
          AND sa.status IN ('active', 'stopped') AND sa.start_date <= ${billDate}::date
        ORDER BY sa.account_id, sa.id`,
  );
  return rows
    .map((r) => ({
      ...(r as unknown as AgreementRow),
      sa_id: num(r.sa_id),
      account_id: num(r.account_id),
      service_point_id: num(r.service_point_id),
      meter_id: r.meter_id === null ? null : num(r.meter_id),
    }))
    .filter((r) => !(r.end_date && r.billed_through && r.billed_through >= r.end_date));
}

/** Programs in force on the bill date, balances, the last bill and payments since, the name and mailing address. */
export async function loadAccountFacts(
  tx: Ctx,
  accountIds: number[],
  billDate: string,
): Promise<Map<number, AccountFacts>> {
  const rows = await preparedRows<Record<string, unknown>>(
    tx,
    sql`WITH ids AS (SELECT unnest(${sql.param(accountIds)}::int8[]) AS id)
        SELECT ids.id AS account_id, coalesce(ab.balance_cents, 0) AS balance, last.bill_date::text AS last_bill_date,
               (SELECT coalesce(sum(c.original_cents), 0) FROM receivable_credits AS c
                 WHERE c.account_id = ids.id AND c.kind = 'payment' AND c.reversal_entry_id IS NULL
                   AND c.accounting_date > coalesce(last.bill_date, '1900-01-01'::date)) AS payments_since,
               (SELECT string_agg(DISTINCT e.program, ',') FROM enrolments AS e
                 WHERE e.account_id = ids.id AND e.effective_from <= ${billDate}::date
                   AND (e.effective_to IS NULL OR e.effective_to >= ${billDate}::date)) AS programs,
               pa.display_name AS name,
               CASE WHEN a.mailing_line1 IS NOT NULL
                    THEN ARRAY[a.mailing_line1, a.mailing_line2, a.mailing_city, a.mailing_state, a.mailing_zip]
                    ELSE ARRAY[pa.mailing_line1, pa.mailing_line2, pa.mailing_city, pa.mailing_state, pa.mailing_zip]
               END AS mailing
        FROM ids
        JOIN accounts AS a ON a.id = ids.id
        JOIN parties AS pa ON pa.id = a.main_party_id
        LEFT JOIN account_balances AS ab ON ab.account_id = ids.id
        -- Per account through bills_account_idx: a join of the chunk to all bills hashed the whole table each chunk.
        LEFT JOIN LATERAL (
          SELECT max(b.bill_date) AS bill_date FROM bills AS b
          WHERE b.account_id = ids.id AND b.status = 'issued') AS last ON true`,
  );
  const out = new Map<number, AccountFacts>();
  for (const r of rows) {
    const m = (r.mailing as (string | null)[] | null) ?? [];
    const mailing = [m[0], m[1], [m[2], m[3], m[4]].filter(Boolean).join(" ")].filter(
      (x): x is string => typeof x === "string" && x.trim() !== "",
    );
    out.set(num(r.account_id), {
      programs: new Set(
        String(r.programs ?? "")
          .split(",")
          .filter(Boolean),
      ),
      balance: BigInt(r.balance as bigint),
      lastBillDate: (r.last_bill_date as string | null) ?? null,
      paymentsSince: BigInt(r.payments_since as bigint),
      name: String(r.name ?? ""),
      mailing,
    });
  }
  return out;
}

/** The last three billed periods of each agreement, newest first: days, kWh and whether estimated. */
export async function loadHistory(tx: Ctx, saIds: number[]): Promise<Map<number, HistoryRow[]>> {
  const out = new Map<number, HistoryRow[]>();
  if (saIds.length === 0) return out;
  const rows = await preparedRows<Record<string, unknown>>(
    tx,
    sql`SELECT h.service_agreement_id AS sa_id, h.days, h.kwh::text AS kwh, h.estimated
        FROM unnest(${sql.param(saIds)}::int8[]) AS w(id)
        CROSS JOIN LATERAL (
          SELECT s.service_agreement_id, (s.period_to - s.period_from + 1) AS days, s.kwh, s.estimated
          FROM bill_segments AS s WHERE s.service_agreement_id = w.id AND s.active
          ORDER BY s.period_to DESC LIMIT 3) AS h`,
  );
  for (const r of rows) {
    const row = { sa_id: num(r.sa_id), days: num(r.days), kwh: String(r.kwh), estimated: r.estimated === true };
    const list = out.get(row.sa_id) ?? [];
    list.push(row);
    out.set(row.sa_id, list);
  }
  return out;
}
