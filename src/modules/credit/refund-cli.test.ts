import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { testConfig } from "../../../tests/support/testkit.js";
import { fixedClock } from "../../platform/clock.js";
import { type Ctx, systemActor } from "../../platform/context.js";
import { type Database, openEmbedded, openPostgres } from "../../platform/db.js";
import { takePayment } from "../payments/index.js";
import { requireDeposit } from "./deposits.js";

// The real `kilowatt deposits refund` in a child process whose business clock is KILOWATT_NOW: a deposit paid in
// March 2026 is not refunded when the clock says February 2027, and is (with the refund sentence) in April 2027.
const execute = promisify(execFile);
const main = path.resolve("src/cli/main.ts");
const work = mkdtempSync(path.join(os.tmpdir(), "kilowatt-refund-"));
const cleanups: (() => Promise<void>)[] = [async () => rmSync(work, { recursive: true, force: true })];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function target(): Promise<{ env: NodeJS.ProcessEnv; open(): Promise<Database> }> {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", KILOWATT_DATA_KEY: "07".repeat(32) };
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dataDir = path.join(work, "data");
    delete base.DATABASE_URL;
    return { env: { ...base, KILOWATT_DATA_DIR: dataDir }, open: () => openEmbedded(dataDir) };
  }
  const name = `kw_refund_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("pgTemplate")}`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { env: { ...base, DATABASE_URL: u.toString() }, open: async () => openPostgres(u.toString(), 2) };
}

const kilowatt = (args: string[], env: NodeJS.ProcessEnv) =>
  execute(process.execPath, ["--import", "tsx", main, ...args], { env, timeout: 120_000 });

describe("kilowatt deposits refund on KILOWATT_NOW", () => {
  it("refunds a deposit only once the clock says the on-time run is complete", async () => {
    const t = await target();
    await kilowatt(["seed", "--accounts", "3", "--seed", "4"], t.env);
    // A deposit billed and paid on March 2, 2026, through the services, on an injected clock.
    const database = await t.open();
    const clock = fixedClock("2026-03-02T18:00:00Z");
    const ctx: Ctx = {
      database,
      db: database.db,
      clock,
      config: testConfig(),
      actor: systemActor("test"),
      requestId: "t",
    };
    const [account] = await database.rows<{ id: bigint }>(
      database.db,
      sql`INSERT INTO accounts (account_number, status, customer_class, main_party_id, bill_cycle, opened_on)
          SELECT '9000000019', 'active', 'residential', main_party_id, '01', '2026-03-02' FROM accounts LIMIT 1
          RETURNING id`,
    );
    await database.rows(
      database.db,
      sql`INSERT INTO account_balances (account_id) VALUES (${account!.id}::int8)
                                         ON CONFLICT DO NOTHING`,
    );
    const deposit = await requireDeposit(ctx, Number(account!.id), { reason: "establishment" });
    await takePayment(ctx, {
      account_id: Number(account!.id),
      amount_cents: Number(deposit.amount_cents),
      tender: { type: "check", check_number: "4401" },
      channel: "mail",
    });
    await database.close();

    const early = await kilowatt(["deposits", "refund"], { ...t.env, KILOWATT_NOW: "2027-02-15T18:00:00Z" });
    expect(JSON.parse(early.stdout)).toMatchObject({ as_of: "2027-02-15", refunded: [] });
    const due = await kilowatt(["deposits", "refund"], { ...t.env, KILOWATT_NOW: "2027-04-02T18:00:00Z" });
    const result = JSON.parse(due.stdout);
    expect(result.as_of).toBe("2027-04-02");
    expect(result.refunded).toEqual([
      expect.objectContaining({ deposit_id: deposit.id, returned_cents: deposit.amount_cents, run_from: "2026-03-02" }),
    ]);
    expect(due.stderr).toContain(`Deposit ${deposit.id} (`);
    expect(due.stderr).toContain("deposits refunded: 1, applied at close: 0 (as of 2027-04-02)");
    const verify = await kilowatt(["ledger", "verify"], { ...t.env, KILOWATT_NOW: "2027-04-02T18:00:00Z" });
    expect(verify.stdout).toMatch(/^ledger balanced/);
  }, 240_000);
});
