import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, TEST_KEY, type TestApp, testApp } from "../../tests/support/testkit.js";
import { isValidAccountNumber } from "../core/account-number.js";
import { accountBalances, verifyLedger } from "../modules/ledger/index.js";
import { holdsCardNumber, paymentView } from "../modules/payments/index.js";
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
  entries: await q(database, sql`SELECT * FROM journal_entries ORDER BY id`),
  postings: await q(database, sql`SELECT * FROM journal_postings ORDER BY id`),
  items: await q(database, sql`SELECT * FROM receivable_items ORDER BY id`),
  credits: await q(database, sql`SELECT * FROM receivable_credits ORDER BY id`),
  matches: await q(database, sql`SELECT * FROM receivable_matches ORDER BY id`),
  balances: await q(database, sql`SELECT * FROM account_balances ORDER BY account_id`),
  payments: await q(database, sql`SELECT * FROM payments ORDER BY id`),
  tenders: await q(database, sql`SELECT * FROM payment_tenders ORDER BY id`),
  lines: await q(database, sql`SELECT * FROM payment_lines ORDER BY id`),
});

describe("kilowatt seed", () => {
  it("is deterministic, and appending continues the same utility (30 + 20 accounts = 50 at once)", async () => {
    const first = await seedUtility(t.ctx, { accounts: 30, seed: 5, chunkSize: 8 });
    expect(first).toMatchObject({ accounts: 30, load: "proved", first_account_id: 1, last_account_id: 30 });
    const second = await seedUtility(t.ctx, { accounts: 20, seed: 5, chunkSize: 8 });
    expect(second).toMatchObject({ accounts: 20, first_account_id: 31, last_account_id: 50 });
    // The same accounts loaded with every trigger firing per row are the same rows: the proved load skips nothing.
    expect(await seedUtility(otherCtx, { accounts: 50, seed: 5, checked: true })).toMatchObject({ load: "checked" });
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
    for (const table of [
      "accounts",
      "parties",
      "contacts",
      "meters",
      "journal_entries",
      "journal_postings",
      "payments",
    ]) {
      const [row] = await q<{ max: bigint; next: bigint }>(
        t.database,
        sql.raw(`SELECT max(id) AS max, nextval(pg_get_serial_sequence('${table}', 'id')) AS next FROM ${table}`),
      );
      expect(row!.next, table).toBe(row!.max + 1n);
    }
  });
});

describe("the seeded money history", () => {
  const today = "2026-03-02";
  type Expected = { account_id: bigint; open: bigint; unapplied: bigint; past_due: bigint; oldest: string | null };

  it("is proved by the ledger: verify is clean, and every account's balances agree with its items", async () => {
    const verified = await verifyLedger(t.ctx);
    expect(verified.violations).toEqual([]);
    expect(verified.entries).toBeGreaterThan(2_000);
    const expected = await q<Expected>(
      t.database,
      sql`SELECT a.id AS account_id,
                 coalesce((SELECT sum(open_cents) FROM receivable_items i WHERE i.account_id = a.id), 0)::int8 AS open,
                 coalesce((SELECT sum(open_cents) FROM receivable_credits c WHERE c.account_id = a.id), 0)::int8 AS unapplied,
                 coalesce((SELECT sum(open_cents) FROM receivable_items i
                            WHERE i.account_id = a.id AND i.due_date < ${today}::date), 0)::int8 AS past_due,
                 (SELECT min(due_date)::text FROM receivable_items i
                   WHERE i.account_id = a.id AND i.open_cents > 0 AND i.due_date < ${today}::date) AS oldest
          FROM accounts a WHERE EXISTS (SELECT 1 FROM account_balances b WHERE b.account_id = a.id) ORDER BY a.id`,
    );
    expect(expected.length).toBeGreaterThan(250);
    for (const e of expected) {
      const b = await accountBalances(t.ctx, Number(e.account_id));
      expect(b.balance_cents, `account ${e.account_id}`).toBe(e.open - e.unapplied);
      expect(b.open_items_cents).toBe(e.open);
      expect(b.unapplied_credit_cents).toBe(e.unapplied);
      expect(b.past_due_cents).toBe(e.past_due);
    }
  });

  it("looks like a utility's receivables: bills by category, most current, some behind by one to several bills", async () => {
    const items = await q<{ category: string; bad: bigint }>(
      t.database,
      sql`SELECT category, count(*) FILTER (WHERE
            CASE WHEN category = 'fee' THEN due_date IS NOT NULL OR service_from IS NOT NULL
                 ELSE service_from IS NULL OR due_date <= accounting_date OR service_to >= accounting_date END)::int8 AS bad
          FROM receivable_items GROUP BY category ORDER BY category`,
    );
    expect(items.map((i) => i.category)).toEqual(expect.arrayContaining(["delivery", "energy", "tax"]));
    for (const i of items) expect(i.bad, i.category).toBe(0n);
    // Past due among active residential accounts, by the age of the oldest unpaid due date.
    const [aging] = await q<Record<string, bigint>>(
      t.database,
      sql`WITH oldest AS (
            SELECT a.id, ${today}::date - min(i.due_date) AS late
            FROM accounts a LEFT JOIN receivable_items i
              ON i.account_id = a.id AND i.open_cents > 0 AND i.due_date < ${today}::date
            WHERE a.status = 'active' AND a.customer_class = 'residential' GROUP BY a.id)
          SELECT count(*)::int8 AS accounts, count(late)::int8 AS past_due,
                 count(*) FILTER (WHERE late BETWEEN 31 AND 60)::int8 AS d31_60,
                 count(*) FILTER (WHERE late > 60)::int8 AS d61_plus
          FROM oldest`,
    );
    const share = Number(aging!.past_due) / Number(aging!.accounts);
    expect(share).toBeGreaterThan(0.06);
    expect(share).toBeLessThan(0.2);
    expect(aging!.d31_60).toBeGreaterThan(0n);
    expect(aging!.d61_plus).toBeGreaterThan(0n);
    const [money] = await q<Record<string, bigint>>(
      t.database,
      sql`SELECT (SELECT count(DISTINCT account_id) FROM receivable_credits WHERE open_cents > 0)::int8 AS unapplied,
                 (SELECT count(*) FROM receivable_items WHERE description LIKE 'Final bill:%')::int8 AS final_lines,
                 (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY s) FROM (
                    SELECT sum(i.original_cents) AS s FROM receivable_items i JOIN accounts a ON a.id = i.account_id
                    WHERE a.customer_class = 'residential' AND i.reference LIKE 'bill:%'
                    GROUP BY i.account_id, i.reference) bills)::int8 AS median_residential_bill`,
    );
    expect(money!.unapplied).toBeGreaterThan(0n);
    expect(money!.final_lines).toBeGreaterThan(0n);
    expect(money!.median_residential_bill).toBeGreaterThan(8_000n);
    expect(money!.median_residential_bill).toBeLessThan(40_000n);
    // Checks, cards and ACH, as the payments context keeps them: never anything like a card number.
    const tenders = await q<Record<string, string | null>>(t.database, sql`SELECT * FROM payment_tenders`);
    expect(new Set(tenders.map((x) => x.type))).toEqual(new Set(["check", "card", "ach", "money_order"]));
    for (const x of tenders) {
      for (const field of ["check_number", "serial_number", "processor_token", "last4", "routing_last4"]) {
        expect(holdsCardNumber(x[field] ?? ""), `tender ${x.id} ${field}`).toBe(false);
      }
    }
  });

  it("reads through the payments views and routes, tenders described as the payments context describes them", async () => {
    const [account] = await q<{ account_id: bigint }>(
      t.database,
      sql`SELECT account_id FROM payment_lines GROUP BY account_id HAVING count(*) >= 3 ORDER BY account_id LIMIT 1`,
    );
    const id = Number(account!.account_id);
    const history = await t.app.inject({ url: `/api/v1/accounts/${id}/payments`, headers: await t.as("csr") });
    expect(history.statusCode).toBe(200);
    const payments = history.json().payments as { id: number; total_cents: number; tenders: unknown[] }[];
    expect(payments.length).toBeGreaterThanOrEqual(3);
    for (const p of payments) {
      const view = await paymentView(t.ctx, p.id);
      expect(view.distribution).toHaveLength(1);
      const [credit] = await q<{ description: string; reference: string }>(
        t.database,
        sql`SELECT description, reference FROM receivable_credits WHERE id = ${view.distribution[0]!.credit_id}`,
      );
      expect(credit).toEqual({
        description: `payment ${p.id}: ${view.tenders[0]!.description}`,
        reference: `payment:${p.id}`,
      });
    }
    const balances = await t.app.inject({ url: `/api/v1/accounts/${id}/balances`, headers: await t.as("csr") });
    expect(balances.json().balance_cents).toBe(Number((await accountBalances(t.ctx, id)).balance_cents));
  });

  it("goes on under the services: a payment on a past-due account pays its oldest item first", async () => {
    const [late] = await q<{ account_id: bigint; id: bigint; open_cents: bigint }>(
      t.database,
      sql`SELECT i.account_id, i.id, i.open_cents FROM receivable_items i JOIN accounts a ON a.id = i.account_id
          WHERE a.status = 'active' AND i.open_cents > 0 AND i.due_date < ${today}::date
            AND NOT EXISTS (SELECT 1 FROM receivable_credits c WHERE c.account_id = i.account_id AND c.open_cents > 0)
          ORDER BY i.due_date, i.accounting_date, i.id LIMIT 1`,
    );
    const accountId = Number(late!.account_id);
    const [oldest] = await q<{ id: bigint }>(
      t.database,
      sql`SELECT id FROM receivable_items WHERE account_id = ${accountId} AND open_cents > 0
          ORDER BY due_date NULLS LAST, accounting_date, id LIMIT 1`,
    );
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/payments",
      headers: { ...(await t.as("csr")), "idempotency-key": `seeded-${accountId}` },
      payload: {
        account_id: accountId,
        amount_cents: Number(late!.open_cents),
        tender: { type: "check", check_number: "2001" },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const [after] = await q<{ open_cents: bigint }>(
      t.database,
      sql`SELECT open_cents FROM receivable_items WHERE id = ${oldest!.id}`,
    );
    expect(after!.open_cents).toBe(0n);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
