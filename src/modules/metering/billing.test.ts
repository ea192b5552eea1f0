import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { inTx } from "../../platform/context.js";
import { estimateMissingReads, readsForBilling, readsSince } from "./billing.js";
import { keyReads, listReads } from "./reads.js";
import { installedMeter } from "./test-fixtures.js";

// What the bill run calls: the valid reads of many service points in one query, and estimated reads written where
// a cycle's read is missing.

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-08-15T17:00:00Z" });
});
afterAll(async () => t?.close());

/** A year and a half of monthly reads: 300 kWh a month, 600 in the summer months. */
async function meterWithHistory(opts: { dials?: number; start?: number } = {}) {
  const m = await installedMeter(t, { dials: opts.dials ?? 5 });
  const reads = [];
  let reading = opts.start ?? 10_000;
  for (let month = 0; month < 18; month++) {
    const d = new Date(Date.UTC(2025, month, 1));
    const summer = d.getUTCMonth() >= 5 && d.getUTCMonth() <= 8;
    reads.push({ read_on: d.toISOString().slice(0, 10), reading: String(reading % 10 ** (opts.dials ?? 5)) });
    reading += summer ? 600 : 300;
  }
  await keyReads(t.ctx, m.number, reads);
  return m;
}

describe("readsForBilling", () => {
  it("gives each service point its valid reads up to a day, oldest first, in one query", async () => {
    const a = await meterWithHistory();
    const b = await installedMeter(t, { multiplier: "2" });
    await keyReads(t.ctx, b.number, [
      { read_on: "2026-05-01", reading: "100" },
      { read_on: "2026-06-01", reading: "50" },
    ]);
    const got = await readsForBilling(t.ctx, [a.servicePointId, b.servicePointId, 999_999], "2026-05-31");
    expect(got.get(a.servicePointId)).toHaveLength(17);
    expect(got.get(a.servicePointId)!.at(-1)).toMatchObject({ readOn: "2026-05-01", kwh: "300", kind: "actual" });
    expect(got.get(b.servicePointId)).toEqual([
      expect.objectContaining({
        readOn: "2026-05-01",
        reading: "100",
        kwh: null,
        meterNumber: b.number,
        multiplier: "2",
      }),
    ]);
    expect(got.has(999_999)).toBe(false);
    // The held read of June (negative usage) is not billed.
    const later = await readsForBilling(t.ctx, [b.servicePointId], "2026-06-30", "2026-01-01");
    expect(later.get(b.servicePointId)).toHaveLength(1);
  });
});

describe("readsSince", () => {
  it("gives a service point asked for twice (two agreements, a rate change) each read once, from the earlier day", async () => {
    const a = await meterWithHistory();
    const got = await readsSince(
      t.ctx,
      [
        { servicePointId: a.servicePointId, from: "2026-03-01" },
        { servicePointId: a.servicePointId, from: "2026-01-01" },
      ],
      "2026-05-31",
    );
    const reads = got.get(a.servicePointId)!;
    expect(reads.map((r) => r.read_on)).toEqual(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]);
    expect(new Set(reads.map((r) => r.id)).size).toBe(reads.length);
  });
});

describe("estimateMissingReads", () => {
  it("writes estimated reads from last year's same period, else the recent average, set-based and audited", async () => {
    const a = await meterWithHistory();
    const fresh = await installedMeter(t);
    await keyReads(t.ctx, fresh.number, [
      { read_on: "2026-05-01", reading: "100" },
      { read_on: "2026-06-01", reading: "410" },
      { read_on: "2026-07-01", reading: "710" },
    ]);
    const none = await installedMeter(t);
    const got = await inTx(t.ctx, (tx) =>
      estimateMissingReads(tx, [
        { meterId: a.meterId, servicePointId: a.servicePointId, readOn: "2026-07-01" },
        { meterId: fresh.meterId, servicePointId: fresh.servicePointId, readOn: "2026-08-01" },
        { meterId: none.meterId, servicePointId: none.servicePointId, readOn: "2026-08-01" },
        { meterId: a.meterId, servicePointId: a.servicePointId, readOn: "2026-06-01" },
      ]),
    );
    // June 2025 (2025-06-02..2025-07-01) used 600 kWh over 30 days: June 2026 is the same 30 days.
    expect(got[0]).toMatchObject({ basis: "last_year", kwh: "600.000", readId: expect.any(Number) });
    expect(got[0]!.explanation).toMatch(/same period last year: 600\.0 kWh over 30 days/);
    expect(got[1]).toMatchObject({ basis: "recent_average", kwh: "310.000", readId: expect.any(Number) });
    expect(got[2]).toMatchObject({ basis: "none", kwh: "0.000", readId: null });
    expect(got[2]!.explanation).toMatch(/no earlier read/);
    expect(got[3]).toMatchObject({ readId: null, explanation: "a read is already on file for 2026-06-01 (valid)" });

    const { reads } = await listReads(t.ctx, a.number);
    expect(reads[0]).toMatchObject({
      id: got[0]!.readId,
      read_on: "2026-07-01",
      kind: "estimated",
      source: "estimate",
      status: "valid",
      kwh: "600",
      reading: "16900",
    });
    const [row] = await t.database.rows<{ after: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT after FROM audit_log WHERE action = 'meter_reads.estimate' ORDER BY id DESC LIMIT 1`,
    );
    expect(row!.after).toMatchObject({ estimated: 2, by_basis: { last_year: 1, recent_average: 1 } });
    // The next actual read counts from the estimate.
    const [actual] = await keyReads(t.ctx, a.number, [{ read_on: "2026-08-01", reading: "17500" }]);
    expect(actual).toMatchObject({ kwh: "600", status: "valid" });
  });

  it("wraps the estimated reading past the dials", async () => {
    const m = await meterWithHistory({ dials: 4, start: 3_400 });
    const [e] = await inTx(t.ctx, (tx) =>
      estimateMissingReads(tx, [{ meterId: m.meterId, servicePointId: m.servicePointId, readOn: "2026-07-01" }]),
    );
    const { reads } = await listReads(t.ctx, m.number);
    expect(e!.kwh).toBe("600.000");
    expect(reads[0]).toMatchObject({ read_on: "2026-07-01", rollover: true });
    expect(reads[0]!.reading).toBe("300");
  });
});
