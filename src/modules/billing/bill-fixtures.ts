/**
 * Test fixtures: bills written straight into the tables as the bill run writes them (bills, bill_segments, a
 * completed bill_runs row per cycle and date), so the bill's views and document can be tested on their own.
 */
import { inflateSync } from "node:zlib";
import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Database } from "../../platform/db.js";
import type { BillDetail, BillLine } from "./bill-views.js";

export interface TestBill {
  account_id: number;
  service_agreement_id: number;
  period_from: string;
  period_to: string;
  kwh: string;
  /** Default: the day after the period. */
  bill_date?: string;
  /** Default: 21 days after the bill date. */
  due_date?: string;
  status?: "issued" | "held" | "cancelled";
  /** Default: a customer charge at $0.79343 a day and the energy at $0.40702 a kWh, each rounded half-up. */
  lines?: BillLine[];
  prior_balance_cents?: bigint;
  payments_since_cents?: bigint;
  estimated?: boolean;
  exception?: string;
  exception_note?: string;
  cancel_reason?: string;
  rebill_of?: number;
  messages?: string[];
  /** More agreements on the same bill (detail only: their lines count in the total). */
  more_agreements?: BillDetail["agreements"];
  service_address?: string;
  mailing?: { name: string; lines: string[] };
  meter_number?: string;
  start_reading?: string;
}

const cents = (quantity: string, price: string) =>
  new Decimal(quantity).times(price).times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();

const daysOf = (from: string, to: string) =>
  Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days + 1;

/** The lines a simple flat tariff gives a period's usage (for bills whose exact prices do not matter). */
export function flatLines(from: string, to: string, kwh: string): BillLine[] {
  const days = String(daysOf(from, to));
  return [
    {
      description: "Base Services Charge",
      quantity: days,
      unit: "day",
      price: "0.79343",
      amount_cents: cents(days, "0.79343"),
      kind: "customer_charge",
      rule: "E-1 customer_charge",
    },
    {
      description: "Energy",
      quantity: kwh,
      unit: "kWh",
      price: "0.40702",
      amount_cents: cents(kwh, "0.40702"),
      kind: "energy",
      rule: "E-1 energy",
    },
  ];
}

/** Writes a bill (and its segment) as the run would; its total is the sum of its lines, what is due adds the prior balance. */
export async function insertBill(
  database: Database,
  b: TestBill,
): Promise<{ id: number; total_cents: bigint; amount_due_cents: bigint; detail: BillDetail }> {
  const billDate = b.bill_date ?? Temporal.PlainDate.from(b.period_to).add({ days: 1 }).toString();
  const dueDate = b.due_date ?? Temporal.PlainDate.from(billDate).add({ days: 21 }).toString();
  const lines = b.lines ?? flatLines(b.period_from, b.period_to, b.kwh);
  const saTotal = lines.reduce((sum, l) => sum + l.amount_cents, 0);
  const start = new Decimal(b.start_reading ?? "10000");
  const agreements: BillDetail["agreements"] = [
    {
      sa_id: b.service_agreement_id,
      tariff_code: "E-1",
      tariff_name: "Residential Services",
      versions: ["2026-06-01"],
      meter_number: b.meter_number ?? "1000234",
      multiplier: "1",
      period: { from: b.period_from, to: b.period_to },
      days: daysOf(b.period_from, b.period_to),
      reads: {
        start: {
          read_on: Temporal.PlainDate.from(b.period_from).subtract({ days: 1 }).toString(),
          reading: start.toString(),
          kind: "actual",
        },
        end: {
          id: 1,
          read_on: b.period_to,
          reading: start.plus(b.kwh).toString(),
          kind: b.estimated ? "estimated" : "actual",
        },
      },
      kwh: b.kwh,
      estimated: b.estimated ?? false,
      territory: "T",
      programs: [],
      lines,
      total_cents: saTotal,
    },
    ...(b.more_agreements ?? []),
  ];
  const detail: BillDetail = {
    service_address: b.service_address ?? "1200 J St, Sacramento CA 95814",
    mailing: b.mailing ?? { name: "Maria Lopez", lines: ["1200 J St", "Sacramento CA 95814"] },
    agreements,
    messages: b.messages ?? [],
  };
  const total = BigInt(agreements.reduce((sum, a) => sum + a.total_cents, 0));
  const prior = b.prior_balance_cents ?? 0n;
  const db = database.db;
  let runId: number | null = null;
  if (!b.rebill_of) {
    await database.rows(
      db,
      sql`INSERT INTO bill_runs (cycle, bill_date, status, started_by, finished_at)
          SELECT bill_cycle, ${billDate}, 'completed', 'test', now() FROM accounts WHERE id = ${b.account_id}
          ON CONFLICT (cycle, bill_date) DO NOTHING`,
    );
    const [run] = await database.rows<{ id: number }>(
      db,
      sql`SELECT r.id::int AS id FROM bill_runs r JOIN accounts a ON a.bill_cycle = r.cycle
          WHERE a.id = ${b.account_id} AND r.bill_date = ${billDate}`,
    );
    runId = run!.id;
  }
  const [row] = await database.rows<{ id: number }>(
    db,
    sql`INSERT INTO bills (account_id, run_id, bill_date, period_from, period_to, mail_date, due_date, status,
          total_cents, prior_balance_cents, payments_since_cents, amount_due_cents, kwh, estimated, detail,
          exception, exception_note, cancel_reason, rebill_of)
        VALUES (${b.account_id}, ${runId}, ${billDate}, ${b.period_from}, ${b.period_to}, ${billDate}, ${dueDate},
          ${b.status ?? "issued"}, ${total}, ${prior}, ${b.payments_since_cents ?? 0n}, ${prior + total}, ${b.kwh},
          ${b.estimated ?? false}, ${JSON.stringify(detail)}::jsonb, ${b.exception ?? null},
          ${b.exception_note ?? null}, ${b.cancel_reason ?? null}, ${b.rebill_of ?? null})
        RETURNING id::int AS id`,
  );
  await database.rows(
    db,
    sql`INSERT INTO bill_segments (bill_id, account_id, service_agreement_id, period_from, period_to, kwh, estimated, active)
        VALUES (${row!.id}, ${b.account_id}, ${b.service_agreement_id}, ${b.period_from}, ${b.period_to}, ${b.kwh},
          ${b.estimated ?? false}, ${b.status !== "cancelled"})`,
  );
  return { id: row!.id, total_cents: total, amount_due_cents: prior + total, detail };
}

/** A year of monthly bills and this month's: the calendar months from `first` (YYYY-MM) for `count` months. */
export async function insertMonthlyBills(
  database: Database,
  account: { account_id: number; service_agreement_id: number },
  first: string,
  count: number,
  kwhOf: (i: number) => string,
): Promise<number[]> {
  const ids: number[] = [];
  let reading = new Decimal(10000);
  for (let i = 0; i < count; i++) {
    const month = Temporal.PlainYearMonth.from(first).add({ months: i });
    const from = month.toPlainDate({ day: 1 }).toString();
    const to = month.toPlainDate({ day: month.daysInMonth }).toString();
    const kwh = kwhOf(i);
    ids.push(
      (
        await insertBill(database, {
          ...account,
          period_from: from,
          period_to: to,
          kwh,
          start_reading: reading.toString(),
        })
      ).id,
    );
    reading = reading.plus(kwh);
  }
  return ids;
}

/** The text drawn on a PDF's pages: content streams inflated, the strings of their text operators decoded. */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const out: string[] = [];
  for (const m of raw.matchAll(/<<([^>]*?)>>\s*stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    let body = Buffer.from(raw.slice(start, raw.indexOf("endstream", start)), "latin1");
    if (m[1]!.includes("FlateDecode")) {
      try {
        body = inflateSync(body);
      } catch {
        continue;
      }
    }
    for (const op of body.toString("latin1").matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      out.push(
        [...op[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, "hex").toString("latin1")).join(""),
      );
    }
  }
  return out.join("\n");
}

/** How many pages a PDF has. */
export const pageCount = (pdf: Buffer) => [...pdf.toString("latin1").matchAll(/\/Type \/Page\b(?!s)/g)].length;
