import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, TEST_KEY, type TestApp, testApp } from "../../tests/support/testkit.js";
import { isValidAccountNumber } from "../core/account-number.js";
import { type Ctx, systemActor } from "../platform/context.js";
import { decryptField, keyedHash } from "../platform/crypto.js";
import type { Database } from "../platform/db.js";
import { pooledSealer } from "./seal.js";
import { seedUtility } from "./seed.js";

let t: TestApp;
let other: Database;
let otherCtx: Ctx;

beforeAll(async () => {
  t = await testApp();
  other = await openTestDatabase();
  otherCtx = { ...t.ctx, database: other, db: other.db, actor: systemActor("seed-test") };
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

const q = <T>(database: Database, query: ReturnType<typeof sql>) => database.rows<T>(database.db, query);

/** What the seed made, without what differs by design (ciphertexts have random IVs; created_at is the load time). */
const fingerprint = async (database: Database) => ({
  parties: await q(
    database,
    sql`SELECT id, kind, display_name, date_of_birth, email, mailing_line1, identity_last4, identity_hash, language
          FROM parties ORDER BY id`,
  ),
  accounts: await q(
    database,
    sql`SELECT id, account_number, status, customer_class, main_party_id, opened_on, closed_on FROM accounts ORDER BY id`,
  ),
  premises: await q(database, sql`SELECT * FROM premises ORDER BY id`),
  meters: await q(database, sql`SELECT * FROM meters ORDER BY id`),
  agreements: await q(
    database,
    sql`SELECT id, account_id, service_point_id, tariff_code, start_date, end_date, status FROM service_agreements ORDER BY id`,
  ),
  contacts: await q(
    database,
    sql`SELECT id, account_id, channel, reason_code, notes, occurred_at FROM contacts ORDER BY id`,
  ),
  phones: await q(database, sql`SELECT * FROM party_phones ORDER BY id`),
});

describe("kilowatt seed", () => {
  it("is deterministic, and appending continues the same utility (30 + 20 accounts = 50 at once)", async () => {
    const first = await seedUtility(t.ctx, { accounts: 30, seed: 5, chunkSize: 8 });
    expect(first).toMatchObject({ accounts: 30, first_account_id: 1, last_account_id: 30 });
    const second = await seedUtility(t.ctx, { accounts: 20, seed: 5, chunkSize: 8 });
    expect(second).toMatchObject({ accounts: 20, first_account_id: 31, last_account_id: 50 });
    await seedUtility(otherCtx, { accounts: 50, seed: 5 });
    expect(await fingerprint(t.database)).toEqual(await fingerprint(other));
  });

  it("gives valid 10-digit Luhn account numbers and unique meter numbers", async () => {
    const accounts = await q<{ account_number: string }>(t.database, sql`SELECT account_number FROM accounts`);
    for (const { account_number: n } of accounts) expect(isValidAccountNumber(n), n).toBe(true);
    const [meters] = await q<{ n: bigint; d: bigint }>(
      t.database,
      sql`SELECT count(*) AS n, count(DISTINCT meter_number) AS d FROM meters`,
    );
    expect(meters!.n).toBe(meters!.d);
  });

  it("stores identity numbers as the parties context does: encrypted, last four, keyed hash", async () => {
    const rows = await q<{ identity_encrypted: string; identity_last4: string; identity_hash: string }>(
      t.database,
      sql`SELECT identity_encrypted, identity_last4, identity_hash FROM parties WHERE identity_encrypted IS NOT NULL`,
    );
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) {
      const plain = decryptField(TEST_KEY, r.identity_encrypted);
      expect(plain.slice(-4)).toBe(r.identity_last4);
      expect(keyedHash(TEST_KEY, plain)).toBe(r.identity_hash);
      expect(r.identity_encrypted).not.toContain(plain);
    }
    const seal = pooledSealer(TEST_KEY);
    expect(decryptField(TEST_KEY, seal("123456789"))).toBe("123456789");
    expect(seal("123456789")).not.toBe(seal("123456789"));
  });

  it("makes a whole utility: every table, the customer classes, territories and tariffs", async () => {
    await seedUtility(t.ctx, { accounts: 250, seed: 9 });
    const counts = await q<{ t: string; n: bigint }>(
      t.database,
      sql`SELECT 'parties' AS t, count(*) AS n FROM parties UNION ALL SELECT 'party_phones', count(*) FROM party_phones
          UNION ALL SELECT 'party_flags', count(*) FROM party_flags UNION ALL SELECT 'enrolments', count(*) FROM enrolments
          UNION ALL SELECT 'account_parties', count(*) FROM account_parties UNION ALL SELECT 'service_points', count(*) FROM service_points
          UNION ALL SELECT 'meter_registers', count(*) FROM meter_registers UNION ALL SELECT 'meter_installations', count(*) FROM meter_installations
          UNION ALL SELECT 'contacts', count(*) FROM contacts`,
    );
    for (const c of counts) expect(c.n, c.t).toBeGreaterThan(0n);
    const territories = (
      await q<{ v: string }>(t.database, sql`SELECT DISTINCT baseline_territory AS v FROM premises`)
    ).map((r) => r.v);
    expect(territories.every((v) => "PQRSTVWXYZ".includes(v))).toBe(true);
    expect(territories.length).toBeGreaterThanOrEqual(6);
    const tariffs = (
      await q<{ v: string }>(t.database, sql`SELECT DISTINCT tariff_code AS v FROM service_agreements`)
    ).map((r) => r.v);
    expect(tariffs.every((v) => ["E-1", "E-TOU-C", "EV2-A", "A-1", "B-1"].includes(v))).toBe(true);
    expect(tariffs).toEqual(expect.arrayContaining(["E-1", "E-TOU-C", "EV2-A", "A-1"]));
    const kinds = (await q<{ v: string }>(t.database, sql`SELECT DISTINCT kind AS v FROM meters`)).map((r) => r.v);
    expect(kinds.sort()).toEqual(["interval", "register"]);
    const [history] = await q<{ n: bigint }>(
      t.database,
      sql`SELECT count(*) AS n FROM meter_installations WHERE removed_on IS NOT NULL`,
    );
    expect(history!.n).toBeGreaterThan(0n);
    const flags = (await q<{ v: string }>(t.database, sql`SELECT DISTINCT flag AS v FROM party_flags`)).map((r) => r.v);
    expect(flags).toContain("medical_baseline");
    const programs = (await q<{ v: string }>(t.database, sql`SELECT DISTINCT program AS v FROM enrolments`)).map(
      (r) => r.v,
    );
    expect(programs).toEqual(expect.arrayContaining(["care", "medical_baseline"]));
    const [phones] = await q<{ bad: bigint }>(
      t.database,
      sql`SELECT count(*) AS bad FROM party_phones WHERE number !~ '^\\+1[2-9][0-9]{9}$'`,
    );
    expect(phones!.bad).toBe(0n);
  });

  it("audits one row per run and per chunk, and leaves the id sequences where new rows continue", async () => {
    const audits = await q<{ action: string; n: bigint }>(
      t.database,
      sql`SELECT action, count(*) AS n FROM audit_log WHERE entity_type = 'seed' GROUP BY action ORDER BY action`,
    );
    // 30 accounts in chunks of 8 (4), 20 in chunks of 8 (3), 250 in one chunk: 8 chunks, 3 runs.
    expect(audits).toEqual([
      { action: "seed.chunk", n: 8n },
      { action: "seed.run", n: 3n },
    ]);
    for (const table of ["accounts", "parties", "contacts", "meters"]) {
      const [row] = await q<{ max: bigint; next: bigint }>(
        t.database,
        sql.raw(`SELECT max(id) AS max, nextval(pg_get_serial_sequence('${table}', 'id')) AS next FROM ${table}`),
      );
      expect(row!.next, table).toBe(row!.max + 1n);
    }
  });
});
