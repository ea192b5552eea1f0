import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { accountItems, verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { balanceOf, checkPayment, closeAccount, payByCheck, read, send } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

describe("taking a payment", () => {
  it("takes the simple form: a back-office check on one account, 201 with the payment and its id", async () => {
    const account = await newAccount(t);
    const bill = await charge(t, account, 12_000);
    const res = await send(t, "/api/v1/payments", {
      account_id: account,
      amount_cents: 5_000,
      tender: { type: "check", check_number: "4417" },
    });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({
      id: expect.any(Number),
      status: "posted",
      accounting_date: "2026-03-02",
      received_on: "2026-03-02",
      channel: "back_office",
      total_cents: 5_000,
      taken_by: "t-csr",
      tenders: [{ type: "check", amount_cents: 5_000, check_number: "4417", gl_account: "1020" }],
      distribution: [{ account_id: account, amount_cents: 5_000, status: "posted", unapplied_cents: 0 }],
      accounts: [{ account_id: account, amount_cents: 5_000, balance_cents: 7_000, cash_only: false }],
      transfers: [],
      reversal: null,
    });
    expect(p.tenders[0].description).toBe("Check #4417");
    expect(p.distribution[0].account_number).toMatch(/^\d{10}$/);

    // The ledger: Dr bank clearing / Cr unapplied, then the clearing against the bill.
    const lines = await t.database.rows<{ gl_account: string; amount_cents: bigint }>(
      t.database.db,
      sql`SELECT gl_account, amount_cents FROM journal_postings WHERE entry_id = ${p.distribution[0].entry_id} ORDER BY id`,
    );
    expect(lines).toEqual([
      { gl_account: "1020", amount_cents: 5_000n },
      { gl_account: "2100", amount_cents: -5_000n },
    ]);
    const { items } = await accountItems(t.ctx, account);
    expect(items.find((i) => i.id === bill.item.id)?.open_cents).toBe(7_000n);

    const again = await read(t, `/api/v1/payments/${p.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(p);

    const view = (await read(t, `/api/v1/accounts/${account}`)).json();
    expect(view).toMatchObject({ balance_cents: 7_000, amount_due_cents: 7_000, past_due_cents: 0, cash_only: false });
  });

  it("distributes one payment over two accounts, one of them closed, directed to an item", async () => {
    const open = await newAccount(t);
    const closed = await newAccount(t);
    const older = await charge(t, open, 3_000, { due_date: "2026-02-10" });
    const newer = await charge(t, open, 4_000, { due_date: "2026-03-20" });
    await charge(t, closed, 2_500, { due_date: "2026-01-15" });
    await closeAccount(t, closed);
    const res = await send(t, "/api/v1/payments", {
      channel: "mail",
      received_on: "2026-02-28",
      note: "one check for both accounts",
      tenders: [
        { type: "check", amount_cents: 6_000, check_number: "88", routing_last4: "0021", account_last4: "6789" },
        { type: "card", amount_cents: 2_500, processor_token: "tok_sandbox_7Hq2", brand: "visa", last4: "4242" },
      ],
      distribution: [
        { account_id: open, amount_cents: 6_000, item_ids: [newer.item.id] },
        { account_id: closed, amount_cents: 2_500 },
      ],
    });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p.total_cents).toBe(8_500);
    expect(p.received_on).toBe("2026-02-28");
    expect(p.channel).toBe("mail");
    expect(p.tenders.map((x: { description: string }) => x.description)).toEqual([
      "Check #88 (account ****6789)",
      "VISA ****4242",
    ]);
    // The check covers the first account; the card the closed one.
    expect(
      p.distribution.map((l: { account_id: number; amount_cents: number }) => [l.account_id, l.amount_cents]),
    ).toEqual([
      [open, 6_000],
      [closed, 2_500],
    ]);
    expect(p.distribution[0].item_ids).toEqual([newer.item.id]);
    const { items } = await accountItems(t.ctx, open);
    // Directed to the newer item (4,000); the rest stays unapplied until the account's next posting (ADR 0006).
    expect(items.find((i) => i.id === newer.item.id)?.open_cents).toBe(0n);
    expect(items.find((i) => i.id === older.item.id)?.open_cents).toBe(3_000n);
    expect(p.distribution[0].unapplied_cents).toBe(2_000);
    expect(await balanceOf(t, open)).toBe(1_000n);
    expect(await balanceOf(t, closed)).toBe(0n);
    expect(p.accounts.find((a: { account_id: number }) => a.account_id === closed)).toMatchObject({
      status: "closed",
      balance_cents: 0,
    });
    // The answer is built from what was written; reading the payment back gives the same.
    expect((await read(t, `/api/v1/payments/${p.id}`)).json()).toEqual(p);
  });

  it("leaves an overpayment unapplied, and the next charge consumes it", async () => {
    const account = await newAccount(t);
    await charge(t, account, 5_000);
    const p = await payByCheck(t, account, 8_000);
    expect(p.distribution[0].unapplied_cents).toBe(3_000);
    expect(p.accounts[0].balance_cents).toBe(-3_000);
    const view = (await read(t, `/api/v1/accounts/${account}`)).json();
    expect(view.balance_cents).toBe(-3_000);
    await charge(t, account, 1_000);
    expect(await balanceOf(t, account)).toBe(-2_000n);
    expect((await read(t, `/api/v1/payments/${p.id}`)).json().distribution[0].unapplied_cents).toBe(2_000);
  });

  it("lists an account's payments newest first, a page at a time", async () => {
    const account = await newAccount(t);
    const ids = [];
    for (const cents of [1_000, 2_000, 3_000]) ids.push((await payByCheck(t, account, cents)).id);
    const first = (await read(t, `/api/v1/accounts/${account}/payments?limit=2`)).json();
    expect(first.payments.map((x: { id: number }) => x.id)).toEqual([ids[2], ids[1]]);
    expect(first.payments[0]).toMatchObject({
      total_cents: 3_000,
      account_amount_cents: 3_000,
      account_shares: [{ amount_cents: 3_000, status: "posted" }],
      tenders: [{ type: "check", amount_cents: 3_000, description: "Check #1001" }],
      taken_by: "t-csr",
      status: "posted",
    });
    const next = (await read(t, `/api/v1/accounts/${account}/payments?limit=2&before=${first.next_cursor}`)).json();
    expect(next.payments.map((x: { id: number }) => x.id)).toEqual([ids[0]]);
    expect(next.next_cursor).toBeNull();
    expect((await read(t, "/api/v1/accounts/99999999/payments")).statusCode).toBe(404);
  });

  it("refuses cash without an open cash drawer with a rule, moving nothing", async () => {
    const account = await newAccount(t);
    const res = await send(t, "/api/v1/payments", {
      account_id: account,
      amount_cents: 2_000,
      tender: { type: "cash" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ rule: "payments.no_open_drawer", errors: [{ field: "tender.type" }] });
    expect(await balanceOf(t, account)).toBe(0n);
  });

  it("lets cashiers, CSRs and bearer tokens take payments; not trainees or field users", async () => {
    const account = await newAccount(t);
    expect((await send(t, "/api/v1/payments", checkPayment(account, 100), { role: "cashier" })).statusCode).toBe(201);
    expect(
      (await send(t, "/api/v1/payments", checkPayment(account, 100), { role: "lead", bearer: true })).statusCode,
    ).toBe(201);
    expect((await send(t, "/api/v1/payments", checkPayment(account, 100), { role: "trainee" })).statusCode).toBe(403);
    expect((await send(t, "/api/v1/payments", checkPayment(account, 100), { role: "field" })).statusCode).toBe(403);
    const anonymous = await t.app.inject({
      method: "POST",
      url: "/api/v1/payments",
      headers: { "idempotency-key": "anonymous-0001" },
      payload: checkPayment(account, 100),
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await balanceOf(t, account)).toBe(-200n);
  });

  it("audits the payment in its transaction, tenders masked", async () => {
    const account = await newAccount(t);
    const p = await payByCheck(t, account, 4_321);
    const [row] = await t.database.rows<{ action: string; after: { tenders: { tender: string }[] } }>(
      t.database.db,
      sql`SELECT action, after FROM audit_log WHERE entity_type = 'payment' AND entity_id = ${String(p.id)}`,
    );
    expect(row?.action).toBe("payments.take");
    expect(row?.after.tenders[0]?.tender).toBe("Check #1001");
  });

  it("documents its routes in the OpenAPI document", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    for (const path of [
      "/api/v1/payments",
      "/api/v1/payments/{id}",
      "/api/v1/payments/{id}/receipt.pdf",
      "/api/v1/payments/{id}/reversal",
      "/api/v1/payments/{id}/transfer",
      "/api/v1/accounts/{id}/payments",
      "/api/v1/accounts/{id}/adjustments",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths["/api/v1/payments"].post.requestBody).toBeDefined();
  });

  it("leaves the ledger balanced", async () => {
    const v = await verifyLedger(t.ctx);
    expect(v.violations).toEqual([]);
    expect(v.balanced).toBe(true);
  });
});
