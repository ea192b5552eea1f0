import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { seedUtility } from "../../seed/seed.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";

let t: TestApp;
const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);

beforeAll(async () => {
  t = await testApp({ now: "2026-08-05T17:00:00Z" });
  await seedUtility(t.ctx, { accounts: 30, seed: 31 });
  await seedDemoTariffs(t.ctx);
  await rows(sql`UPDATE service_agreements SET tariff_code = 'E-1'`);
  await rows(sql`UPDATE accounts SET bill_cycle = '12'`);
  await putSetting(t.ctx, "billing.hold_rules", {
    effective_from: "2026-01-01",
    value: { high_usage_factor: 3, consecutive_estimates: 3, over_cents: { residential: 9_000, default: 9_000 } },
  });
  await rows(sql`
    INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, kind, source, created_by)
    SELECT DISTINCT ON (mi.meter_id, d.read_on) mi.meter_id, sa.service_point_id, d.read_on,
           100 + d.n * (100 + (sa.account_id % 5) * 80), CASE WHEN d.n = 0 THEN NULL ELSE 100 + (sa.account_id % 5) * 80 END,
           'actual', 'field', 'test'
    FROM service_agreements AS sa
    JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id AND mi.removed_on IS NULL
    CROSS JOIN (VALUES ('2026-06-30'::date, 0), ('2026-07-30'::date, 1)) AS d(read_on, n)
    WHERE sa.status = 'active'
    ON CONFLICT DO NOTHING`);
}, 120_000);
afterAll(async () => t?.close());

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out");
}

describe("bill runs and exceptions over HTTP", () => {
  it("starts a run in the background, shows its progress, refuses it twice, and works its exceptions", async () => {
    const analyst = await t.as("billing_analyst");
    const csr = await t.as("csr");
    const forbidden = await t.app.inject({
      method: "POST",
      url: "/api/v1/bill-runs",
      headers: csr,
      payload: { cycle: "12", bill_date: "2026-08-01" },
    });
    expect(forbidden.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/bill-runs",
      headers: analyst,
      payload: { cycle: "x", bill_date: "2026-08-01" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toMatch(/cycle/);

    const started = await t.app.inject({
      method: "POST",
      url: "/api/v1/bill-runs",
      headers: analyst,
      payload: { cycle: "12", bill_date: "2026-08-01" },
    });
    expect(started.statusCode).toBe(202);
    const id = started.json().id as number;
    const done = await until(
      async () => (await t.app.inject({ method: "GET", url: `/api/v1/bill-runs/${id}`, headers: csr })).json(),
      (v) => v.status === "completed",
    );
    expect(done.billed + done.held + done.skipped).toBe(done.accounts_total);
    const twice = await t.app.inject({
      method: "POST",
      url: "/api/v1/bill-runs",
      headers: analyst,
      payload: { cycle: "12", bill_date: "2026-08-01" },
    });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().rule).toBe("billing.run_completed");

    const queue = (await t.app.inject({ method: "GET", url: "/api/v1/bill-exceptions", headers: analyst })).json();
    expect(queue.items.length).toBe(done.held);
    expect(queue.items.length).toBeGreaterThan(1);
    const [first, second] = queue.items;
    const released = await t.app.inject({
      method: "POST",
      url: `/api/v1/bills/${first.bill_id}/release`,
      headers: analyst,
      payload: { version: first.version },
    });
    expect(released.statusCode).toBe(200);
    expect(released.json().status).toBe("issued");
    const cancelled = await t.app.inject({
      method: "POST",
      url: `/api/v1/bills/${second.bill_id}/cancel`,
      headers: analyst,
      payload: { version: second.version, reason: "meter exchanged" },
    });
    expect(cancelled.statusCode).toBe(200);
    const noReason = await t.app.inject({
      method: "POST",
      url: `/api/v1/bills/${second.bill_id}/rebill`,
      headers: analyst,
      payload: { version: 2 },
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toMatch(/reason/);
    const csrQueue = await t.app.inject({ method: "GET", url: "/api/v1/bill-exceptions", headers: csr });
    expect(csrQueue.statusCode).toBe(403);
  });
});
