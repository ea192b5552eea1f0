import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../tests/support/testkit.js";
import { seedDemoUsers } from "../cli/demo-users.js";
import { verifyLedger } from "../modules/ledger/index.js";
import { importLockbox } from "../modules/payments/lockbox/import.js";
import { seedCashieringDay } from "./cashiering-day.js";
import { seedUtility } from "./seed.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

describe("the demo's day of cashiering", () => {
  it("leaves drawers, batches and a lockbox file that imports, all through the services", async () => {
    await seedDemoUsers(t.ctx);
    await seedUtility(t.ctx, { accounts: 300, seed: 3 });
    const dir = mkdtempSync(path.join(tmpdir(), "kw-demo-"));
    const day = await seedCashieringDay(t.ctx, dir);
    expect(day).toMatchObject({
      drawers: 2,
      counter_payments: 12,
      batches: 2,
      batch_payments: 6,
      lockbox_payments: 18,
    });

    const drawers = await t.database.rows<{ cashier: string; status: string; over_short_cents: bigint }>(
      t.database.db,
      sql`SELECT cashier, status, over_short_cents FROM cash_drawers ORDER BY id`,
    );
    expect(drawers).toEqual([
      { cashier: "cashier", status: "signed_off", over_short_cents: -200n },
      { cashier: "lead", status: "closed", over_short_cents: 0n },
    ]);
    const batches = await t.database.rows<{ status: string; rows: bigint }>(
      t.database.db,
      sql`SELECT b.status, (SELECT count(*) FROM payment_batch_rows AS r WHERE r.batch_id = b.id)::int8 AS rows
          FROM payment_batches AS b ORDER BY b.id`,
    );
    expect(batches).toEqual([
      { status: "posted", rows: 6n },
      { status: "open", rows: 2n },
    ]);

    const bytes = readFileSync(day.lockbox_file);
    const imported = await importLockbox(t.ctx, { fileName: path.basename(day.lockbox_file), bytes });
    expect(imported).toMatchObject({ posted_count: 16, suspense_count: 2 });
    expect((await verifyLedger(t.ctx)).balanced).toBe(true);
  });
});
