import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../../tests/support/testkit.js";
import { accountNumberFromBase } from "../../../core/account-number.js";
import { Problem } from "../../../platform/errors.js";
import { seededAccountNumber } from "../../../seed/numbers.js";
import { seedUtility } from "../../../seed/seed.js";
import { verifyLedger } from "../../ledger/index.js";
import { newAccount } from "../../ledger/test-fixtures.js";
import { importLockbox, listLockboxFiles, lockboxFileView } from "../index.js";
import { balanceOf, closeAccount } from "../test-fixtures.js";
import { type LockboxRow, lockboxBai2, lockboxCsv } from "./write.js";

let t: TestApp;
let first: number;
const ACCOUNTS = 40;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  const seeded = await seedUtility(t.ctx, { accounts: ACCOUNTS, seed: 7 });
  first = seeded.first_account_id!;
});
afterAll(async () => t?.close());

const bytes = (text: string) => new TextEncoder().encode(text);
const one = async <T>(query: ReturnType<typeof sql>) => (await t.database.rows<T>(t.database.db, query))[0]!;
const ledgerTotal = async () =>
  (await one<{ c: bigint }>(sql`SELECT coalesce(sum(balance_cents), 0)::int8 AS c FROM account_balances`)).c;
const glBalance = async (purpose: string) =>
  (
    await one<{ c: bigint }>(
      sql`SELECT coalesce(sum(p.amount_cents), 0)::int8 AS c FROM journal_postings p
            JOIN gl_accounts g ON g.code = p.gl_account WHERE g.purpose = ${purpose}`,
    )
  ).c;
const paymentsOf = async (fileId: number) =>
  t.database.rows<{ source_ref: string; n: bigint }>(
    t.database.db,
    sql`SELECT source_ref, count(*)::int8 AS n FROM payments WHERE source_ref LIKE ${`lockbox:${fileId}:%`}
        GROUP BY source_ref ORDER BY source_ref`,
  );

/** n payments to seeded accounts (amounts vary), with an unmatched one of each kind every so often. */
function rows(n: number, salt: number): LockboxRow[] {
  return Array.from({ length: n }, (_v, i) => {
    const amountCents = BigInt(1000 + ((i * 7919 + salt * 104_729) % 25_000));
    const kind = i % 20;
    const accountNumber =
      kind === 5
        ? null
        : kind === 11
          ? `${seededAccountNumber(first + (i % ACCOUNTS)).slice(0, 9)}${(Number(seededAccountNumber(first + (i % ACCOUNTS)).slice(9)) + 1) % 10}`
          : kind === 17
            ? accountNumberFromBase(999_000_000 + i)
            : seededAccountNumber(first + (i % ACCOUNTS));
    return { accountNumber, amountCents, checkNumber: String(5000 + i), remitter: `PAYER ${i}` };
  });
}
const total = (list: LockboxRow[]) => list.reduce((s, r) => s + r.amountCents, 0n);

describe("lockbox import", () => {
  it("posts the matched payments, parks the rest in suspense with their reasons, and balances the ledger", async () => {
    const list = rows(60, 1);
    const matched = list.filter((_r, i) => ![5, 11, 17].includes(i % 20));
    const ledgerBefore = await ledgerTotal();
    const suspenseBefore = await glBalance("payment_suspense");
    const progress: { done: number; total: number }[] = [];
    const result = await importLockbox(
      t.ctx,
      { fileName: "march-02.csv", bytes: bytes(lockboxCsv("2026-03-02", list)) },
      { chunkSize: 25, onProgress: (p) => progress.push(p) },
    );
    expect(result).toMatchObject({
      outcome: "imported",
      status: "imported",
      format: "csv",
      deposit_date: "2026-03-02",
      business_date: "2026-03-02",
      item_count: 60,
      total_cents: total(list),
      posted_count: 51,
      posted_cents: total(matched),
      suspense_count: 9,
      suspense_cents: total(list) - total(matched),
      posted_now: 51,
      posted_now_cents: total(matched),
      suspense_now: 9,
      already_count: 0,
      already_cents: 0n,
    });
    expect(progress).toEqual([
      { done: 0, total: 60 },
      { done: 25, total: 60 },
      { done: 50, total: 60 },
      { done: 60, total: 60 },
    ]);
    const fileId = result.file_id;
    expect(await ledgerTotal()).toBe(ledgerBefore - total(matched));
    expect(await glBalance("payment_suspense")).toBe(suspenseBefore - (total(list) - total(matched)));
    expect((await verifyLedger(t.ctx)).balanced).toBe(true);

    // Each payment posted once, by its line, as a lockbox check with its number and the deposit date.
    const posted = await paymentsOf(fileId);
    expect(posted).toHaveLength(51);
    expect(posted.every((p) => p.n === 1n)).toBe(true);
    const [line2] = await t.database.rows<Record<string, unknown>>(
      t.database.db,
      sql`SELECT p.channel, p.received_on, p.total_cents, pt.type, pt.check_number, pl.account_id, i.status, i.payment_id = p.id AS linked
            FROM payments p JOIN payment_tenders pt ON pt.payment_id = p.id JOIN payment_lines pl ON pl.payment_id = p.id
            JOIN lockbox_items i ON i.file_id = ${fileId} AND i.line_number = 2
           WHERE p.source_ref = ${`lockbox:${fileId}:2`}`,
    );
    expect(line2).toMatchObject({
      channel: "lockbox",
      received_on: "2026-03-02",
      total_cents: list[0]!.amountCents,
      type: "check",
      check_number: "5000",
      account_id: BigInt(first),
      status: "posted",
      linked: true,
    });

    // The suspense items: their reasons, and the entry that parked them (Dr bank clearing / Cr suspense each).
    const parked = await t.database.rows<{ line_number: number; suspense_reason: string; suspense_entry_id: bigint }>(
      t.database.db,
      sql`SELECT line_number, suspense_reason, suspense_entry_id FROM lockbox_items
           WHERE file_id = ${fileId} AND status = 'suspense' ORDER BY line_number`,
    );
    expect(parked.map((p) => [p.line_number, p.suspense_reason])).toEqual([
      [7, "no_account_number"],
      [13, "check_digit"],
      [19, "no_such_account"],
      [27, "no_account_number"],
      [33, "check_digit"],
      [39, "no_such_account"],
      [47, "no_account_number"],
      [53, "check_digit"],
      [59, "no_such_account"],
    ]);
    const entries = [...new Set(parked.map((p) => p.suspense_entry_id))];
    expect(entries).toHaveLength(3); // one per chunk that had any
    const postings = await t.database.rows<{ purpose: string; amount_cents: bigint }>(
      t.database.db,
      sql`SELECT g.purpose, p.amount_cents FROM journal_postings p JOIN gl_accounts g ON g.code = p.gl_account
           WHERE p.entry_id = ${entries[0]!} ORDER BY p.id`,
    );
    const firstChunk = [list[5]!, list[11]!, list[17]!];
    expect(postings).toEqual(
      firstChunk.flatMap((r) => [
        { purpose: "bank_clearing", amount_cents: r.amountCents },
        { purpose: "payment_suspense", amount_cents: -r.amountCents },
      ]),
    );

    const view = await lockboxFileView(t.ctx, fileId);
    expect(view).toMatchObject({
      id: fileId,
      file_name: "march-02.csv",
      status: "imported",
      done_count: 60,
      suspense_open_count: 9,
      applied_count: 0,
      returned_count: 0,
    });
    expect(view.suspense_by_reason.map((r) => [r.reason, r.count])).toEqual([
      ["check_digit", 3],
      ["no_account_number", 3],
      ["no_such_account", 3],
    ]);
    expect(view.completed_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("posts nothing for a file imported before, and says when it was", async () => {
    const file = bytes(lockboxCsv("2026-03-01", rows(10, 2)));
    const firstRun = await importLockbox(t.ctx, { fileName: "a.csv", bytes: file });
    const counts = await one<{ p: bigint; i: bigint; e: bigint }>(
      sql`SELECT (SELECT count(*) FROM payments)::int8 AS p, (SELECT count(*) FROM lockbox_items)::int8 AS i,
                 (SELECT count(*) FROM journal_entries)::int8 AS e`,
    );
    const again = await importLockbox(t.ctx, { fileName: "a-again.csv", bytes: file });
    expect(again).toMatchObject({
      outcome: "already_imported",
      file_id: firstRun.file_id,
      file_name: "a.csv",
      posted_now: 0,
      suspense_now: 0,
      already_count: 10,
      posted_count: firstRun.posted_count,
    });
    expect(again.message).toMatch(/already imported on \d{4}-\d\d-\d\dT.*nothing posted now/);
    expect(
      await one(
        sql`SELECT (SELECT count(*) FROM payments)::int8 AS p, (SELECT count(*) FROM lockbox_items)::int8 AS i,
                   (SELECT count(*) FROM journal_entries)::int8 AS e`,
      ),
    ).toEqual(counts);
  });

  it("resumes a cut-off import from the lines not yet recorded, posting each payment once", async () => {
    const list = rows(45, 3);
    const file = bytes(lockboxBai2("2026-03-02", list));
    const cut = new Error("cut off");
    await expect(
      importLockbox(
        t.ctx,
        { fileName: "cut.bai2", bytes: file },
        {
          chunkSize: 10,
          onProgress: (p) => {
            if (p.done === 20) throw cut;
          },
        },
      ),
    ).rejects.toBe(cut);
    const { files } = await listLockboxFiles(t.ctx, { status: "importing" });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ file_name: "cut.bai2", format: "bai2", status: "importing", item_count: 45 });
    expect((await lockboxFileView(t.ctx, files[0]!.id)).done_count).toBe(20);

    const progress: number[] = [];
    const resumed = await importLockbox(
      t.ctx,
      { fileName: "cut.bai2", bytes: file },
      { chunkSize: 10, onProgress: (p) => progress.push(p.done) },
    );
    expect(resumed).toMatchObject({ outcome: "resumed", status: "imported", item_count: 45, already_count: 20 });
    expect(resumed.posted_now + resumed.suspense_now).toBe(25);
    expect(resumed.posted_count + resumed.suspense_count).toBe(45);
    expect(resumed.posted_cents + resumed.suspense_cents).toBe(total(list));
    expect(progress).toEqual([20, 20, 20, 30, 40, 45]);
    const posted = await paymentsOf(resumed.file_id);
    expect(posted).toHaveLength(resumed.posted_count);
    expect(posted.every((p) => p.n === 1n)).toBe(true);
    expect((await verifyLedger(t.ctx)).balanced).toBe(true);
  });

  it("records each line once when two imports of one file run at the same time", async () => {
    const list = rows(30, 4);
    const file = bytes(lockboxCsv("2026-03-02", list));
    const both = await Promise.all([
      importLockbox(t.ctx, { fileName: "twice.csv", bytes: file }, { chunkSize: 5 }),
      importLockbox(t.ctx, { fileName: "twice.csv", bytes: file }, { chunkSize: 5 }),
    ]);
    expect(both[0].file_id).toBe(both[1].file_id);
    expect(both[0].posted_now + both[1].posted_now).toBe(both[0].posted_count);
    const posted = await paymentsOf(both[0].file_id);
    expect(posted).toHaveLength(both[0].posted_count);
    expect(posted.every((p) => p.n === 1n)).toBe(true);
    const [items] = await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql`SELECT count(*)::int8 AS n FROM lockbox_items WHERE file_id = ${both[0].file_id}`,
    );
    expect(items!.n).toBe(30n);
  });

  it("refuses a malformed file whole, naming each line, and writes nothing", async () => {
    const before = await one(
      sql`SELECT (SELECT count(*) FROM lockbox_files)::int8 AS f, (SELECT count(*) FROM payments)::int8 AS p`,
    );
    const good = lockboxCsv("2026-03-02", rows(5, 5));
    const bad = `${good}2026-03-02,9,9,${seededAccountNumber(first)},12.345,1,X\r\n2026-03-02,9,9,12,1.00,1,X\r\n`;
    const err = await importLockbox(t.ctx, { fileName: "bad.csv", bytes: bytes(bad) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).status).toBe(400);
    expect((err as Problem).extra).toMatchObject({
      error_count: 2,
      errors: [
        { field: "file", line: 7, column: "amount", message: expect.stringMatching(/3 decimals/) },
        { field: "file", line: 8, column: "account_number", message: expect.any(String) },
      ],
    });
    const future = await importLockbox(t.ctx, {
      fileName: "future.csv",
      bytes: bytes(lockboxCsv("2026-03-03", rows(2, 6))),
    }).catch((e: unknown) => e);
    expect((future as Problem).extra.errors).toEqual([
      { field: "file", line: 2, column: "deposit_date", message: expect.stringMatching(/after today's business date/) },
      { field: "file", line: 3, column: "deposit_date", message: expect.any(String) },
    ]);
    const truncated = lockboxBai2("2026-03-02", rows(5, 7)).trimEnd().split("\n").slice(0, -1).join("\n");
    const cut = await importLockbox(t.ctx, { fileName: "cut.bai2", bytes: bytes(truncated) }).catch((e: unknown) => e);
    expect((cut as Problem).extra.errors).toEqual([
      { field: "file", line: 10, message: expect.stringMatching(/without its 99 file trailer/) },
    ]);
    expect(
      await one(
        sql`SELECT (SELECT count(*) FROM lockbox_files)::int8 AS f, (SELECT count(*) FROM payments)::int8 AS p`,
      ),
    ).toEqual(before);
  });

  it("posts to a closed account too: the check leaves a credit on it", async () => {
    const accountId = await newAccount(t);
    await closeAccount(t, accountId);
    const [acct] = await t.database.rows<{ n: string }>(
      t.database.db,
      sql`SELECT account_number AS n FROM accounts WHERE id = ${accountId}`,
    );
    const result = await importLockbox(t.ctx, {
      fileName: "closed.csv",
      bytes: bytes(lockboxCsv("2026-03-02", [{ accountNumber: acct!.n, amountCents: 5_000n, checkNumber: "9" }])),
    });
    expect(result).toMatchObject({ posted_count: 1, suspense_count: 0 });
    expect(await balanceOf(t, accountId)).toBe(-5_000n);
  });

  it("lists files newest first, a page at a time, and 404s an unknown file", async () => {
    const page = await listLockboxFiles(t.ctx, { limit: 2 });
    expect(page.files).toHaveLength(2);
    expect(page.files[0]!.id).toBeGreaterThan(page.files[1]!.id);
    const next = await listLockboxFiles(t.ctx, { limit: 2, before: page.next_before! });
    expect(next.files[0]!.id).toBeLessThan(page.files[1]!.id);
    await expect(lockboxFileView(t.ctx, 999_999)).rejects.toMatchObject({ status: 404 });
  });
});
