import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { insertBill, insertMonthlyBills } from "./bill-fixtures.js";
import { usageHistory } from "./bill-views.js";

let t: TestApp;
let account = { account_id: 0, service_agreement_id: 0 };
let accountNumber = "";
/** August 2025 to July 2026, oldest first. */
let monthly: number[] = [];
let july = { id: 0, total_cents: 0n, amount_due_cents: 0n };
let cancelled = 0;
let rebill = 0;
let held = 0;

const read = async (url: string, role = "csr") => t.app.inject({ method: "GET", url, headers: await t.as(role) });

beforeAll(async () => {
  t = await testApp({ now: "2026-08-05T17:00:00Z" });
  const c = await newCustomer(t);
  account = { account_id: c.account.id, service_agreement_id: c.service_agreement.id };
  accountNumber = c.account.account_number;
  // Twelve issued bills, August 2025 to July 2026 (July's below, with a prior balance).
  monthly = await insertMonthlyBills(t.database, account, "2025-08", 11, (i) => String(400 + i * 10));
  july = await insertBill(t.database, {
    ...account,
    period_from: "2026-07-01",
    period_to: "2026-07-31",
    kwh: "612.5",
    prior_balance_cents: 1_250n,
    payments_since_cents: 18_000n,
  });
  monthly.push(july.id);
  // June 2025 was cancelled and rebilled by hand; a held bill waits for August.
  cancelled = (
    await insertBill(t.database, {
      ...account,
      period_from: "2025-07-01",
      period_to: "2025-07-31",
      kwh: "9000",
      status: "cancelled",
      cancel_reason: "misread meter",
    })
  ).id;
  rebill = (
    await insertBill(t.database, {
      ...account,
      period_from: "2025-07-01",
      period_to: "2025-07-31",
      bill_date: "2025-08-20",
      kwh: "390",
      rebill_of: cancelled,
    })
  ).id;
  held = (
    await insertBill(t.database, {
      ...account,
      period_from: "2026-08-01",
      period_to: "2026-08-31",
      kwh: "2400",
      status: "held",
      exception: "high_usage",
      exception_note: "2400 kWh is 4 times the usual",
    })
  ).id;
});
afterAll(async () => t?.close());

describe("an account's bills", () => {
  it("lists them newest first, held and cancelled ones too, a page at a time", async () => {
    const first = await read(`/api/v1/accounts/${account.account_id}/bills?limit=4`);
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.account_id).toBe(account.account_id);
    expect(page1.bills.map((b: { id: number }) => b.id)).toEqual([held, july.id, monthly[10], monthly[9]]);
    expect(page1.bills[0]).toMatchObject({
      status: "held",
      exception: "high_usage",
      bill_date: "2026-09-01",
      period_from: "2026-08-01",
      period_to: "2026-08-31",
      due_date: "2026-09-22",
      kwh: "2400",
    });
    expect(page1.bills[1]).toMatchObject({
      id: july.id,
      status: "issued",
      kwh: "612.5",
      total_cents: Number(july.total_cents),
      amount_due_cents: Number(july.total_cents) + 1_250,
      estimated: false,
      rebill_of: null,
      rebilled_by: null,
    });
    const seen = [...page1.bills];
    let cursor = page1.next_cursor;
    while (cursor) {
      const next = (await read(`/api/v1/accounts/${account.account_id}/bills?limit=4&before=${cursor}`)).json();
      seen.push(...next.bills);
      cursor = next.next_cursor;
    }
    // The rebill is dated 2025-08-20, after August 2025's bill (2025-09-01 is later still).
    const dates = seen.map((b) => b.bill_date);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(seen).toHaveLength(15);
    expect(new Set(seen.map((b) => b.id)).size).toBe(15);
    const old = seen.find((b) => b.id === cancelled);
    expect(old).toMatchObject({ status: "cancelled", cancel_reason: "misread meter", rebilled_by: rebill });
    expect(seen.find((b) => b.id === rebill)).toMatchObject({ rebill_of: cancelled, run_id: null });
  });

  it("answers 404 for an unknown account, 403 without bills.read, 400 for a bad limit", async () => {
    const missing = await read("/api/v1/accounts/99999999/bills");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors[0].field).toBe("id");
    expect((await read(`/api/v1/accounts/${account.account_id}/bills`, "field")).statusCode).toBe(403);
    expect((await read(`/api/v1/accounts/${account.account_id}/bills?limit=0`)).statusCode).toBe(400);
  });
});

describe("one bill", () => {
  it("shows the amounts, the detail the run wrote and the segments", async () => {
    const res = await read(`/api/v1/bills/${july.id}`, "trainee");
    expect(res.statusCode, res.body).toBe(200);
    const b = res.json();
    expect(b).toMatchObject({
      id: july.id,
      account_id: account.account_id,
      account_number: accountNumber,
      status: "issued",
      bill_date: "2026-08-01",
      mail_date: "2026-08-01",
      due_date: "2026-08-22",
      prior_balance_cents: 1_250,
      payments_since_cents: 18_000,
      total_cents: Number(july.total_cents),
      entry_id: null,
      version: 1,
      segments: [
        {
          service_agreement_id: account.service_agreement_id,
          period_from: "2026-07-01",
          period_to: "2026-07-31",
          kwh: "612.5",
          estimated: false,
          active: true,
        },
      ],
    });
    expect(b.run_id).toEqual(expect.any(Number));
    expect(b.detail.agreements[0].lines.map((l: { amount_cents: number }) => l.amount_cents)).toEqual([2460, 24930]);
    expect(b.detail.agreements[0].total_cents).toBe(Number(july.total_cents));
    expect(b.created_at).toMatch(/Z$/);
  });

  it("names the replacement of a cancelled bill; 404 for an unknown bill, 403 without bills.read", async () => {
    expect((await read(`/api/v1/bills/${cancelled}`)).json()).toMatchObject({
      status: "cancelled",
      rebilled_by: rebill,
      segments: [{ active: false }],
    });
    const missing = await read("/api/v1/bills/99999999");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ errors: [{ field: "id", message: "bill 99999999 was not found" }] });
    expect((await read(`/api/v1/bills/${july.id}`, "field")).statusCode).toBe(403);
    expect((await read("/api/v1/bills/abc")).statusCode).toBe(400);
  });
});

describe("the usage history a bill shows", () => {
  it("is 13 months to the bill's month: issued bills and the bill itself, not cancelled ones", async () => {
    const months = await usageHistory(t.ctx, {
      id: july.id,
      account_id: account.account_id,
      bill_date: "2026-08-01",
      period_to: "2026-07-31",
    });
    expect(months.map((m) => m.month)).toEqual([
      "2025-07",
      "2025-08",
      "2025-09",
      "2025-10",
      "2025-11",
      "2025-12",
      "2026-01",
      "2026-02",
      "2026-03",
      "2026-04",
      "2026-05",
      "2026-06",
      "2026-07",
    ]);
    // July 2025: the rebill's 390, not the cancelled 9000.
    expect(months[0]).toMatchObject({ kwh: "390", days: 31, current: false });
    expect(months[1]).toMatchObject({ kwh: "400", days: 31 });
    expect(months[12]).toMatchObject({ kwh: "612.5", days: 31, current: true });
    expect(months.filter((m) => m.current)).toHaveLength(1);
  });

  it("leaves out bills dated after the bill, and counts a held bill only in its own history", async () => {
    const march = await usageHistory(t.ctx, {
      id: monthly[7]!,
      account_id: account.account_id,
      bill_date: "2026-04-01",
      period_to: "2026-03-31",
    });
    expect(march[0]).toMatchObject({ month: "2025-03", kwh: null, days: 0 });
    expect(march[12]).toMatchObject({ month: "2026-03", kwh: "470", current: true });
    // The rebill of July 2025 is dated 2025-08-20: in March's history.
    expect(march.find((m) => m.month === "2025-07")!.kwh).toBe("390");
    const august = await usageHistory(t.ctx, {
      id: held,
      account_id: account.account_id,
      bill_date: "2026-09-01",
      period_to: "2026-08-31",
    });
    expect(august[12]).toMatchObject({ month: "2026-08", kwh: "2400", current: true });
    expect(august[0]).toMatchObject({ month: "2025-08", kwh: "400" });
  });
});
