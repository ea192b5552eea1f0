import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { Problem } from "../../platform/errors.js";
import { seedUtility } from "../../seed/seed.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { verifyLedger } from "../ledger/index.js";
import { runBills } from "./run.js";

let t: TestApp;
const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

/** Two reads a month apart on every installed meter of the cycle's agreements, usage varying by account. */
async function readMeters(cycle: string, first: string, second: string) {
  await rows(sql`
    INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
    SELECT DISTINCT ON (mi.meter_id, d.read_on) mi.meter_id, sa.service_point_id, d.read_on,
           10000 + d.n * (200 + (sa.account_id % 9) * 75), CASE WHEN d.n = 0 THEN NULL ELSE 200 + (sa.account_id % 9) * 75 END,
           'actual', 'field', 'test'
    FROM service_agreements AS sa
    JOIN accounts AS a ON a.id = sa.account_id AND a.bill_cycle = ${cycle}
    JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
    CROSS JOIN (VALUES (${first}::date, 0), (${second}::date, 1)) AS d(read_on, n)
    WHERE sa.status = 'active'
    ON CONFLICT DO NOTHING`);
}

beforeAll(async () => {
  t = await testApp({ now: "2026-09-05T17:00:00Z" });
  await seedUtility(t.ctx, { accounts: 60, seed: 11 });
  await seedDemoTariffs(t.ctx);
  await rows(sql`UPDATE accounts SET bill_cycle = CASE WHEN id % 2 = 0 THEN '05' ELSE '06' END`);
  await readMeters("05", "2026-06-30", "2026-07-30");
  await readMeters("06", "2026-06-30", "2026-07-30");
}, 120_000);
afterAll(async () => t?.close());

describe("a bill run", () => {
  it("bills every account of the cycle once: lines from the tariff, items by category, one balanced entry", async () => {
    const seen: number[] = [];
    const run = await runBills(t.ctx, { cycle: "05", bill_date: "2026-08-01", chunk_size: 7 }, (done) =>
      seen.push(done),
    );
    const inCycle = await rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM accounts WHERE bill_cycle = '05'`);
    expect(run.status).toBe("completed");
    expect(run.accounts_total).toBe(Number(inCycle[0]!.n));
    expect(run.billed + run.held + run.skipped).toBe(run.accounts_total);
    expect(run.billed).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(run.accounts_total);

    const bills = await rows<{
      id: bigint;
      account_id: bigint;
      status: string;
      total_cents: bigint;
      prior_balance_cents: bigint;
      amount_due_cents: bigint;
      due_date: string;
      mail_date: string;
      entry_id: bigint | null;
      detail: { agreements: { lines: { amount_cents: number }[]; total_cents: number; tariff_code: string }[] };
      exception: string | null;
    }>(sql`SELECT id, account_id, status, total_cents, prior_balance_cents, amount_due_cents, due_date::text, mail_date::text,
               entry_id, detail, exception FROM bills WHERE run_id = ${run.id} ORDER BY id`);
    expect(new Set(bills.map((b) => b.account_id)).size).toBe(bills.length);
    // Mailed the day after the bill date; due 19 days after mailing (Aug 21, a Friday).
    expect(bills[0]).toMatchObject({ mail_date: "2026-08-02", due_date: "2026-08-21" });
    for (const b of bills) {
      const lines = b.detail.agreements.flatMap((a) => a.lines);
      expect(BigInt(lines.reduce((s, l) => s + l.amount_cents, 0))).toBe(b.total_cents);
      if (b.status === "issued") {
        expect(b.entry_id).not.toBeNull();
        expect(b.amount_due_cents).toBe(b.prior_balance_cents + b.total_cents);
        const [sums] = await rows<{ items: bigint | null; credits: bigint | null }>(sql`
          SELECT (SELECT sum(original_cents)::int8 FROM receivable_items WHERE entry_id = ${b.entry_id}) AS items,
                 (SELECT sum(original_cents)::int8 FROM receivable_credits WHERE entry_id = ${b.entry_id}) AS credits`);
        expect((sums!.items ?? 0n) - (sums!.credits ?? 0n)).toBe(b.total_cents);
      } else {
        expect(b.status).toBe("held");
        expect(b.entry_id).toBeNull();
        expect(b.exception).toBeTruthy();
      }
    }
    // E-1 agreements (register reads, a tiered tariff) are issued.
    expect(bills.some((b) => b.status === "issued" && b.detail.agreements[0]!.tariff_code === "E-1")).toBe(true);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("refuses a second run of a cycle and date it completed", async () => {
    const err = await runBills(t.ctx, { cycle: "05", bill_date: "2026-08-01" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).status).toBe(422);
    expect((err as Problem).message).toMatch(/cycle 05 was already billed for 2026-08-01/);
  });

  it("resumes a run that stopped part-way and bills each account exactly once", async () => {
    let chunks = 0;
    const stopped = await runBills(t.ctx, { cycle: "06", bill_date: "2026-08-01", chunk_size: 5 }, () => {
      chunks++;
      if (chunks === 3) throw new Error("killed");
    }).catch((e: unknown) => e);
    expect(String(stopped)).toMatch(/killed/);
    const [partial] = await rows<{ n: bigint; status: string }>(sql`
      SELECT (SELECT count(*) FROM bills b WHERE b.run_id = r.id) AS n, r.status FROM bill_runs r
      WHERE r.cycle = '06' AND r.bill_date = '2026-08-01'`);
    expect(partial!.status).toBe("running");
    const run = await runBills(t.ctx, { cycle: "06", bill_date: "2026-08-01", chunk_size: 5 });
    expect(run.resumed).toBe(true);
    expect(run.status).toBe("completed");
    expect(run.billed + run.held + run.skipped).toBe(run.accounts_total);
    const [counts] = await rows<{ bills: bigint; accounts: bigint }>(sql`
      SELECT count(*) AS bills, count(DISTINCT account_id) AS accounts FROM bills WHERE run_id = ${run.id}`);
    expect(counts!.bills).toBe(counts!.accounts);
    expect(Number(counts!.bills)).toBe(run.billed + run.held);
    expect(Number(counts!.bills)).toBeGreaterThan(Number(partial!.n));
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("estimates a read that did not come in, and prices time of use from interval data", async () => {
    // Next month: reads on Aug 30 for all but every third agreement; a day of 24 one-kWh hours for every interval
    // meter of a time-of-use agreement, from the day after its last billed period.
    await rows(sql`
      INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
      SELECT DISTINCT ON (mi.meter_id) mi.meter_id, sa.service_point_id, '2026-08-30', 20000, 400, 'actual', 'field', 'test'
      FROM service_agreements AS sa
      JOIN accounts AS a ON a.id = sa.account_id AND a.bill_cycle = '05'
      JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
      WHERE sa.status = 'active' AND sa.id % 3 <> 0
      ON CONFLICT DO NOTHING`);
    await rows(sql`
      INSERT INTO interval_days (meter_id, day, minutes, wh, source)
      SELECT DISTINCT mi.meter_id, d::date, 60, array_fill(1000, ARRAY[24]), 'ami'
      FROM service_agreements AS sa
      JOIN accounts AS a ON a.id = sa.account_id AND a.bill_cycle = '05'
      JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
      JOIN meters AS m ON m.id = mi.meter_id AND m.kind = 'interval'
      CROSS JOIN generate_series('2026-07-31'::date, '2026-08-30'::date, '1 day') AS d
      WHERE sa.status = 'active' AND sa.tariff_code IN ('E-TOU-C', 'EV2-A')
      ON CONFLICT DO NOTHING`);
    const run = await runBills(t.ctx, { cycle: "05", bill_date: "2026-09-01" });
    expect(run.status).toBe("completed");
    const bills = await rows<{
      status: string;
      estimated: boolean;
      kwh: string;
      exception: string | null;
      detail: {
        agreements: { tariff_code: string; reads: { end: { kind: string } }; period: { from: string; to: string } }[];
      };
    }>(sql`SELECT status, estimated, kwh::text AS kwh, exception, detail FROM bills WHERE run_id = ${run.id}`);
    const estimated = bills.filter((b) => b.estimated);
    expect(estimated.length).toBeGreaterThan(0);
    for (const b of estimated) expect(b.detail.agreements.some((a) => a.reads.end.kind === "estimated")).toBe(true);
    const [note] = await rows<{ kind: string; exception_note: string }>(
      sql`SELECT kind, exception_note FROM meter_reads WHERE source = 'estimate' LIMIT 1`,
    );
    expect(note!.kind).toBe("estimated");
    expect(note!.exception_note).toMatch(/kWh/);
    // Time of use from intervals: a whole period of one kWh an hour, 31 days.
    const tou = bills.filter(
      (b) =>
        b.status === "issued" &&
        b.detail.agreements.length === 1 &&
        ["E-TOU-C", "EV2-A"].includes(b.detail.agreements[0]!.tariff_code),
    );
    expect(tou.length).toBeGreaterThan(0);
    const whole = tou.filter(
      (x) => x.detail.agreements[0]!.period.from === "2026-07-31" && x.detail.agreements[0]!.period.to === "2026-08-30",
    );
    expect(whole.length).toBeGreaterThan(0);
    for (const b of whole) expect(Number(b.kwh)).toBe(744);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("refuses a bad cycle or date, naming the field", async () => {
    const err = (await runBills(t.ctx, { cycle: "5", bill_date: "2026-13-01" }).catch((e: unknown) => e)) as Problem;
    expect(err.status).toBe(400);
    expect((err.extra.errors as { field: string }[]).map((e) => e.field)).toEqual(["cycle", "bill_date"]);
  });
});
