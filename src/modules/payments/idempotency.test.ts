import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { requestHashOf } from "../../platform/idempotency.js";
import { verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { balanceOf, checkPayment, moneyCounts, newKey, send } from "./test-fixtures.js";

// Money moves once per Idempotency-Key, whatever the client does: replays, other bodies, other users, concurrency,
// and a request that died holding its key.

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const keyRow = async (key: string) =>
  (
    await t.database.rows<{ status: number | null; response: { id?: number } | null }>(
      t.database.db,
      sql`SELECT status, response FROM idempotency_keys WHERE key = ${key}`,
    )
  )[0];

describe("Idempotency-Key on money", () => {
  it("replays the first response and moves nothing; another body with the key is refused", async () => {
    const account = await newAccount(t);
    const key = newKey();
    const first = await send(t, "/api/v1/payments", checkPayment(account, 2_500), { key });
    expect(first.statusCode).toBe(201);
    const before = await moneyCounts(t);
    const again = await send(t, "/api/v1/payments", checkPayment(account, 2_500), { key });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(await moneyCounts(t)).toEqual(before);
    // The response was recorded with the payment, in its transaction.
    expect(await keyRow(key)).toMatchObject({ status: 201, response: { id: first.json().id } });

    const other = await send(t, "/api/v1/payments", checkPayment(account, 2_600), { key });
    expect(other.statusCode).toBe(422);
    expect(other.json().rule).toBe("idempotency.key_reused");
    expect(await moneyCounts(t)).toEqual(before);
    expect(await balanceOf(t, account)).toBe(-2_500n);
  });

  it("keeps keys per caller: another user's same key is another payment", async () => {
    const account = await newAccount(t);
    const key = newKey();
    const a = await send(t, "/api/v1/payments", checkPayment(account, 100), { key, role: "csr" });
    const b = await send(t, "/api/v1/payments", checkPayment(account, 100), { key, role: "cashier" });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).not.toBe(a.json().id);
    expect(await balanceOf(t, account)).toBe(-200n);
  });

  it("needs a key on every money-moving route", async () => {
    const account = await newAccount(t);
    const p = (await send(t, "/api/v1/payments", checkPayment(account, 100))).json();
    const routes: [string, unknown][] = [
      ["/api/v1/payments", checkPayment(account, 100)],
      [`/api/v1/payments/${p.id}/reversal`, { reason: "duplicate" }],
      [
        `/api/v1/payments/${p.id}/transfer`,
        { from_account_id: account, to_account_id: account + 1, amount_cents: 1, reason: "x" },
      ],
      [`/api/v1/accounts/${account}/adjustments`, { kind: "charge", amount_cents: 100, reason_code: "billing_error" }],
    ];
    for (const [url, body] of routes) {
      const res = await send(t, url, body, { key: null, role: "supervisor" });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().errors[0].field).toBe("Idempotency-Key");
    }
    expect(await balanceOf(t, account)).toBe(-100n);
  });

  it("50 concurrent payments to one account end with the exact balance", async () => {
    const account = await newAccount(t);
    await charge(t, account, 1_000_000);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send(t, "/api/v1/payments", checkPayment(account, 100 + i, `C${i}`))),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    expect(new Set(results.map((r) => r.json().id)).size).toBe(50);
    const paid = Array.from({ length: 50 }, (_, i) => BigInt(100 + i)).reduce((s, c) => s + c, 0n);
    expect(await balanceOf(t, account)).toBe(1_000_000n - paid);
  });

  it("concurrent payments and transfers over the same accounts, named in any order, all post (no deadlock)", async () => {
    const trio = [await newAccount(t), await newAccount(t), await newAccount(t)];
    const seedPayment = (
      await send(t, "/api/v1/payments", {
        tenders: [{ type: "check", amount_cents: 3_000, check_number: "1" }],
        distribution: trio.map((account_id) => ({ account_id, amount_cents: 1_000 })),
      })
    ).json();
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
    ];
    const results = await Promise.all([
      ...Array.from({ length: 24 }, (_, i) =>
        send(t, "/api/v1/payments", {
          tenders: [{ type: "money_order", amount_cents: 300, serial_number: `S${i}` }],
          distribution: orders[i % 4]!.map((n) => ({ account_id: trio[n]!, amount_cents: 100 })),
        }),
      ),
      ...[
        [0, 2],
        [2, 1],
        [1, 0],
      ].map(([from, to]) =>
        send(t, `/api/v1/payments/${seedPayment.id}/transfer`, {
          from_account_id: trio[from!],
          to_account_id: trio[to!],
          amount_cents: 10,
          reason: "concurrency",
        }),
      ),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual(Array(27).fill(201));
    const balances = await Promise.all(trio.map((a) => balanceOf(t, a)));
    expect(balances.reduce((s, b) => s + b, 0n)).toBe(-3_000n - 24n * 300n);
    expect(balances).toEqual([-3_400n, -3_400n, -3_400n]);
  });

  it("concurrent replays of one key move money once", async () => {
    const account = await newAccount(t);
    const key = newKey();
    const before = await moneyCounts(t);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => send(t, "/api/v1/payments", checkPayment(account, 777), { key })),
    );
    const created = results.filter((r) => r.statusCode === 201);
    // Each answer is the payment (first or replayed) or "still running" (409); never a second payment.
    expect(results.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    const after = await moneyCounts(t);
    expect(after.payments).toBe(before.payments! + 1);
    expect(await balanceOf(t, account)).toBe(-777n);
    // Once it has finished, every retry replays it.
    const late = await send(t, "/api/v1/payments", checkPayment(account, 777), { key });
    expect(late.json().id).toBe(created[0]!.json().id);
  });

  it("takes over a key whose request died before answering, and refuses one still running", async () => {
    const account = await newAccount(t);
    const body = checkPayment(account, 4_000);
    const [user] = await t.database.rows<{ id: bigint }>(
      t.database.db,
      sql`SELECT id FROM users WHERE username = 't-csr'`,
    );
    // The key knows a request by its validated body (defaults filled in).
    const hash = requestHashOf("POST", "/api/v1/payments", { ...body, channel: "back_office" });
    const claim = async (key: string, age: string) =>
      t.database.db.execute(sql`
        INSERT INTO idempotency_keys (key, actor_user_id, route, request_hash, claim_token, claimed_at)
        VALUES (${key}, ${user!.id}, 'POST /api/v1/payments', ${hash},
                'died', now() - ${age}::interval)`);
    // Nothing moved for the dead request: its transaction never committed, so a retry must post the payment.
    const dead = newKey();
    await claim(dead, "10 minutes");
    const retried = await send(t, "/api/v1/payments", body, { key: dead });
    expect(retried.statusCode).toBe(201);
    expect(await keyRow(dead)).toMatchObject({ status: 201, response: { id: retried.json().id } });
    expect(await balanceOf(t, account)).toBe(-4_000n);

    const running = newKey();
    await claim(running, "1 second");
    const busy = await send(t, "/api/v1/payments", body, { key: running });
    expect(busy.statusCode).toBe(409);
    expect(await balanceOf(t, account)).toBe(-4_000n);
  });

  it("records a refusal as the key's answer, without moving money", async () => {
    const account = await newAccount(t);
    const key = newKey();
    const cash = { account_id: account, amount_cents: 100, tender: { type: "cash" } };
    const first = await send(t, "/api/v1/payments", cash, { key });
    expect(first.statusCode).toBe(422);
    const again = await send(t, "/api/v1/payments", cash, { key });
    expect(again.statusCode).toBe(422);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(await balanceOf(t, account)).toBe(0n);
  });

  it("leaves the ledger balanced", async () => {
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
