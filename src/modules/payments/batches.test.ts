import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { luhnCheckDigit } from "../../core/account-number.js";
import { verifyLedger } from "../ledger/index.js";
import { charge } from "../ledger/test-fixtures.js";
import { balanceOf, moneyCounts, newKey, read, send } from "./test-fixtures.js";

// A clerk keys a stack of mailed payments against the adding-machine tape: the batch posts, all its rows in one
// transaction, only when the keyed count and total equal the control count and total.

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const BATCHES = "/api/v1/payment-batches";
const role = "cashier";

interface Account {
  id: number;
  number: string;
}

let names = 0;
/** An account whose customer has a name of its own (the batch shows it for a glance). */
async function newAccount(last: string): Promise<Account> {
  const made = await newCustomer(t, {
    party: { kind: "person", first_name: `Pat${++names}`, last_name: last },
    premise: undefined,
    service_point: undefined,
    meter: undefined,
    service_agreement: undefined,
  });
  return { id: made.account.id, number: made.account.account_number };
}

/** The same number with its check digit wrong. */
const wrongDigit = (number: string) => `${number.slice(0, 9)}${(Number(number[9]) + 1) % 10}`;

const createBatch = async (body: Record<string, unknown>, as = role) => send(t, BATCHES, body, { role: as, key: null });

async function openBatch(count: number, totalCents: number, over: Record<string, unknown> = {}) {
  const res = await createBatch({ control_count: count, control_total_cents: totalCents, ...over });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; version: number };
}

const addRow = (batchId: number, body: Record<string, unknown>) =>
  send(t, `${BATCHES}/${batchId}/rows`, body, { role, key: null });

async function keyed(batchId: number, account: Account, cents: number, checkNumber?: string) {
  const res = await addRow(batchId, {
    account_number: account.number,
    amount_cents: cents,
    ...(checkNumber ? { check_number: checkNumber } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const post = (batchId: number, key: string | null = newKey(), body?: Record<string, unknown>) =>
  send(t, `${BATCHES}/${batchId}/post`, body, { role, key });

async function edit(batchId: number, position: number, body: Record<string, unknown>) {
  return t.app.inject({
    method: "PUT",
    url: `${BATCHES}/${batchId}/rows/${position}`,
    headers: await t.as(role),
    payload: body,
  });
}

async function remove(batchId: number, position: number, version: number) {
  return t.app.inject({
    method: "DELETE",
    url: `${BATCHES}/${batchId}/rows/${position}?version=${version}`,
    headers: await t.as(role),
  });
}

const view = async (batchId: number) => (await read(t, `${BATCHES}/${batchId}`, role)).json();

const auditOf = (batchId: number) =>
  t.database.rows<{ action: string; after: Record<string, unknown> | null }>(
    t.database.db,
    sql`SELECT action, after FROM audit_log WHERE entity_type = 'payment_batch' AND entity_id = ${String(batchId)}
        ORDER BY id`,
  );

describe("opening a batch", () => {
  it("opens with the tape's control count and total, dated today, and audits it", async () => {
    const res = await createBatch({ control_count: 3, control_total_cents: 45_075, label: "Mail, Monday" });
    expect(res.statusCode).toBe(201);
    const batch = res.json();
    expect(batch).toMatchObject({
      id: expect.any(Number),
      business_date: "2026-03-02",
      label: "Mail, Monday",
      tender_type: "check",
      status: "open",
      control_count: 3,
      control_total_cents: 45_075,
      keyed_count: 0,
      keyed_total_cents: 0,
      count_difference: 3,
      total_difference_cents: 45_075,
      balanced: false,
      created_by: "t-cashier",
      posted_at: null,
      version: 1,
      rows: [],
    });
    expect(await auditOf(batch.id)).toEqual([
      {
        action: "payment_batch.create",
        after: { label: "Mail, Monday", tender_type: "check", control_count: 3, control_total_cents: "45075" },
      },
    ]);
  });

  it("refuses a count or total of zero, fractions of a cent and tenders other than checks and money orders", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ control_count: 0, control_total_cents: 100 }, "control_count"],
      [{ control_count: 2, control_total_cents: 0 }, "control_total_cents"],
      [{ control_count: 2, control_total_cents: 12.5 }, "control_total_cents"],
      [{ control_count: 2, control_total_cents: "100" }, "control_total_cents"],
      [{ control_count: 1.5, control_total_cents: 100 }, "control_count"],
      [{ control_count: 2, control_total_cents: 100, tender_type: "cash" }, "tender_type"],
      [{ control_count: 2, control_total_cents: 100, tender_type: "card" }, "tender_type"],
    ];
    const before = await t.database.rows(t.database.db, sql`SELECT id FROM payment_batches`);
    for (const [body, field] of cases) {
      const res = await createBatch(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await t.database.rows(t.database.db, sql`SELECT id FROM payment_batches`)).toHaveLength(before.length);
  });

  it("belongs to cashiers, leads and supervisors: a CSR or a trainee may not key batches", async () => {
    for (const r of ["cashier", "lead", "supervisor"]) {
      expect((await createBatch({ control_count: 1, control_total_cents: 100 }, r)).statusCode).toBe(201);
    }
    for (const r of ["csr", "trainee"]) {
      const res = await createBatch({ control_count: 1, control_total_cents: 100 }, r);
      expect(res.statusCode).toBe(403);
      expect((await read(t, BATCHES, r)).statusCode).toBe(403);
    }
  });
});

describe("keying rows", () => {
  it("adds rows with the account's number and customer name, and the running differences", async () => {
    const a = await newAccount("Okonkwo");
    const b = await newAccount("Brandvold");
    const batch = await openBatch(2, 20_000);
    const one = await keyed(batch.id, a, 12_550, "1042");
    expect(one).toMatchObject({
      keyed_count: 1,
      keyed_total_cents: 12_550,
      count_difference: 1,
      total_difference_cents: 7_450,
      balanced: false,
      version: 2,
      rows: [
        {
          position: 1,
          account_id: a.id,
          account_number: a.number,
          customer_name: `Okonkwo, Pat${names - 1}`,
          amount_cents: 12_550,
          check_number: "1042",
          payment_id: null,
        },
      ],
    });
    const two = await keyed(batch.id, b, 8_000);
    expect(two).toMatchObject({
      keyed_count: 2,
      keyed_total_cents: 20_550,
      count_difference: 0,
      total_difference_cents: -550,
      balanced: false,
    });
    expect(two.rows.map((r: { position: number }) => r.position)).toEqual([1, 2]);
    expect(await view(batch.id)).toEqual(two);
  });

  it("refuses a wrong check digit, a short number and an account not on file, naming account_number", async () => {
    const a = await newAccount("Vasquez");
    const batch = await openBatch(1, 100);
    const wrong = await addRow(batch.id, { account_number: wrongDigit(a.number), amount_cents: 100 });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([{ field: "account_number", message: "check digit does not match" }]);

    const short = await addRow(batch.id, { account_number: a.number.slice(0, 9), amount_cents: 100 });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].field).toBe("account_number");

    const letters = await addRow(batch.id, { account_number: "12345abcde", amount_cents: 100 });
    expect(letters.statusCode).toBe(400);
    expect(letters.json().errors[0].field).toBe("account_number");

    // A well-formed number (its check digit right) that no account has.
    const body = a.number.startsWith("999999999") ? "999999998" : "999999999";
    const unknown = `${body}${luhnCheckDigit(body)}`;
    const missing = await addRow(batch.id, { account_number: unknown, amount_cents: 100 });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors[0].field).toBe("account_number");

    for (const amount of [0, -5, 12.5, "100"]) {
      const res = await addRow(batch.id, { account_number: a.number, amount_cents: amount });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].field).toBe("amount_cents");
    }
    expect(await view(batch.id)).toMatchObject({ keyed_count: 0, rows: [], version: 1 });
  });

  it("corrects a row with the version read; a stale version is refused with the batch as it is", async () => {
    const a = await newAccount("Lindqvist");
    const b = await newAccount("Haddad");
    const batch = await openBatch(2, 30_000);
    await keyed(batch.id, a, 10_000);
    const now = await keyed(batch.id, a, 2_000, "77");
    const fixed = await edit(batch.id, 2, { account_number: b.number, amount_cents: 20_000, version: now.version });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({
      balanced: true,
      rows: [
        { position: 1, account_id: a.id, amount_cents: 10_000 },
        { position: 2, account_id: b.id, amount_cents: 20_000, check_number: "77" },
      ],
    });
    const cleared = await edit(batch.id, 2, { check_number: null, version: fixed.json().version });
    expect(cleared.json().rows[1].check_number).toBeNull();

    const stale = await edit(batch.id, 1, { amount_cents: 1, version: now.version });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current.rows[0].amount_cents).toBe(10_000);

    const wrong = await edit(batch.id, 1, { account_number: wrongDigit(b.number), version: cleared.json().version });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toEqual({ field: "account_number", message: "check digit does not match" });
    expect((await edit(batch.id, 9, { amount_cents: 1, version: cleared.json().version })).statusCode).toBe(404);

    const actions = (await auditOf(batch.id)).map((r) => r.action);
    expect(actions).toEqual([
      "payment_batch.create",
      "payment_batch.row_add",
      "payment_batch.row_add",
      "payment_batch.row_edit",
      "payment_batch.row_edit",
    ]);
  });

  it("deletes a row; the rows after it move up so positions stay 1..n", async () => {
    const a = await newAccount("Abernathy");
    const batch = await openBatch(3, 600);
    await keyed(batch.id, a, 100);
    await keyed(batch.id, a, 200);
    await keyed(batch.id, a, 300);
    const last = await keyed(batch.id, a, 400);
    const res = await remove(batch.id, 2, last.version);
    expect(res.statusCode, res.body).toBe(200);
    expect(
      res.json().rows.map((r: { position: number; amount_cents: number }) => [r.position, r.amount_cents]),
    ).toEqual([
      [1, 100],
      [2, 300],
      [3, 400],
    ]);
    expect((await remove(batch.id, 1, last.version)).statusCode).toBe(409);
    expect((await remove(batch.id, 7, res.json().version)).statusCode).toBe(404);
    const added = await keyed(batch.id, a, 50);
    expect(added.rows.map((r: { position: number }) => r.position)).toEqual([1, 2, 3, 4]);
  });
});

describe("posting", () => {
  it("refuses an out-of-balance batch, naming the control fields with the differences in cents, and posts nothing", async () => {
    const a = await newAccount("Mbeki");
    const batch = await openBatch(2, 15_000);
    await keyed(batch.id, a, 10_000);
    const before = await moneyCounts(t);

    const short = await post(batch.id);
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({
      rule: "batches.out_of_balance",
      keyed_count: 1,
      keyed_total_cents: 10_000,
      count_difference: 1,
      total_difference_cents: 5_000,
    });
    expect(short.json().errors.map((e: { field: string }) => e.field)).toEqual([
      "control_count",
      "control_total_cents",
    ]);
    expect(short.json().errors[1].message).toContain("difference 5000 cents");

    // The right count with a wrong amount: only the total is off.
    await keyed(batch.id, a, 4_000);
    const total = await post(batch.id);
    expect(total.statusCode).toBe(422);
    expect(total.json()).toMatchObject({
      rule: "batches.out_of_balance",
      count_difference: 0,
      total_difference_cents: 1_000,
    });
    expect(total.json().errors).toEqual([
      { field: "control_total_cents", message: "$140.00 keyed of $150.00: difference 1000 cents" },
    ]);

    expect((await post(batch.id, null)).statusCode).toBe(400);
    expect(await moneyCounts(t)).toEqual(before);
    expect(await view(batch.id)).toMatchObject({ status: "open" });
  });

  it("posts a balanced batch: every row a mail payment, in one transaction; the batch is posted", async () => {
    const a = await newAccount("Ferreira");
    const b = await newAccount("Yamamoto");
    await charge(t, a.id, 9_000);
    const batch = await openBatch(3, 21_525, { label: "Drop box" });
    await keyed(batch.id, a, 9_000, "5531");
    await keyed(batch.id, b, 12_000);
    const last = await keyed(batch.id, a, 525, "5532");
    const before = await moneyCounts(t);

    const key = newKey();
    const res = await post(batch.id, key, { version: last.version });
    expect(res.statusCode, res.body).toBe(200);
    const posted = res.json();
    expect(posted).toMatchObject({
      status: "posted",
      balanced: true,
      keyed_count: 3,
      keyed_total_cents: 21_525,
      posted_by: "t-cashier",
      posted_at: "2026-03-02T17:00:00.000Z",
    });
    const ids = posted.rows.map((r: { payment_id: number | null }) => r.payment_id);
    expect(ids.every((id: number | null) => typeof id === "number")).toBe(true);
    expect(new Set(ids).size).toBe(3);

    const payments = await t.database.rows<{ id: bigint; source_ref: string; channel: string; total_cents: bigint }>(
      t.database.db,
      sql`SELECT id, source_ref, channel, total_cents FROM payments WHERE id = ANY(${sql.param(ids)}::int8[])
          ORDER BY source_ref`,
    );
    expect(payments.map((p) => [p.source_ref, p.channel, p.total_cents])).toEqual([
      [`batch:${batch.id}:1`, "mail", 9_000n],
      [`batch:${batch.id}:2`, "mail", 12_000n],
      [`batch:${batch.id}:3`, "mail", 525n],
    ]);
    const tenders = await t.database.rows<{ type: string; check_number: string | null }>(
      t.database.db,
      sql`SELECT type, check_number FROM payment_tenders WHERE payment_id = ANY(${sql.param(ids)}::int8[])
          ORDER BY payment_id`,
    );
    expect(tenders.map((x) => x.type)).toEqual(["check", "check", "check"]);
    expect(tenders.map((x) => x.check_number).sort()).toContain("5531");
    expect(await balanceOf(t, a.id)).toBe(-525n);
    expect(await balanceOf(t, b.id)).toBe(-12_000n);
    expect((await moneyCounts(t)).payments).toBe(before.payments! + 3);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);

    const audit = await auditOf(batch.id);
    // One audit row for the post (not one per payment), with its count and total.
    const postAudit = audit.filter((r) => r.action === "payment_batch.post");
    expect(postAudit).toHaveLength(1);
    expect(postAudit[0]?.after).toMatchObject({ count: 3, total_cents: "21525" });
    expect(audit.map((r) => r.action)).toEqual([
      "payment_batch.create",
      "payment_batch.row_add",
      "payment_batch.row_add",
      "payment_batch.row_add",
      "payment_batch.post",
    ]);

    // A replay of the same request answers the same and posts nothing; a new request is refused.
    const after = await moneyCounts(t);
    const replay = await post(batch.id, key, { version: last.version });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(posted);
    const again = await post(batch.id);
    expect([409, 422]).toContain(again.statusCode);
    expect(again.json().rule).toBe("batches.not_open");
    expect(await moneyCounts(t)).toEqual(after);

    // A posted batch's rows no longer change.
    expect((await addRow(batch.id, { account_number: a.number, amount_cents: 1 })).statusCode).toBe(422);
    expect((await edit(batch.id, 1, { amount_cents: 1, version: posted.version })).statusCode).toBe(422);
    expect((await remove(batch.id, 1, posted.version)).statusCode).toBe(422);
  });

  it("posts all or nothing: a failure after the payments were written leaves no payment and the batch open", async () => {
    const a = await newAccount("Grünewald");
    const b = await newAccount("Achebe");
    const batch = await openBatch(2, 3_000);
    await keyed(batch.id, a, 1_000);
    await keyed(batch.id, b, 2_000);
    const before = await moneyCounts(t);
    const balances = [await balanceOf(t, a.id), await balanceOf(t, b.id)];
    // The last step (the batch becoming posted) fails, after every payment and journal entry was written.
    await t.database.db.execute(sql`
      CREATE FUNCTION test_refuse_post() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the test refuses the post'; END $$`);
    await t.database.db.execute(sql`
      CREATE TRIGGER test_refuse_post BEFORE UPDATE OF status ON payment_batches
      FOR EACH ROW WHEN (NEW.status = 'posted') EXECUTE FUNCTION test_refuse_post()`);
    try {
      const key = newKey();
      expect((await post(batch.id, key)).statusCode).toBe(500);
      expect(await moneyCounts(t)).toEqual(before);
      expect([await balanceOf(t, a.id), await balanceOf(t, b.id)]).toEqual(balances);
      expect(await view(batch.id)).toMatchObject({
        status: "open",
        rows: [{ payment_id: null }, { payment_id: null }],
      });
      const keys = await t.database.rows(t.database.db, sql`SELECT key FROM idempotency_keys WHERE key = ${key}`);
      expect(keys).toEqual([]);
    } finally {
      await t.database.db.execute(sql`DROP TRIGGER test_refuse_post ON payment_batches`);
      await t.database.db.execute(sql`DROP FUNCTION test_refuse_post()`);
    }
    // Once the failure is gone, the same batch posts, every payment in the one transaction (one start time).
    const res = await post(batch.id);
    expect(res.statusCode, res.body).toBe(200);
    const ids = res.json().rows.map((r: { payment_id: number }) => r.payment_id);
    const times = await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql`SELECT count(DISTINCT recorded_at)::int8 AS n FROM payments WHERE id = ANY(${sql.param(ids)}::int8[])`,
    );
    expect(times[0]!.n).toBe(1n);
    expect([await balanceOf(t, a.id), await balanceOf(t, b.id)]).toEqual([
      balances[0]! - 1_000n,
      balances[1]! - 2_000n,
    ]);
  });

  it("posts a money-order batch with each row's serial number", async () => {
    const a = await newAccount("Kowalczyk");
    const batch = await openBatch(1, 7_500, { tender_type: "money_order" });
    await keyed(batch.id, a, 7_500, "MO-88213");
    const res = await post(batch.id);
    expect(res.statusCode, res.body).toBe(200);
    const [tender] = await t.database.rows<{ type: string; serial_number: string | null }>(
      t.database.db,
      sql`SELECT type, serial_number FROM payment_tenders WHERE payment_id = ${res.json().rows[0].payment_id}`,
    );
    expect(tender).toEqual({ type: "money_order", serial_number: "MO-88213" });
    expect(await balanceOf(t, a.id)).toBe(-7_500n);
  });

  it("refuses a post with a stale version", async () => {
    const a = await newAccount("Osei");
    const batch = await openBatch(1, 100);
    const now = await keyed(batch.id, a, 100);
    const res = await post(batch.id, newKey(), { version: now.version - 1 });
    expect(res.statusCode).toBe(409);
    expect(await view(batch.id)).toMatchObject({ status: "open" });
  });
});

describe("cancelling and listing", () => {
  it("cancels an open batch: nothing posts and it no longer changes", async () => {
    const a = await newAccount("Delacroix");
    const batch = await openBatch(1, 100);
    await keyed(batch.id, a, 100);
    const res = await send(t, `${BATCHES}/${batch.id}/cancel`, undefined, { role, key: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: "cancelled", keyed_count: 1 });
    const before = await moneyCounts(t);
    expect((await post(batch.id)).json().rule).toBe("batches.not_open");
    expect((await send(t, `${BATCHES}/${batch.id}/cancel`, undefined, { role, key: null })).statusCode).toBe(422);
    expect(await moneyCounts(t)).toEqual(before);
    expect((await auditOf(batch.id)).map((r) => r.action).at(-1)).toBe("payment_batch.cancel");
  });

  it("lists the keying desk (open, and today's posted) and by status", async () => {
    const a = await newAccount("Nakamura");
    const open = await openBatch(1, 300);
    const done = await openBatch(1, 200);
    await keyed(done.id, a, 200);
    expect((await post(done.id)).statusCode).toBe(200);

    const desk = (await read(t, BATCHES, role)).json().batches as { id: number; status: string }[];
    expect(desk.map((b) => b.id)).toEqual(expect.arrayContaining([open.id, done.id]));
    expect(desk[0]!.id).toBeGreaterThan(desk[desk.length - 1]!.id);
    const postedOne = desk.find((b) => b.id === done.id);
    expect(postedOne).toMatchObject({ status: "posted", keyed_count: 1, keyed_total_cents: 200, balanced: true });
    expect(postedOne).not.toHaveProperty("rows");

    const posted = (await read(t, `${BATCHES}?status=posted`, role)).json().batches as { status: string }[];
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.every((b) => b.status === "posted")).toBe(true);
    expect((await read(t, `${BATCHES}?status=lost`, role)).statusCode).toBe(400);

    // Tomorrow the desk shows only what is still open.
    t.clock.advance({ hours: 24 });
    try {
      const tomorrow = (await read(t, BATCHES, role)).json().batches as { id: number; status: string }[];
      expect(tomorrow.every((b) => b.status === "open")).toBe(true);
      expect(tomorrow.map((b) => b.id)).toContain(open.id);
    } finally {
      t.clock.set("2026-03-02T17:00:00Z");
    }
  });

  it("answers 404 for a batch that does not exist", async () => {
    expect((await read(t, `${BATCHES}/999999`, role)).statusCode).toBe(404);
    expect((await post(999_999)).statusCode).toBe(404);
  });
});
