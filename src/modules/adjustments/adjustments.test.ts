import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { accountItems, verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { balanceOf, moneyCounts, newKey, read, send } from "../payments/test-fixtures.js";
import { limitOf } from "./approval-requests.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const adjust = (account: number, body: Record<string, unknown>, role = "csr", key?: string) =>
  send(t, `/api/v1/accounts/${account}/adjustments`, body, { role, key });

const postings = (entryId: number) =>
  t.database.rows<{ gl_account: string; amount_cents: bigint }>(
    t.database.db,
    sql`SELECT gl_account, amount_cents FROM journal_postings WHERE entry_id = ${entryId} ORDER BY id`,
  );

describe("adjustments", () => {
  it("a charge adjustment is a receivable item of category adjustment, billed with the next bill", async () => {
    const account = await newAccount(t);
    const res = await adjust(account, {
      kind: "charge",
      amount_cents: 1_250,
      reason_code: "meter_error",
      note: "under-registered since January",
    });
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({
      id: expect.any(Number),
      account_id: account,
      kind: "charge",
      amount_cents: 1_250,
      reason_code: "meter_error",
      reason_label: "Meter error",
      gl_account: "4010",
      accounting_date: "2026-03-02",
      made_by: "t-csr",
      approved_by: null,
      item_id: expect.any(Number),
      credit_id: null,
      balance_cents: 1_250,
    });
    const { items } = await accountItems(t.ctx, account);
    expect(items[0]).toMatchObject({
      id: a.item_id,
      category: "adjustment",
      due_date: null,
      reference: `adjustment:${a.id}`,
    });
    expect(await postings(a.entry_id)).toEqual([
      { gl_account: "1100", amount_cents: 1_250n },
      { gl_account: "4010", amount_cents: -1_250n },
    ]);
  });

  it("a credit adjustment is matched to the open items", async () => {
    const account = await newAccount(t);
    const bill = await charge(t, account, 3_000);
    const res = await adjust(account, { kind: "credit", amount_cents: 1_000, reason_code: "courtesy_credit" });
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({ kind: "credit", credit_id: expect.any(Number), item_id: null, balance_cents: 2_000 });
    expect(await postings(a.entry_id)).toEqual([
      { gl_account: "4090", amount_cents: 1_000n },
      { gl_account: "2100", amount_cents: -1_000n },
    ]);
    const { items, credits } = await accountItems(t.ctx, account);
    expect(items.find((i) => i.id === bill.item.id)?.open_cents).toBe(2_000n);
    expect(credits[0]).toMatchObject({ kind: "credit_adjustment", status: "applied" });
    const list = (await read(t, `/api/v1/accounts/${account}/adjustments`)).json();
    expect(list.adjustments.map((x: { id: number }) => x.id)).toEqual([a.id]);
  });

  it("posts credits up to the role's approval limit (csr $50, lead $500, supervisor none); above it nothing posts", async () => {
    const account = await newAccount(t);
    const before = await moneyCounts(t);
    const over = await adjust(account, {
      kind: "credit",
      amount_cents: 5_001,
      reason_code: "courtesy_credit",
      note: "storm outage",
    });
    expect(over.statusCode).toBe(202);
    expect(over.json()).toMatchObject({
      status: "pending_approval",
      approval_request: {
        id: expect.any(Number),
        kind: "adjustment",
        status: "pending",
        account_id: account,
        amount_cents: 5_001,
        summary: "Courtesy credit: storm outage",
        requested_by: "t-csr",
        payload: { kind: "credit", amount_cents: 5_001, reason_code: "courtesy_credit", note: "storm outage" },
        yours: true,
        version: 1,
      },
    });
    expect(await moneyCounts(t)).toEqual(before);
    expect(await balanceOf(t, account)).toBe(0n);
    expect(
      (await adjust(account, { kind: "credit", amount_cents: 5_000, reason_code: "courtesy_credit" })).statusCode,
    ).toBe(201);
    expect(
      (await adjust(account, { kind: "credit", amount_cents: 50_000, reason_code: "billing_error" }, "lead"))
        .statusCode,
    ).toBe(201);
    expect(
      (await adjust(account, { kind: "credit", amount_cents: 50_001, reason_code: "billing_error" }, "lead"))
        .statusCode,
    ).toBe(202);
    expect(
      (await adjust(account, { kind: "credit", amount_cents: 5_000_000, reason_code: "billing_error" }, "supervisor"))
        .statusCode,
    ).toBe(201);
    expect(
      (await adjust(account, { kind: "charge", amount_cents: 9_000_000, reason_code: "billing_error" })).statusCode,
    ).toBe(201);
    expect(await balanceOf(t, account)).toBe(9_000_000n - 5_000n - 50_000n - 5_000_000n);

    // The limit is a setting, from a date on; a role not listed has none.
    await putSetting(t.ctx, "approvals.limit_cents", {
      effective_from: "2026-03-01",
      value: { csr: 7_500, lead: 25_000, supervisor: null },
    });
    expect(
      (await adjust(account, { kind: "credit", amount_cents: 7_500, reason_code: "courtesy_credit" })).statusCode,
    ).toBe(201);
    expect(
      (await adjust(account, { kind: "credit", amount_cents: 100, reason_code: "fee_waiver" }, "billing_analyst"))
        .statusCode,
    ).toBe(202);
    await putSetting(t.ctx, "approvals.limit_cents", {
      effective_from: "2026-03-01",
      version: 1,
      value: { csr: 5_000, lead: 50_000, supervisor: null, billing_analyst: 50_000 },
    });
  });

  it("takes the highest of a user's roles' limits, where no limit wins", () => {
    const actor = (roles: string[]) => ({
      userId: 1,
      username: "x",
      roles,
      permissions: new Set<string>(),
      via: "session" as const,
    });
    const limits = { csr: 5_000, lead: 50_000, supervisor: null };
    expect(limitOf(actor(["csr"]), limits)).toBe(5_000n);
    expect(limitOf(actor(["csr", "lead"]), limits)).toBe(50_000n);
    expect(limitOf(actor(["lead", "supervisor", "csr"]), limits)).toBeNull();
    expect(limitOf(actor(["cashier"]), limits)).toBe(0n);
    expect(limitOf(actor([]), limits)).toBe(0n);
  });

  it("refuses unknown reasons, a reason of the other kind, unknown accounts and roles without the permission", async () => {
    const account = await newAccount(t);
    const unknown = await adjust(account, { kind: "credit", amount_cents: 100, reason_code: "because" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe("reason_code");
    const wrongKind = await adjust(account, { kind: "charge", amount_cents: 100, reason_code: "courtesy_credit" });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().errors[0].field).toBe("reason_code");
    const noAccount = await adjust(99_999_999, { kind: "charge", amount_cents: 100, reason_code: "billing_error" });
    expect(noAccount.statusCode).toBe(404);
    expect(
      (await adjust(account, { kind: "charge", amount_cents: 100, reason_code: "billing_error" }, "cashier"))
        .statusCode,
    ).toBe(403);
    expect(
      (await adjust(account, { kind: "charge", amount_cents: 100, reason_code: "billing_error" }, "trainee"))
        .statusCode,
    ).toBe(403);
    const noKey = await send(
      t,
      `/api/v1/accounts/${account}/adjustments`,
      { kind: "charge", amount_cents: 100, reason_code: "billing_error" },
      { key: null },
    );
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().errors[0].field).toBe("Idempotency-Key");
    expect(await balanceOf(t, account)).toBe(0n);
  });

  it("replays an adjustment sent twice with one key and makes it once", async () => {
    const account = await newAccount(t);
    const key = newKey();
    const body = { kind: "credit", amount_cents: 700, reason_code: "courtesy_credit" };
    const first = await adjust(account, body, "csr", key);
    const again = await adjust(account, body, "csr", key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(await balanceOf(t, account)).toBe(-700n);
    expect(
      (await read(t, "/api/v1/adjustments/reasons")).json().reasons.map((r: { code: string }) => r.code),
    ).toContain("courtesy_credit");
  });

  it("leaves the ledger balanced", async () => {
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
