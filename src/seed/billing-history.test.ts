import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../tests/support/testkit.js";
import { seedDemoUsers } from "../cli/demo-users.js";
import { verifyLedger } from "../modules/ledger/index.js";
import { type BillingHistoryResult, seedBillingHistory } from "./billing-history.js";
import { seedCashieringDay } from "./cashiering-day.js";
import { seedCollections } from "./collections.js";
import { seedMoveOut } from "./move-out.js";
import { seedUtility } from "./seed.js";
import { seedDemoTariffs } from "./tariffs.js";

// The demo's billing history on a small utility: two years of reads and interval data, every cycle billed every month
// by the real bill run, and the payments between bills, on a business date fixed by the test clock.
const NOW = "2026-11-20T20:00:00Z";
const TODAY = "2026-11-20";

let t: TestApp;
let history: BillingHistoryResult;
const progress: string[] = [];
const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

/** A small utility with the history: the demo tariffs, `accounts` accounts without the synthetic money history. */
async function utility(app: TestApp, accounts: number, seed: number, months: number, say?: (m: string) => void) {
  await seedDemoTariffs(app.ctx);
  await seedUtility(app.ctx, { accounts, seed, moneyHistory: false });
  return seedBillingHistory(app.ctx, { seed, months, progress: say });
}

beforeAll(async () => {
  t = await testApp({ now: NOW });
  history = await utility(t, 120, 5, 24, (m) => progress.push(m));
}, 600_000);
afterAll(async () => t?.close());

describe("the demo's billing history", () => {
  it("bills every cycle every month through completed bill runs, each account once a run", async () => {
    const cycles = await rows<{ cycle: string }>(sql`SELECT DISTINCT bill_cycle AS cycle FROM accounts ORDER BY 1`);
    const runs = await rows<{ cycle: string; runs: bigint; completed: bigint; first: string; last: string }>(sql`
      SELECT cycle, count(*) AS runs, count(*) FILTER (WHERE status = 'completed') AS completed,
             min(bill_date)::text AS first, max(bill_date)::text AS last
      FROM bill_runs GROUP BY cycle ORDER BY cycle`);
    expect(runs.map((r) => r.cycle)).toEqual(cycles.map((c) => c.cycle));
    for (const r of runs) {
      expect(r.completed).toBe(r.runs);
      expect(Number(r.runs)).toBeGreaterThanOrEqual(23);
      expect(Number(r.runs)).toBeLessThanOrEqual(25);
      expect(r.first > "2024-12-01" && r.first <= "2025-01-03", r.first).toBe(true);
      expect(r.last <= TODAY).toBe(true);
    }
    expect(history.runs).toBe(runs.reduce((s, r) => s + Number(r.runs), 0));
    const twice = await rows(sql`SELECT run_id, account_id FROM bills GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(twice).toEqual([]);
    const [count] = await rows<{ bills: bigint; pairs: bigint }>(
      sql`SELECT count(*) AS bills, count(DISTINCT (run_id, account_id)) AS pairs FROM bills`,
    );
    expect(count!.bills).toBe(count!.pairs);
    expect(Number(count!.bills)).toBe(history.bills);
    // One line a month as the history is made.
    expect(progress.filter((m) => /^billing history \d{4}-\d{2}: \d+ bill runs/.test(m)).length).toBe(history.months);
  });

  it("gives accounts served through the whole history 23 to 25 bills", async () => {
    const served = await rows<{ account_id: bigint; bills: bigint }>(sql`
      SELECT a.id AS account_id, (SELECT count(*) FROM bills AS b WHERE b.account_id = a.id) AS bills
      FROM accounts AS a
      JOIN service_agreements AS sa ON sa.account_id = a.id
      WHERE a.status = 'active' AND sa.status = 'active' AND sa.start_date < '2024-10-01'
        AND NOT EXISTS (SELECT 1 FROM service_agreements AS o WHERE o.account_id = a.id AND o.id <> sa.id
                          AND (o.end_date IS NULL OR o.end_date >= '2024-10-01'))
        AND EXISTS (SELECT 1 FROM meter_reads AS r WHERE r.service_point_id = sa.service_point_id)`);
    expect(served.length).toBeGreaterThan(30);
    for (const s of served) {
      expect(Number(s.bills), `account ${s.account_id}`).toBeGreaterThanOrEqual(23);
      expect(Number(s.bills), `account ${s.account_id}`).toBeLessThanOrEqual(25);
    }
  });

  it("prices time-of-use agreements by period from hourly interval days that add up to their reads", async () => {
    const tou = await rows<{ bills: bigint; by_period: bigint }>(sql`
      SELECT count(*) AS bills, count(*) FILTER (WHERE b.detail::text LIKE '%.peak[%') AS by_period
      FROM bills AS b JOIN bill_segments AS s ON s.bill_id = b.id
      JOIN service_agreements AS sa ON sa.id = s.service_agreement_id
      WHERE sa.tariff_code IN ('E-TOU-C', 'EV2-A') AND b.status = 'issued'`);
    expect(Number(tou[0]!.bills)).toBeGreaterThan(100);
    expect(tou[0]!.by_period).toBe(tou[0]!.bills);
    // Each billed period's kWh is what its meter's interval days hold, and what its closing read counted.
    const mismatched = await rows(sql`
      SELECT s.bill_id, s.kwh, (SELECT sum(w) FROM interval_days AS i, unnest(i.wh) AS w
                                WHERE i.meter_id = r.meter_id AND i.day BETWEEN s.period_from AND s.period_to) AS wh,
             r.kwh AS read_kwh
      FROM bill_segments AS s JOIN meter_reads AS r ON r.id = s.end_read_id
      JOIN service_agreements AS sa ON sa.id = s.service_agreement_id
      JOIN meters AS m ON m.id = r.meter_id AND m.kind = 'interval'
      WHERE sa.tariff_code IN ('E-TOU-C', 'EV2-A') AND r.kind = 'actual' AND s.period_from > '2024-12-31'
        AND (s.kwh * 1000 <> (SELECT sum(w) FROM interval_days AS i, unnest(i.wh) AS w
                              WHERE i.meter_id = r.meter_id AND i.day BETWEEN s.period_from AND s.period_to)
             OR s.kwh <> r.kwh)`);
    expect(mismatched).toEqual([]);
    const [days] = await rows<{ days: bigint; hours: bigint }>(
      sql`SELECT count(*) AS days, count(*) FILTER (WHERE minutes = 60 AND cardinality(wh) BETWEEN 23 AND 25) AS hours
          FROM interval_days`,
    );
    expect(days!.hours).toBe(days!.days);
    expect(Number(days!.days)).toBe(history.interval_days);
  });

  it("bills from the reads, estimating the few that are missing, and holds a few high bills for review", async () => {
    const [reads] = await rows<{ actual: bigint; estimated: bigint }>(sql`
      SELECT count(*) FILTER (WHERE kind = 'actual') AS actual, count(*) FILTER (WHERE kind = 'estimated') AS estimated
      FROM meter_reads`);
    expect(Number(reads!.actual)).toBe(history.reads);
    expect(Number(reads!.estimated)).toBe(history.estimated);
    // A register agreement's billed kWh is what its reads counted over the period (estimates included).
    const miscounted = await rows(sql`
      SELECT s.bill_id, s.kwh FROM bill_segments AS s
      JOIN service_agreements AS sa ON sa.id = s.service_agreement_id
      WHERE sa.tariff_code NOT IN ('E-TOU-C', 'EV2-A', 'B-1')
        AND (SELECT count(*) FROM service_agreements AS o WHERE o.service_point_id = sa.service_point_id) = 1
        AND s.kwh <> (SELECT coalesce(sum(r.kwh), 0) FROM meter_reads AS r
                      WHERE r.service_point_id = sa.service_point_id AND r.status = 'valid'
                        AND r.read_on BETWEEN s.period_from AND s.period_to)`);
    expect(miscounted).toEqual([]);
    const held = await rows<{ exception: string }>(sql`SELECT exception FROM bills WHERE status = 'held'`);
    expect(held.length).toBe(history.held);
    expect(held.length).toBeLessThan(history.bills / 100);
    expect(held.every((h) => h.exception === "high_usage")).toBe(true);
  });

  it("posts the payments between bills: most pay, some fall behind, a few carry a credit; the ledger verifies", async () => {
    const [paid] = await rows<{ payments: bigint; cents: bigint; channels: bigint }>(sql`
      SELECT count(*) AS payments, coalesce(sum(total_cents), 0)::int8 AS cents, count(DISTINCT channel) AS channels
      FROM payments`);
    expect(Number(paid!.payments)).toBe(history.payments);
    expect(paid!.cents).toBe(history.payment_cents);
    expect(Number(paid!.channels)).toBeGreaterThanOrEqual(4);
    const [balances] = await rows<{ behind: bigint; credit: bigint; owing: bigint }>(sql`
      SELECT count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM receivable_items AS i WHERE i.account_id = b.account_id AND i.open_cents > 0
                 AND i.due_date < ${TODAY}::date)) AS behind,
             count(*) FILTER (WHERE b.balance_cents < 0) AS credit,
             count(*) FILTER (WHERE b.balance_cents > 0) AS owing
      FROM account_balances AS b`);
    expect(Number(balances!.behind)).toBeGreaterThan(0);
    expect(Number(balances!.credit)).toBeGreaterThan(0);
    expect(Number(balances!.owing)).toBeGreaterThan(Number(balances!.behind));
    const check = await verifyLedger(t.ctx);
    expect(check.violations).toEqual([]);
    expect(check.balanced).toBe(true);
  });

  it("leaves open balances the demo's day of cashiering takes payments on", async () => {
    await seedDemoUsers(t.ctx);
    const dir = mkdtempSync(path.join(tmpdir(), "kw-history-"));
    try {
      const day = await seedCashieringDay(t.ctx, dir);
      expect(day).toMatchObject({ drawers: 2, counter_payments: 12, batches: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});

describe("a business date less than two years after the tariffs' first prices", () => {
  it("goes back only as far as the tariff book has prices", async () => {
    const early = await testApp({ now: "2025-03-10T20:00:00Z" });
    try {
      const result = await utility(early, 12, 4, 24);
      expect(result.months).toBe(14);
      const [first] = await early.database.rows<{ first: string; unpriced: bigint }>(
        early.database.db,
        sql`SELECT min(period_from)::text AS first,
                   count(*) FILTER (WHERE exception = 'cannot_price') AS unpriced FROM bills`,
      );
      expect(first!.first >= "2024-01-01").toBe(true);
      expect(first!.unpriced).toBe(0n);
    } finally {
      await early.close();
    }
  }, 300_000);
});

describe("the same seed and business date", () => {
  it("give the same history", async () => {
    const summary = async (app: TestApp) => {
      const result = await utility(app, 12, 9, 3);
      const [row] = await app.database.rows<Record<string, unknown>>(
        app.database.db,
        sql`SELECT (SELECT count(*) FROM bills) AS bills, (SELECT sum(total_cents) FROM bills) AS billed,
                   (SELECT sum(kwh) FROM bills) AS kwh, (SELECT sum(total_cents) FROM payments) AS paid,
                   (SELECT string_agg(channel || ':' || received_on || ':' || total_cents, ',' ORDER BY id)
                      FROM payments) AS payments,
                   (SELECT sum(reading) FROM meter_reads) AS readings,
                   (SELECT sum(w) FROM interval_days, unnest(wh) AS w) AS wh`,
      );
      return { ...result, seconds: 0, row };
    };
    const a = await testApp({ now: NOW });
    const b = await testApp({ now: NOW });
    try {
      const first = await summary(a);
      expect(first.bills).toBeGreaterThan(0);
      expect(await summary(b)).toEqual(first);
    } finally {
      await a.close();
      await b.close();
    }
  }, 300_000);
});

describe("the demo's collections, over the history", () => {
  it("puts the accounts behind at the dunning steps, works the field, and adds an arrangement, a dispute and a bankruptcy", async () => {
    const seeded = await seedCollections(t.ctx);
    expect(seeded.runs).toBe(15);
    expect(seeded.in_collections).toBeGreaterThan(0);
    expect(Object.keys(seeded.by_step).length).toBeGreaterThanOrEqual(2);
    const notices = await rows<{ kind: string; n: bigint }>(
      sql`SELECT kind, count(*) AS n FROM collection_events WHERE kind IN ('reminder', 'notice') GROUP BY kind`,
    );
    expect(notices.map((r) => r.kind).sort()).toEqual(["notice", "reminder"]);
    // Every state stands on the latest run's day, and only accounts that owe something are in collections.
    const [stale] = await rows<{ n: bigint }>(
      sql`SELECT count(*) AS n FROM collection_states WHERE evaluated_on > ${TODAY}::date`,
    );
    expect(Number(stale!.n)).toBe(0);
    // The closed accounts left owing: one dunned, one written off, referred and partly recovered.
    expect(seeded.closed).toHaveLength(2);
    const closed = await rows<{ account_id: bigint; step: string; recovered_cents: bigint }>(
      sql`SELECT account_id, step, recovered_cents FROM closed_collections
          WHERE account_id = ANY (${sql.param(seeded.closed)}::int8[]) ORDER BY account_id`,
    );
    expect(closed.map((c) => [Number(c.account_id), c.step, BigInt(c.recovered_cents)])).toEqual([
      [seeded.closed[0], "referred", 5_000n],
      [seeded.closed[1], "first_notice", 0n],
    ]);
    // A customer moving out in ten days: the stop is scheduled on the account's agreements.
    const moving = await seedMoveOut(t.ctx);
    expect(moving).not.toBeNull();
    const [ending] = await rows<{ status: string; end_date: string }>(
      sql`SELECT status, end_date::text AS end_date FROM service_agreements WHERE account_id = ${moving!.account_id}`,
    );
    expect(ending).toEqual({ status: "active", end_date: moving!.stop_on });
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  }, 300_000);
});
