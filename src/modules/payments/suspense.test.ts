import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { isValidAccountNumber } from "../../core/account-number.js";
import { postGeneralEntry, verifyLedger } from "../ledger/index.js";
import { charge } from "../ledger/test-fixtures.js";
import { lockboxFiles, lockboxItems } from "./cashiering-schema.js";
import { nearNumbers } from "./suspense.js";
import { balanceOf, newKey, read, send } from "./test-fixtures.js";

let t: TestApp;
/** Rosalind Hargreave owes $84.20 (billed); Wendell Okafor owes nothing. */
const payer = { id: 0, number: "" };
const other = { id: 0, number: "" };

async function newAccount(first: string, last: string) {
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/customers",
    headers: await t.as("csr"),
    payload: { party: { kind: "person", first_name: first, last_name: last }, account: { bill_cycle: "07" } },
  });
  if (res.statusCode !== 201) throw new Error(`new customer failed: ${res.statusCode} ${res.body}`);
  const account = res.json().account as { id: number; account_number: string };
  return { id: account.id, number: account.account_number };
}

/** The number with two neighbouring digits swapped, which fails the check digit (Luhn catches all but 09/90). */
function swapped(number: string): string {
  for (let i = 0; i + 1 < number.length; i++) {
    const s = number.slice(0, i) + number[i + 1] + number[i] + number.slice(i + 2);
    if (s !== number && !isValidAccountNumber(s)) return s;
  }
  throw new Error(`no swap of ${number} fails the check digit`);
}

interface Parked {
  accountNumber: string | null;
  cents: bigint;
  remitter?: string | null;
  checkNumber?: string | null;
  reason: "no_account_number" | "check_digit" | "no_such_account";
}

/** A lockbox file as an import leaves it when every item went to suspense: Dr bank clearing / Cr payment suspense. */
async function parkInSuspense(depositDate: string, items: Parked[]) {
  const total = items.reduce((s, i) => s + i.cents, 0n);
  const [file] = await t.ctx.db
    .insert(lockboxFiles)
    .values({
      fileName: `lockbox-${depositDate}.csv`,
      sha256: randomBytes(32).toString("hex"),
      format: "csv",
      depositDate,
      businessDate: depositDate,
      itemCount: items.length,
      totalCents: total,
      status: "imported",
      suspenseCount: items.length,
      suspenseCents: total,
      importedBy: "test",
    })
    .returning();
  const entry = await postGeneralEntry(t.ctx, {
    description: "test: lockbox items to suspense",
    reference: `lockbox:${file!.id}:suspense`,
    postings: items.flatMap((i) => [
      { gl_account: "1020", amount_cents: i.cents },
      { gl_account: "2150", amount_cents: -i.cents },
    ]),
  });
  const rows = await t.ctx.db
    .insert(lockboxItems)
    .values(
      items.map((i, n) => ({
        fileId: file!.id,
        lineNumber: n + 2,
        accountNumber: i.accountNumber,
        amountCents: i.cents,
        checkNumber: i.checkNumber ?? null,
        remitter: i.remitter ?? null,
        status: "suspense",
        suspenseReason: i.reason,
        suspenseEntryId: entry.entry_id,
      })),
    )
    .returning();
  return { fileId: file!.id, items: rows };
}

const glBalance = async (code: string) => {
  const [row] = await t.database.rows<{ n: bigint }>(
    t.database.db,
    sql`SELECT coalesce(sum(amount_cents), 0)::int8 AS n FROM journal_postings WHERE gl_account = ${code}`,
  );
  return row!.n;
};

const apply = (itemId: number, body: unknown, opts: { key?: string | null; role?: string } = {}) =>
  send(t, `/api/v1/payment-suspense/${itemId}/apply`, body, { role: "lead", ...opts });
const giveBack = (itemId: number, body: unknown, opts: { key?: string | null; role?: string } = {}) =>
  send(t, `/api/v1/payment-suspense/${itemId}/return`, body, { role: "lead", ...opts });

let older: Awaited<ReturnType<typeof parkInSuspense>>;
let newer: Awaited<ReturnType<typeof parkInSuspense>>;

beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  Object.assign(payer, await newAccount("Rosalind", "Hargreave"));
  Object.assign(other, await newAccount("Wendell", "Okafor"));
  await charge(t, payer.id, 8_420, { due_date: "2026-03-20" });
  // Parked out of order: the queue sorts by the bank's deposit date.
  newer = await parkInSuspense("2026-02-27", [
    { accountNumber: swapped(payer.number), cents: 8_420n, checkNumber: "3301", reason: "check_digit" },
    { accountNumber: "9999999999", cents: 2_500n, remitter: "WENDELL OKAFOR", reason: "no_such_account" },
  ]);
  older = await parkInSuspense("2026-02-20", [
    { accountNumber: null, cents: 1_000n, remitter: "Zyxwv Qutsr", checkNumber: "77", reason: "no_account_number" },
  ]);
});
afterAll(async () => t?.close());

describe("numbers one slip away", () => {
  it("finds the swaps and single-digit slips that pass the check digit, saying which", () => {
    const number = payer.number;
    const near = nearNumbers(swapped(number));
    expect(near.get(number)).toBe("number with 2 digits swapped");
    for (const n of near.keys()) expect(isValidAccountNumber(n)).toBe(true);
    // One digit wrong: a Luhn-valid number is never one digit from another valid one, so the slip is found.
    const wrong = number.slice(0, 4) + String((Number(number[4]) + 3) % 10) + number.slice(5);
    expect(nearNumbers(wrong).get(number)).toBe("number with one digit different");
    expect(nearNumbers(number.slice(0, 3) + number.slice(4)).get(number)).toBe("number with a digit missing");
    expect(nearNumbers(`${number.slice(0, 6)}5${number.slice(6)}`).get(number)).toBe("number with an extra digit");
    expect(nearNumbers("").size).toBe(0);
    expect(nearNumbers("12ab").size).toBe(0);
  });
});

describe("the payment suspense queue", () => {
  it("lists the items in suspense, oldest deposit first, with file, line, what the bank read, reason and age", async () => {
    const res = await read(t, "/api/v1/payment-suspense", "cashier");
    expect(res.statusCode).toBe(200);
    const queue = res.json();
    expect(queue.total_count).toBe(3);
    expect(queue.total_cents).toBe(11_920);
    expect(
      queue.items.map((i: Record<string, unknown>) => [i.line_number, i.deposit_date, i.age_days, i.amount_cents]),
    ).toEqual([
      [2, "2026-02-20", 10, 1_000],
      [2, "2026-02-27", 3, 8_420],
      [3, "2026-02-27", 3, 2_500],
    ]);
    expect(queue.items[0]).toMatchObject({
      file_id: older.fileId,
      file_name: "lockbox-2026-02-20.csv",
      account_number: null,
      remitter: "Zyxwv Qutsr",
      check_number: "77",
      status: "suspense",
      reason: "no_account_number",
      reason_label: "No account number on the stub",
    });
  });

  it("is for the lockbox permission only", async () => {
    expect((await read(t, "/api/v1/payment-suspense", "csr")).statusCode).toBe(403);
    expect((await read(t, `/api/v1/payment-suspense/${newer.items[0]!.id}`, "trainee")).statusCode).toBe(403);
    expect((await apply(newer.items[0]!.id, { account_id: payer.id }, { role: "csr" })).statusCode).toBe(403);
  });

  it("suggests the account whose number has two digits swapped, and says the amount equals its amount due", async () => {
    const res = await read(t, `/api/v1/payment-suspense/${newer.items[0]!.id}`, "lead");
    expect(res.statusCode).toBe(200);
    const item = res.json();
    expect(item.suggestions[0]).toEqual({
      account_id: payer.id,
      account_number: payer.number,
      name: "Hargreave, Rosalind",
      status: "active",
      amount_due_cents: 8_420,
      reasons: ["number with 2 digits swapped", "amount equals amount due"],
    });
  });

  it("suggests accounts by the remitter's name; nothing for a stranger", async () => {
    const byName = (await read(t, `/api/v1/payment-suspense/${newer.items[1]!.id}`, "lead")).json();
    expect(byName.suggestions[0]).toMatchObject({ account_id: other.id, reasons: ["remitter's name"] });
    const stranger = (await read(t, `/api/v1/payment-suspense/${older.items[0]!.id}`, "lead")).json();
    expect(stranger.suggestions).toEqual([]);
    expect((await read(t, "/api/v1/payment-suspense/999999", "lead")).statusCode).toBe(404);
  });
});

describe("working the queue", () => {
  it("applies an item to an account: a lockbox payment from payment suspense, once", async () => {
    const item = newer.items[0]!;
    const suspenseBefore = await glBalance("2150");
    expect((await apply(item.id, { account_id: payer.id }, { key: null })).statusCode).toBe(400);
    const key = newKey();
    const res = await apply(item.id, { account_id: payer.id, note: "stub digits transposed" }, { key });
    expect(res.statusCode).toBe(200);
    const done = res.json();
    expect(done).toMatchObject({
      id: item.id,
      status: "applied",
      account_id: payer.id,
      payment_id: expect.any(Number),
      worked_by: "t-lead",
      work_note: "stub digits transposed",
      version: 2,
    });
    expect(await balanceOf(t, payer.id)).toBe(0n);
    expect(await glBalance("2150")).toBe(suspenseBefore + 8_420n);
    const payment = (await read(t, `/api/v1/payments/${done.payment_id}`, "lead")).json();
    expect(payment).toMatchObject({ channel: "lockbox", total_cents: 8_420, received_on: "2026-02-27" });
    expect(payment.distribution[0]).toMatchObject({ account_id: payer.id, gl_account: "2150" });

    // The answer is replayed for the same key; another try is refused, naming the item.
    const replay = await apply(item.id, { account_id: payer.id, note: "stub digits transposed" }, { key });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(done);
    const again = await apply(item.id, { account_id: other.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain(
      `lockbox item ${item.id} (lockbox-2026-02-27.csv, line 2) is not in suspense`,
    );
    expect(await balanceOf(t, other.id)).toBe(0n);
    const queue = (await read(t, "/api/v1/payment-suspense", "lead")).json();
    expect(queue.items.map((i: { id: number }) => i.id)).not.toContain(item.id);
  });

  it("refuses an unknown account and bad input, changing nothing", async () => {
    const item = newer.items[1]!;
    const unknown = await apply(item.id, { account_id: 999_999 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors).toEqual([{ field: "account_id", message: "account 999999 was not found" }]);
    const bad = await apply(item.id, { account_id: "x" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe("account_id");
    const [row] = await t.ctx.db.select().from(lockboxItems).where(sql`id = ${item.id}`);
    expect(row!.status).toBe("suspense");
  });

  it("returns an item to the sender with a note: Dr payment suspense / Cr bank clearing", async () => {
    const item = newer.items[1]!;
    const noNote = await giveBack(item.id, {});
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().errors[0].field).toBe("note");
    expect((await giveBack(item.id, { note: "   " })).statusCode).toBe(400);
    const [bank, suspense] = [await glBalance("1020"), await glBalance("2150")];
    const res = await giveBack(item.id, { note: "No such customer; check mailed back" });
    expect(res.statusCode).toBe(200);
    const done = res.json();
    expect(done).toMatchObject({ status: "returned", work_note: "No such customer; check mailed back" });
    expect(await glBalance("1020")).toBe(bank - 2_500n);
    expect(await glBalance("2150")).toBe(suspense + 2_500n);
    const postings = await t.database.rows<{ gl_account: string; amount_cents: bigint }>(
      t.database.db,
      sql`SELECT gl_account, amount_cents FROM journal_postings WHERE entry_id = ${done.entry_id} ORDER BY id`,
    );
    expect(postings).toEqual([
      { gl_account: "2150", amount_cents: 2_500n },
      { gl_account: "1020", amount_cents: -2_500n },
    ]);
    const applied = await apply(item.id, { account_id: other.id });
    expect(applied.statusCode).toBe(409);
    expect(applied.json().detail).toContain("was already returned to the sender by t-lead");
  });

  it("lets only one of two people working the same item at once apply it", async () => {
    const race = await parkInSuspense("2026-03-01", [
      { accountNumber: "9999999999", cents: 600n, remitter: "R Hargreave", reason: "no_such_account" },
    ]);
    const id = race.items[0]!.id;
    const answers = await Promise.all([
      apply(id, { account_id: payer.id }),
      apply(id, { account_id: other.id }, { role: "supervisor" }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const payments = await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql`SELECT count(*)::int8 AS n FROM payments WHERE source_ref = ${`lockbox:${race.fileId}:2`}`,
    );
    expect(payments[0]!.n).toBe(1n);
  });

  it("audits each item worked, and the ledger stays balanced", async () => {
    const rows = await t.database.rows<{ action: string; entity_id: string; account_id: bigint | null }>(
      t.database.db,
      sql`SELECT action, entity_id, account_id FROM audit_log WHERE entity_type = 'lockbox_item' ORDER BY id`,
    );
    expect(rows.filter((r) => r.action.startsWith("lockbox_item.")).slice(0, 2)).toEqual([
      { action: "lockbox_item.applied", entity_id: String(newer.items[0]!.id), account_id: BigInt(payer.id) },
      { action: "lockbox_item.returned", entity_id: String(newer.items[1]!.id), account_id: null },
    ]);
    const v = await verifyLedger(t.ctx);
    expect(v.violations).toEqual([]);
    expect(v.balanced).toBe(true);
  });
});
