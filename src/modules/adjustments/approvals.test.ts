import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { accountActivity } from "../customers/index.js";
import { verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { balanceOf, moneyCounts, newKey, read, send } from "../payments/test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const courtesy = (cents: number, note = "two outages this winter") => ({
  kind: "credit",
  amount_cents: cents,
  reason_code: "courtesy_credit",
  note,
});

/** A credit above the role's limit: returns the approval request it filed. */
async function requestCredit(account: number, cents: number, role = "csr") {
  const res = await send(t, `/api/v1/accounts/${account}/adjustments`, courtesy(cents), { role });
  expect(res.statusCode).toBe(202);
  return res.json().approval_request as { id: number; version: number; amount_cents: number };
}

const approve = (id: number, body: Record<string, unknown>, role = "lead", key?: string) =>
  send(t, `/api/v1/approvals/${id}/approve`, body, { role, key });
const reject = (id: number, body: Record<string, unknown>, role = "lead") =>
  send(t, `/api/v1/approvals/${id}/reject`, body, { role, key: null });

const auditActions = async (entityType: string, entityId: number) =>
  (
    await t.database.rows<{ action: string; actor_name: string }>(
      t.database.db,
      sql`SELECT action, actor_name FROM audit_log WHERE entity_type = ${entityType}
          AND entity_id = ${String(entityId)} ORDER BY id`,
    )
  ).map((r) => `${r.action} by ${r.actor_name}`);

describe("the approval queue", () => {
  it("a lead approves a CSR's $120 credit: it posts as the CSR's, with the lead recorded", async () => {
    const account = await newAccount(t);
    await charge(t, account, 20_000);
    const request = await requestCredit(account, 12_000);
    expect(await balanceOf(t, account)).toBe(20_000n);

    const queue = await read(t, "/api/v1/approvals?status=pending", "lead");
    expect(queue.statusCode).toBe(200);
    const listed = queue.json().approvals.find((a: { id: number }) => a.id === request.id);
    expect(listed).toMatchObject({
      kind: "adjustment",
      account_id: account,
      account_number: expect.stringMatching(/^\d{10}$/),
      customer_name: "Lopez, Maria",
      amount_cents: 12_000,
      summary: "Courtesy credit: two outages this winter",
      requested_by: "t-csr",
      age_seconds: expect.any(Number),
      yours: false,
      within_your_limit: true,
      can_decide: true,
    });
    expect(queue.json().your_limit_cents).toBe(50_000);
    expect((await read(t, "/api/v1/approvals/count", "lead")).json()).toMatchObject({ yours_to_decide: 1 });

    const res = await approve(request.id, { version: 1, note: "ok: two outages" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.approval_request).toMatchObject({
      status: "approved",
      decided_by: "t-lead",
      decision_note: "ok: two outages",
      adjustment_id: body.adjustment.id,
      version: 2,
    });
    expect(body.adjustment).toMatchObject({
      kind: "credit",
      amount_cents: 12_000,
      made_by: "t-csr",
      approved_by: "t-lead",
      balance_cents: 8_000,
    });
    expect(await balanceOf(t, account)).toBe(8_000n);
    const list = (await read(t, `/api/v1/accounts/${account}/adjustments`)).json().adjustments;
    expect(list[0]).toMatchObject({ id: body.adjustment.id, made_by: "t-csr", approved_by: "t-lead" });
    expect(await auditActions("approval_request", request.id)).toEqual([
      "approvals.request by t-csr",
      "approvals.approve by t-lead",
    ]);

    // The account's timeline tells the story; the account's own list shows where the request stands.
    const { events } = await accountActivity({ ...t.ctx }, account, { limit: 10 });
    expect(events.map((e) => e.title)).toEqual(
      expect.arrayContaining([
        "Credit of $120.00 waiting for approval",
        "Credit of $120.00 approved",
        "Credit adjustment $120.00",
      ]),
    );
    const mine = (await read(t, `/api/v1/accounts/${account}/approvals`)).json().approvals;
    expect(mine).toEqual([expect.objectContaining({ id: request.id, status: "approved", decided_by: "t-lead" })]);
    // Decided: no longer pending.
    const again = await approve(request.id, { version: 2 });
    expect(again.statusCode).toBe(409);
    expect(await balanceOf(t, account)).toBe(8_000n);
  });

  it("rejects with a note and posts nothing; a note is required", async () => {
    const account = await newAccount(t);
    const request = await requestCredit(account, 9_000);
    const before = await moneyCounts(t);
    const noNote = await reject(request.id, { version: 1 });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().errors[0].field).toBe("note");
    const blank = await reject(request.id, { version: 1, note: "   " });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors[0].field).toBe("note");
    const res = await reject(request.id, { version: 1, note: "one courtesy credit a year" });
    expect(res.statusCode).toBe(200);
    expect(res.json().approval_request).toMatchObject({
      status: "rejected",
      decided_by: "t-lead",
      decision_note: "one courtesy credit a year",
      adjustment_id: null,
    });
    expect(await moneyCounts(t)).toEqual(before);
    expect(await balanceOf(t, account)).toBe(0n);
    const { events } = await accountActivity({ ...t.ctx }, account, { limit: 10 });
    expect(events[0]).toMatchObject({ title: "Credit of $90.00 rejected", kind: "approval_rejected" });
    expect((await approve(request.id, { version: 2 })).statusCode).toBe(409);
  });

  it("refuses an approver whose limit is too low, one's own request, a stale version and those without the permission", async () => {
    const account = await newAccount(t);
    const big = await requestCredit(account, 60_000);
    const before = await moneyCounts(t);

    const lead = await approve(big.id, { version: 1 });
    expect(lead.statusCode).toBe(422);
    expect(lead.json()).toMatchObject({ rule: "approvals.over_your_limit", limit_cents: 50_000 });
    const queue = (await read(t, "/api/v1/approvals", "lead")).json().approvals;
    expect(queue.find((a: { id: number }) => a.id === big.id)).toMatchObject({
      within_your_limit: false,
      can_decide: false,
    });
    // Those the reader can decide come first.
    const decidable = queue.map((a: { can_decide: boolean }) => a.can_decide);
    expect(decidable).toEqual([...decidable].sort((a: boolean, b: boolean) => Number(b) - Number(a)));

    expect((await approve(big.id, { version: 1 }, "csr")).statusCode).toBe(403);
    expect((await read(t, "/api/v1/approvals", "csr")).statusCode).toBe(403);
    expect((await approve(big.id, { version: 7 }, "supervisor")).statusCode).toBe(409);
    expect((await approve(99_999_999, { version: 1 }, "supervisor")).statusCode).toBe(404);
    const noKey = await approve(big.id, { version: 1 }, "supervisor", null as unknown as string);
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().errors[0].field).toBe("Idempotency-Key");
    expect(await moneyCounts(t)).toEqual(before);

    // A lead's own request above the lead's limit: not even a raised limit lets the lead approve it.
    const own = await requestCredit(account, 55_000, "lead");
    await putSetting(t.ctx, "approvals.limit_cents", {
      effective_from: "2026-03-02",
      value: { csr: 5_000, lead: 100_000, supervisor: null, billing_analyst: 50_000 },
    });
    const ownTry = await approve(own.id, { version: 1 });
    expect(ownTry.statusCode).toBe(422);
    expect(ownTry.json().rule).toBe("approvals.own_request");
    expect((await reject(own.id, { version: 1, note: "changed my mind" })).json().rule).toBe("approvals.own_request");
    const ownListed = (await read(t, "/api/v1/approvals", "lead")).json().approvals;
    expect(ownListed.find((a: { id: number }) => a.id === own.id)).toMatchObject({ yours: true, can_decide: false });
    expect(await moneyCounts(t)).toEqual(before);

    // The supervisor has no limit.
    const key = newKey();
    const sup = await approve(big.id, { version: 1 }, "supervisor", key);
    expect(sup.statusCode).toBe(200);
    const replay = await approve(big.id, { version: 1 }, "supervisor", key);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(sup.json());
    expect(await balanceOf(t, account)).toBe(-60_000n);
    await putSetting(t.ctx, "approvals.limit_cents", {
      effective_from: "2026-03-02",
      version: 1,
      value: { csr: 5_000, lead: 50_000, supervisor: null, billing_analyst: 50_000 },
    });
  });

  it("two approvers at once: one posts the credit, the other is told it was decided", async () => {
    const account = await newAccount(t);
    const request = await requestCredit(account, 7_000);
    const results = await Promise.all([
      approve(request.id, { version: 1 }, "lead"),
      approve(request.id, { version: 1 }, "supervisor"),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await balanceOf(t, account)).toBe(-7_000n);
  });

  it("leaves the ledger balanced", async () => {
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
