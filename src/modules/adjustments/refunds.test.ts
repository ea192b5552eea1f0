import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { runCommand } from "../../cli/commands.js";
import { accountItems, verifyLedger } from "../ledger/index.js";
import { captureIO, charge, credit, newAccount } from "../ledger/test-fixtures.js";
import { balanceOf, moneyCounts, newKey, read, send } from "../payments/test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const refund = (account: number, body: Record<string, unknown>, role = "csr", key?: string) =>
  send(t, `/api/v1/accounts/${account}/refunds`, body, { role, key });

const byCheck = (cents: number, over: Record<string, unknown> = {}) => ({
  amount_cents: cents,
  method: "check",
  reason: "overpayment",
  ...over,
});

/** A new account holding a credit balance (an overpayment). */
async function withCredit(cents: number) {
  const account = await newAccount(t);
  await credit(t, account, cents);
  return account;
}

const postings = (entryId: number) =>
  t.database.rows<{ gl_account: string; amount_cents: bigint }>(
    t.database.db,
    sql`SELECT gl_account, amount_cents FROM journal_postings WHERE entry_id = ${entryId} ORDER BY id`,
  );

const refundRows = async () =>
  Number((await t.database.rows<{ n: bigint }>(t.database.db, sql`SELECT count(*)::int8 AS n FROM refunds`))[0]!.n);

describe("refunds of credit balances", () => {
  it("a check refund posts a refund item that the credit clears at once, paid to the mailing address", async () => {
    const account = await withCredit(4_500);
    expect(await balanceOf(t, account)).toBe(-4_500n);
    const res = await refund(account, byCheck(3_000, { note: "moved out of state" }));
    expect(res.statusCode).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({
      id: expect.any(Number),
      account_id: account,
      amount_cents: 3_000,
      method: "check",
      payee_name: "Lopez, Maria",
      payee_address: "1200 J St, Sacramento, CA 95814",
      last4: null,
      reason: "overpayment",
      reason_label: "Overpayment",
      note: "moved out of state",
      status: "posted",
      accounting_date: "2026-03-02",
      requested_by: "t-csr",
      approved_by: null,
      balance_cents: -1_500,
    });
    expect(r).not.toHaveProperty("processor_token");
    expect(await balanceOf(t, account)).toBe(-1_500n);
    const { items, credits } = await accountItems(t.ctx, account);
    expect(items).toEqual([
      expect.objectContaining({
        id: r.item_id,
        category: "refund",
        due_date: "2026-03-02",
        open_cents: 0n,
        status: "cleared",
        reference: `refund:${r.id}`,
      }),
    ]);
    expect(credits[0]).toMatchObject({ unapplied_cents: 1_500n });
    expect(await postings(r.entry_id)).toEqual([
      { gl_account: "1100", amount_cents: 3_000n },
      { gl_account: "2400", amount_cents: -3_000n },
    ]);
    const list = (await read(t, `/api/v1/accounts/${account}/refunds`)).json().refunds;
    expect(list).toEqual([expect.objectContaining({ id: r.id, status: "posted" })]);
  });

  it("an ACH refund keeps the processor's token and the last four digits, never shown back", async () => {
    const account = await withCredit(2_000);
    const res = await refund(account, {
      amount_cents: 2_000,
      method: "ach",
      reason: "account_closed",
      processor_token: "tok_bank_8f2a91",
      account_last4: "6789",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ method: "ach", last4: "6789", balance_cents: 0 });
    expect(res.json()).not.toHaveProperty("processor_token");
    const [row] = await t.database.rows<{ processor_token: string }>(
      t.database.db,
      sql`SELECT processor_token FROM refunds WHERE id = ${res.json().id}`,
    );
    expect(row!.processor_token).toBe("tok_bank_8f2a91");
  });

  it("refuses more than the credit balance, an account that owes, bad fields, and those without the permission; nothing moves", async () => {
    const account = await withCredit(1_000);
    const owes = await newAccount(t);
    await charge(t, owes, 5_000);
    const before = await moneyCounts(t);
    const rows = await refundRows();

    const tooMuch = await refund(account, byCheck(1_001));
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json()).toMatchObject({
      rule: "refunds.exceeds_credit",
      credit_balance_cents: 1_000,
      errors: [{ field: "amount_cents" }],
    });
    const owing = await refund(owes, byCheck(100));
    expect(owing.statusCode).toBe(422);
    expect(owing.json()).toMatchObject({ rule: "refunds.exceeds_credit", credit_balance_cents: 0 });

    const fieldOf = async (body: Record<string, unknown>) => {
      const res = await refund(account, body);
      expect(res.statusCode).toBe(400);
      return res.json().errors.map((e: { field: string }) => e.field);
    };
    expect(await fieldOf(byCheck(100, { method: "wire" }))).toEqual(["method"]);
    expect(await fieldOf(byCheck(12.345))).toEqual(["amount_cents"]);
    expect(await fieldOf(byCheck(0))).toEqual(["amount_cents"]);
    expect(await fieldOf(byCheck(100, { reason: "because" }))).toEqual(["reason"]);
    expect(await fieldOf(byCheck(100, { method: "ach" }))).toEqual(["processor_token", "account_last4"]);
    expect(await fieldOf(byCheck(100, { account_last4: "1234" }))).toEqual(["account_last4"]);
    expect(await fieldOf(byCheck(100, { note: "card 4111 1111 1111 1111" }))).toEqual(["note"]);
    const noKey = await refund(account, byCheck(100), "csr", null as unknown as string);
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().errors[0].field).toBe("Idempotency-Key");

    expect((await refund(account, byCheck(100), "cashier")).statusCode).toBe(403);
    expect((await refund(account, byCheck(100), "billing_analyst")).statusCode).toBe(403);
    expect((await refund(99_999_999, byCheck(100))).statusCode).toBe(404);
    expect(await moneyCounts(t)).toEqual(before);
    expect(await refundRows()).toBe(rows);
    expect(await balanceOf(t, account)).toBe(-1_000n);
  });

  it("replays a refund sent twice with one key and makes it once", async () => {
    const account = await withCredit(3_000);
    const key = newKey();
    const first = await refund(account, byCheck(1_000), "csr", key);
    const again = await refund(account, byCheck(1_000), "csr", key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await balanceOf(t, account)).toBe(-2_000n);
  });

  it("above the limit waits for approval; approval re-checks the credit and posts it, rejection posts nothing", async () => {
    const account = await withCredit(20_000);
    const before = await moneyCounts(t);
    const rows = await refundRows();
    const res = await refund(account, byCheck(15_000, { reason: "account_closed" }));
    expect(res.statusCode).toBe(202);
    const pending = res.json();
    expect(pending).toMatchObject({
      status: "pending_approval",
      approval_request: {
        kind: "refund",
        amount_cents: 15_000,
        summary: "Refund by check: Account closed with a credit",
      },
      refund: { status: "pending_approval", item_id: null, accounting_date: null, amount_cents: 15_000 },
    });
    expect(pending.approval_request.refund_id).toBe(pending.refund.id);
    expect(await moneyCounts(t)).toEqual(before);
    expect(await refundRows()).toBe(rows + 1);

    // Meanwhile another refund waits, and a lead's refund uses part of the credit: the first is no longer covered.
    expect((await refund(account, byCheck(5_001))).statusCode).toBe(202);
    expect((await refund(account, byCheck(5_001), "lead")).statusCode).toBe(201);
    const uncovered = await send(
      t,
      `/api/v1/approvals/${pending.approval_request.id}/approve`,
      { version: 1 },
      { role: "lead" },
    );
    expect(uncovered.statusCode).toBe(422);
    expect(uncovered.json()).toMatchObject({
      rule: "refunds.exceeds_credit",
      credit_balance_cents: 14_999,
      errors: [{ field: "amount_cents" }],
    });
    // Still pending, nothing posted for it.
    const waiting = (await read(t, `/api/v1/accounts/${account}/approvals`)).json().approvals;
    expect(waiting.find((a: { id: number }) => a.id === pending.approval_request.id)).toMatchObject({
      status: "pending",
      version: 1,
    });
    expect(await balanceOf(t, account)).toBe(-14_999n);

    // A cent more of credit covers it.
    await credit(t, account, 1);
    const approved = await send(
      t,
      `/api/v1/approvals/${pending.approval_request.id}/approve`,
      { version: 1, note: "final bill paid" },
      { role: "lead" },
    );
    expect(approved.statusCode).toBe(200);
    expect(approved.json().refund).toMatchObject({
      id: pending.refund.id,
      status: "posted",
      approved_by: "t-lead",
      requested_by: "t-csr",
      accounting_date: "2026-03-02",
      balance_cents: 0,
    });
    expect(await balanceOf(t, account)).toBe(0n);

    // The other waiting refund cannot be covered now; rejected, it is marked so.
    const other = (await read(t, "/api/v1/approvals", "lead"))
      .json()
      .approvals.find(
        (a: { account_id: number; status: string }) => a.account_id === account && a.status === "pending",
      );
    const rejected = await send(
      t,
      `/api/v1/approvals/${other.id}/reject`,
      { version: other.version, note: "the credit was refunded in full" },
      { role: "supervisor", key: null },
    );
    expect(rejected.statusCode).toBe(200);
    const list = (await read(t, `/api/v1/accounts/${account}/refunds`)).json().refunds;
    expect(list.map((r: { status: string; amount_cents: number }) => [r.status, r.amount_cents])).toEqual([
      ["posted", 5_001],
      ["rejected", 5_001],
      ["posted", 15_000],
    ]);
  });

  it("two refunds at once cannot both spend one credit", async () => {
    const account = await withCredit(5_000);
    const results = await Promise.all([refund(account, byCheck(3_000)), refund(account, byCheck(3_000))]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    expect(await balanceOf(t, account)).toBe(-2_000n);
  });

  it("the refund register lists posted refunds (API and CLI), quoted as RFC 4180 says", async () => {
    const account = await withCredit(2_500);
    const made = (await refund(account, byCheck(2_500, { reason: "duplicate_payment" }))).json();
    t.clock.set("2026-03-03T17:00:00Z");
    const later = await withCredit(700);
    const next = (await refund(later, byCheck(700))).json();
    t.clock.set("2026-03-02T17:00:00Z");

    const res = await t.app.inject({
      url: "/api/v1/refunds/register.csv?from=2026-03-02&to=2026-03-03",
      headers: await t.as("supervisor"),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/csv/);
    expect(res.headers["content-disposition"]).toContain("refunds-2026-03-02-2026-03-03.csv");
    const records = res.body.split("\r\n");
    expect(records[0]).toBe(
      "refund_id,accounting_date,account_number,payee_name,payee_address,method,last4,amount,amount_cents,reason," +
        "requested_by,approved_by",
    );
    expect(records.at(-1)).toBe("");
    const number = (await read(t, `/api/v1/accounts/${account}`)).json().account_number;
    expect(records).toContain(
      `${made.id},2026-03-02,${number},"Lopez, Maria","1200 J St, Sacramento, CA 95814",check,,25.00,2500,` +
        "Duplicate payment,t-csr,",
    );
    // Only posted refunds; the ones waiting or rejected are not paid.
    const ids = records.slice(1, -1).map((r) => Number(r.split(",")[0]));
    expect(ids).toContain(next.id);
    const [{ n }] = (await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql`SELECT count(*)::int8 AS n FROM refunds WHERE status = 'posted'`,
    )) as [{ n: bigint }];
    expect(ids).toHaveLength(Number(n));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const oneDay = await t.app.inject({
      url: "/api/v1/refunds/register.csv?from=2026-03-03",
      headers: await t.as("billing_analyst"),
    });
    expect(
      oneDay.body
        .split("\r\n")
        .slice(1, -1)
        .map((r) => Number(r.split(",")[0])),
    ).toEqual([next.id]);
    expect(
      (await t.app.inject({ url: "/api/v1/refunds/register.csv?from=2026-03-02", headers: await t.as("csr") }))
        .statusCode,
    ).toBe(403);
    const backwards = await t.app.inject({
      url: "/api/v1/refunds/register.csv?from=2026-03-03&to=2026-03-01",
      headers: await t.as("supervisor"),
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe("to");

    const io = captureIO();
    expect(await runCommand(t.ctx, "export refunds", { from: "2026-03-02", to: "2026-03-03" }, io)).toBe(0);
    expect(io.text().out).toBe(res.body);
    const bad = captureIO();
    expect(await runCommand(t.ctx, "export refunds", { from: "2026-03-32" }, bad)).toBe(1);
    expect(bad.text().err).toContain("from");
  });

  it("leaves the ledger balanced", async () => {
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
