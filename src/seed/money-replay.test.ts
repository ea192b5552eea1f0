import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, TEST_KEY, type TestApp, testApp } from "../../tests/support/testkit.js";
import { postCharge, postCredit, verifyLedger } from "../modules/ledger/index.js";
import { type PaymentInput, reversePayment, takePayment } from "../modules/payments/index.js";
import { type Ctx, systemActor } from "../platform/context.js";
import type { Database } from "../platform/db.js";
import { iso } from "./dates.js";
import { emptyChunk, type GenerateOptions, generateAccounts } from "./generate.js";
import type { TenderColumns } from "./instruments.js";
import type { MoneyOp } from "./money.js";
import { seededAccountNumber, seededMeterNumber } from "./numbers.js";
import { pooledSealer } from "./seal.js";
import { moneyOptions, seedUtility } from "./seed.js";
import { ID_TABLES, type SeedTable } from "./tables.js";

// The seed writes the ledger and payments tables in bulk, as the services would have written them one call at a
// time. This proves it: the same accounts are seeded twice, once with their money history and once without; the
// history is generated again in memory, telling each service call it stands for, and those calls are made through
// the services themselves on the second database, with the business clock set to each one's day and the id
// sequences where the seed's ids were. Every row of every money table must then be the same.

const SEED = 4; // its first 120 accounts hold returned payments and write-offs as well as bills and payments
const ACCOUNTS = 120;
const MONEY_TABLES: SeedTable[] = [
  "journal_entries",
  "journal_postings",
  "receivable_items",
  "receivable_credits",
  "receivable_matches",
  "payments",
  "payment_tenders",
  "payment_lines",
];
// Columns only the moment of writing sets: the database's clock.
const UNCOMPARED = new Set(["journal_entries.recorded_at", "payments.recorded_at"]);

let t: TestApp;
let seeded: Database;
let seededCtx: Ctx;

beforeAll(async () => {
  t = await testApp();
  seeded = await openTestDatabase();
  seededCtx = { ...t.ctx, database: seeded, db: seeded.db };
});
afterAll(async () => {
  await seeded?.close();
  await t?.close();
});

/** A tender as a payment request names it. */
function tenderInput(t: TenderColumns): PaymentInput["tender"] {
  const last4 = (v: string | null) => v ?? undefined;
  switch (t.type) {
    case "check":
      return {
        type: "check",
        check_number: t.checkNumber!,
        account_last4: last4(t.last4),
        routing_last4: last4(t.routingLast4),
      };
    case "money_order":
      return { type: "money_order", serial_number: t.serialNumber! };
    case "card":
      return { type: "card", processor_token: t.processorToken!, brand: t.brand as "visa", last4: t.last4! };
    case "ach":
      return {
        type: "ach",
        processor_token: t.processorToken!,
        account_last4: t.last4!,
        routing_last4: last4(t.routingLast4),
      };
  }
}

/** Makes the service call an operation of the history stands for. */
async function replay(ctx: Ctx, op: MoneyOp) {
  switch (op.kind) {
    case "charge": {
      const c = op.charge;
      await postCharge(ctx, {
        account_id: op.accountId,
        category: c.category as "energy",
        amount_cents: c.amount,
        due_date: c.due === null ? null : iso(c.due),
        service_period: c.period ? { from: iso(c.period.from), to: iso(c.period.to) } : undefined,
        reference: c.reference,
        description: c.description,
      });
      return;
    }
    case "payment": {
      const payment = await takePayment(ctx, {
        account_id: op.accountId,
        amount_cents: Number(op.amount),
        tender: tenderInput(op.tender),
        channel: op.channel as PaymentInput["channel"],
        received_on: iso(op.received),
      });
      expect(payment.id).toBe(op.paymentId);
      return;
    }
    case "return":
      await reversePayment(ctx, op.paymentId, { reason: op.reason });
      return;
    case "credit":
      await postCredit(ctx, {
        account_id: op.accountId,
        kind: op.creditKind as "write_off",
        amount_cents: op.amount,
        reference: op.reference,
        description: op.description,
      });
  }
}

/** Every row of a table in id order, less the columns set by the database's clock. */
async function rowsOf(database: Database, table: SeedTable) {
  const rows = await database.rows<Record<string, unknown>>(
    database.db,
    sql.raw(`SELECT * FROM ${table} ORDER BY ${table === "account_balances" ? "account_id" : "id"}`),
  );
  for (const row of rows)
    for (const column of Object.keys(row)) if (UNCOMPARED.has(`${table}.${column}`)) delete row[column];
  return rows;
}

describe("the seed's money history", () => {
  it("is, row for row, what the ledger and payments services write for the same calls", async () => {
    await seedUtility(seededCtx, { accounts: ACCOUNTS, seed: SEED });
    await seedUtility(t.ctx, { accounts: ACCOUNTS, seed: SEED, moneyHistory: false });

    const ops: MoneyOp[] = [];
    const starts = new Map<number, Record<SeedTable, number>>();
    const nextId = Object.fromEntries(ID_TABLES.map((table) => [table, 1])) as Record<SeedTable, number>;
    const gen: GenerateOptions = {
      seed: SEED,
      today: t.clock.today().toString(),
      dataKey: TEST_KEY,
      seal: pooledSealer(TEST_KEY),
      nextId,
      accountNumber: seededAccountNumber,
      meterNumber: seededMeterNumber,
      money: { ...(await moneyOptions(t.ctx)), trace: (op) => ops.push(op) },
    };
    const chunk = emptyChunk();
    for (let n = 0; n < ACCOUNTS; n++) {
      starts.set(nextId.accounts, { ...nextId });
      generateAccounts(gen, chunk, 1);
    }
    expect(ops.filter((o) => o.kind === "return").length).toBeGreaterThan(0);
    expect(ops.filter((o) => o.kind === "credit").length).toBeGreaterThan(0);

    let account = 0;
    for (const op of ops) {
      if (op.accountId !== account) {
        account = op.accountId;
        // The services draw ids from the sequences: start them where the seed's ids for this account start.
        for (const table of MONEY_TABLES) {
          const first = starts.get(account)![table];
          await t.database.db.execute(
            sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), ${Math.max(first - 1, 1)}, ${first > 1})`,
          );
        }
      }
      t.clock.set(`${iso(op.day)}T20:00:00Z`);
      await replay({ ...t.ctx, actor: systemActor(op.actor) }, op);
    }
    t.clock.set("2026-03-02T17:00:00Z");

    for (const table of [...MONEY_TABLES, "account_balances" as const]) {
      const expected = await rowsOf(t.database, table);
      expect(expected.length, table).toBeGreaterThan(0);
      expect(await rowsOf(seeded, table), table).toEqual(expected);
    }
    expect((await verifyLedger(seededCtx)).violations).toEqual([]);
  });
});
