import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import type { Problem } from "../../platform/errors.js";
import { putSetting } from "../../platform/settings.js";
import { seedUtility } from "../../seed/seed.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { accountBalances, verifyLedger } from "../ledger/index.js";
import { cancelBill, heldBills, rebillBill, releaseBill } from "./exceptions.js";
import { runBills } from "./run.js";

let t: TestApp;
const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

beforeAll(async () => {
  t = await testApp({ now: "2026-08-05T17:00:00Z" });
  await seedUtility(t.ctx, { accounts: 40, seed: 21 });
  await seedDemoTariffs(t.ctx);
  // Every agreement on E-1 (register reads price), every account in cycle 09; bills over $60 are held.
  await rows(sql`UPDATE service_agreements SET tariff_code = 'E-1'`);
  await rows(sql`UPDATE accounts SET bill_cycle = '09'`);
  await putSetting(t.ctx, "billing.hold_rules", {
    effective_from: "2026-01-01",
    value: { high_usage_factor: 3, consecutive_estimates: 3, over_cents: { residential: 6_000, default: 6_000 } },
  });
  await rows(sql`
    INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
    SELECT DISTINCT ON (mi.meter_id, d.read_on) mi.meter_id, sa.service_point_id, d.read_on,
           5000 + d.n * (60 + (sa.account_id % 7) * 60), CASE WHEN d.n = 0 THEN NULL ELSE 60 + (sa.account_id % 7) * 60 END,
           'actual', 'field', 'test'
    FROM service_agreements AS sa
    JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
    CROSS JOIN (VALUES ('2026-06-30'::date, 0), ('2026-07-30'::date, 1)) AS d(read_on, n)
    WHERE sa.status = 'active'
    ON CONFLICT DO NOTHING`);
  await runBills(t.ctx, { cycle: "09", bill_date: "2026-08-01" });
}, 120_000);
afterAll(async () => t?.close());

const billOf = async (id: number) =>
  (
    await rows<{ status: string; version: number; entry_id: bigint | null; total_cents: bigint; account_id: bigint }>(
      sql`SELECT status, version, entry_id, total_cents, account_id FROM bills WHERE id = ${id}`,
    )
  )[0]!;

describe("bill exceptions", () => {
  it("queues the held bills with their reasons, oldest first", async () => {
    const queue = await heldBills(t.ctx);
    expect(queue.items.length).toBeGreaterThan(2);
    expect(queue.by_reason.over_threshold).toBe(queue.items.length);
    expect(queue.items[0]!.exception_note).toMatch(/over the residential limit of 6000 cents|over the \w+ limit/);
  });

  it("releases a held bill: its entry posts and the balance moves by its total", async () => {
    const held = (await heldBills(t.ctx)).items[0]!;
    const before = (await accountBalances(t.ctx, held.account_id)).balance_cents;
    const released = await releaseBill(t.ctx, held.bill_id, { version: held.version, note: "checked with the field" });
    expect(released).toMatchObject({ status: "issued", mail_date: "2026-08-06", due_date: "2026-08-25" });
    const after = (await accountBalances(t.ctx, held.account_id)).balance_cents;
    expect(after - before).toBe(held.total_cents);
    const stale = await releaseBill(t.ctx, held.bill_id, { version: held.version }).catch((e: unknown) => e);
    expect((stale as Problem).status).toBe(409);
    const again = await releaseBill(t.ctx, held.bill_id, { version: released.version }).catch((e: unknown) => e);
    expect((again as Problem).status).toBe(422);
  });

  it("cancels a held bill without touching the ledger, and an issued one by reversing its entry", async () => {
    const held = (await heldBills(t.ctx)).items[0]!;
    const cancelled = await cancelBill(t.ctx, held.bill_id, { version: held.version, reason: "duplicate read" });
    expect(cancelled.cancel_entry_id).toBeNull();
    const [issued] = await rows<{ id: bigint; version: number; account_id: bigint; total_cents: bigint }>(
      sql`SELECT id, version, account_id, total_cents FROM bills WHERE status = 'issued' ORDER BY id LIMIT 1`,
    );
    const before = (await accountBalances(t.ctx, Number(issued!.account_id))).balance_cents;
    const reversed = await cancelBill(t.ctx, Number(issued!.id), { version: issued!.version, reason: "wrong meter" });
    expect(reversed.cancel_entry_id).not.toBeNull();
    expect((await accountBalances(t.ctx, Number(issued!.account_id))).balance_cents).toBe(before - issued!.total_cents);
    const [segments] = await rows<{ active: boolean }>(
      sql`SELECT active FROM bill_segments WHERE bill_id = ${issued!.id}`,
    );
    expect(segments!.active).toBe(false);
    const missing = await cancelBill(t.ctx, held.bill_id, { version: 1, reason: "" }).catch((e: unknown) => e);
    expect((missing as Problem).status).toBe(400);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });

  it("rebills from a corrected read: the old bill is cancelled, the new one issued and pointing at it", async () => {
    const held = (await heldBills(t.ctx)).items[0]!;
    // The analyst finds the read was misread: 300 kWh too many. The corrected read replaces it.
    await rows(sql`
      WITH old AS (
        UPDATE meter_reads SET status = 'replaced'
        WHERE id = (SELECT end_read_id FROM bill_segments WHERE bill_id = ${held.bill_id} LIMIT 1)
        RETURNING meter_id, service_point_id, read_on, reading, kwh)
      INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
      SELECT meter_id, service_point_id, read_on, reading - 50, greatest(kwh - 50, 1), 'actual', 'keyed', 'test' FROM old`);
    const rebill = await rebillBill(t.ctx, held.bill_id, { version: held.version, reason: "read corrected" });
    expect(rebill.status).toBe("issued");
    expect(rebill.total_cents).toBeLessThan(held.total_cents);
    expect((await billOf(held.bill_id)).status).toBe("cancelled");
    const [made] = await rows<{ rebill_of: bigint; run_id: bigint | null; kwh: string; period_to: string }>(
      sql`SELECT rebill_of, run_id, kwh::text AS kwh, period_to::text AS period_to FROM bills WHERE id = ${rebill.bill_id}`,
    );
    expect(made).toMatchObject({ rebill_of: BigInt(held.bill_id), run_id: null, period_to: held.period.to });
    expect(Number(made!.kwh)).toBe(Number(held.kwh) - 50);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
