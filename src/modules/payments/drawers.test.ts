import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { verifyLedger } from "../ledger/index.js";
import { newAccount } from "../ledger/test-fixtures.js";
import { reversePayment } from "./corrections.js";
import { settleDrawerReversal } from "./drawers.js";
import { moneyCounts, read, send } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const open = (role: string, float_cents: number, location = "Counter 1") =>
  send(t, "/api/v1/drawers", { location, float_cents }, { role });
const pay = (role: string, body: Record<string, unknown>) => send(t, "/api/v1/payments", body, { role });
const counts = (cash: number, check: number, money_order: number, extra: Record<string, unknown> = {}) => ({
  counts: {
    cash: { counted_cents: cash },
    check: { counted_cents: check },
    money_order: { counted_cents: money_order },
  },
  ...extra,
});
const close = (role: string, id: number, body: unknown) => send(t, `/api/v1/drawers/${id}/close`, body, { role });
const signOff = async (role: string, id: number, body: Record<string, unknown> = {}) =>
  t.app.inject({ method: "POST", url: `/api/v1/drawers/${id}/sign-off`, headers: await t.as(role), payload: body });

/** The postings of a journal entry, as [gl_account, cents]. */
async function postingsOf(entryId: number): Promise<[string, bigint][]> {
  const rows = await t.database.rows<{ gl_account: string; amount_cents: bigint }>(
    t.database.db,
    sql`SELECT gl_account, amount_cents FROM journal_postings WHERE entry_id = ${entryId} ORDER BY id`,
  );
  return rows.map((r) => [r.gl_account, r.amount_cents]);
}

/** The drawer's net in a GL account over every entry it caused: opening, its payments (and reversals), closing. */
async function drawerNet(drawerId: number, gl: string): Promise<bigint> {
  const [row] = await t.database.rows<{ net: bigint | null }>(
    t.database.db,
    sql`SELECT sum(amount_cents)::int8 AS net FROM journal_postings
        WHERE gl_account = ${gl} AND entry_id IN (
          SELECT open_entry_id FROM cash_drawers WHERE id = ${drawerId}
          UNION SELECT close_entry_id FROM cash_drawers WHERE id = ${drawerId}
          UNION SELECT l.entry_id FROM payment_lines AS l JOIN payments AS p ON p.id = l.payment_id
                WHERE p.drawer_id = ${drawerId}
          UNION SELECT l.reversal_entry_id FROM payment_lines AS l JOIN payments AS p ON p.id = l.payment_id
                WHERE p.drawer_id = ${drawerId})`,
  );
  return row?.net ?? 0n;
}

async function drawerCounts(): Promise<Record<string, number>> {
  const [row] = await t.database.rows<{ d: bigint; c: bigint }>(
    t.database.db,
    sql`SELECT (SELECT count(*) FROM cash_drawers)::int8 AS d, (SELECT count(*) FROM cash_drawer_counts)::int8 AS c`,
  );
  return { ...(await moneyCounts(t)), cash_drawers: Number(row!.d), cash_drawer_counts: Number(row!.c) };
}

const total = (drawer: { totals: { tender_type: string }[] }, type: string) =>
  drawer.totals.find((x) => x.tender_type === type) as Record<string, unknown>;

let cashierDrawer = 0;
let account = 0;
let other = 0;

describe("opening a cash drawer", () => {
  it("opens with a float from the change fund: Dr cash drawers / Cr change fund", async () => {
    account = await newAccount(t);
    other = await newAccount(t);
    const res = await open("cashier", 10_000, "Main office, window 2");
    expect(res.statusCode).toBe(201);
    const d = res.json();
    cashierDrawer = d.id;
    expect(d).toMatchObject({
      location: "Main office, window 2",
      cashier: "t-cashier",
      cashier_name: "Test cashier",
      business_date: "2026-03-02",
      float_cents: 10_000,
      status: "open",
      opened_at: "2026-03-02T17:00:00.000Z",
      expected_cents: 10_000,
      over_short_cents: null,
      counts: null,
      payments: [],
      version: 1,
    });
    expect(total(d, "cash")).toMatchObject({ taken_cents: 0, expected_cents: 10_000, counted: true });
    expect(total(d, "card")).toMatchObject({ taken_cents: 0, expected_cents: null, counted: false });
    expect(await postingsOf(d.open_entry_id)).toEqual([
      ["1010", 10_000n],
      ["1000", -10_000n],
    ]);
    const current = await read(t, "/api/v1/drawers/current", "cashier");
    expect(current.statusCode).toBe(200);
    expect(current.json()).toEqual(d);
  });

  it("refuses a second open drawer for the same cashier, naming the field and moving nothing", async () => {
    const before = await drawerCounts();
    const res = await open("cashier", 5_000);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      rule: "drawers.already_open",
      drawer_id: cashierDrawer,
      errors: [{ field: "cashier" }],
    });
    expect(await drawerCounts()).toEqual(before);
  });

  it("posts nothing for a zero float; answers 404 for no open drawer and 403 without drawers.use", async () => {
    const res = await open("lead", 0, "Drive-up window");
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ float_cents: 0, open_entry_id: null, expected_cents: 0 });
    expect((await read(t, "/api/v1/drawers/current", "supervisor")).statusCode).toBe(404);
    expect((await read(t, "/api/v1/drawers/current", "csr")).statusCode).toBe(403);
    expect((await open("csr", 1_000)).statusCode).toBe(403);
    expect(
      (await send(t, "/api/v1/drawers", { location: "x", float_cents: 100 }, { role: "cashier", key: null }))
        .statusCode,
    ).toBe(400);
  });

  it("replays an open under the same Idempotency-Key without a second drawer", async () => {
    const key = "drawer-open-replay-0001";
    const first = await send(
      t,
      "/api/v1/drawers",
      { location: "Annex", float_cents: 2_500 },
      { role: "supervisor", key },
    );
    const again = await send(
      t,
      "/api/v1/drawers",
      { location: "Annex", float_cents: 2_500 },
      { role: "supervisor", key },
    );
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json().id).toBe(first.json().id);
  });
});

describe("payments into a drawer", () => {
  it("posts cash, checks and money orders to the cash drawers account, cards to bank clearing", async () => {
    const cash = await pay("cashier", {
      account_id: account,
      amount_cents: 2_500,
      tender: { type: "cash" },
      channel: "counter",
    });
    expect(cash.statusCode).toBe(201);
    expect(cash.json().tenders).toMatchObject([
      { type: "cash", amount_cents: 2_500, gl_account: "1010", description: "Cash" },
    ]);
    expect(cash.json().distribution[0].gl_account).toBe("1010");
    const mixed = await pay("cashier", {
      channel: "counter",
      tenders: [
        { type: "check", amount_cents: 4_000, check_number: "1187" },
        { type: "card", amount_cents: 1_000, processor_token: "tok_sandbox_1", brand: "visa", last4: "4242" },
        { type: "money_order", amount_cents: 1_500, serial_number: "MO-77" },
      ],
      distribution: [
        { account_id: account, amount_cents: 3_000 },
        { account_id: other, amount_cents: 3_500 },
      ],
    });
    expect(mixed.statusCode).toBe(201);
    const p = mixed.json();
    expect(p.tenders.map((x: { gl_account: string }) => x.gl_account)).toEqual(["1010", "1020", "1010"]);
    // The second share is funded by the check's rest (1010), the card (1020) and the money order (1010).
    expect(
      p.distribution.map((l: { account_id: number; gl_account: string; amount_cents: number }) => [
        l.account_id,
        l.gl_account,
        l.amount_cents,
      ]),
    ).toEqual([
      [account, "1010", 3_000],
      [other, "1010", 1_000],
      [other, "1020", 1_000],
      [other, "1010", 1_500],
    ]);
    expect((await read(t, `/api/v1/payments/${p.id}`)).json()).toEqual(p);
    const rows = await t.database.rows<{ id: bigint; drawer_id: bigint | null }>(
      t.database.db,
      sql`SELECT id, drawer_id FROM payments WHERE id IN (${cash.json().id}, ${p.id}) ORDER BY id`,
    );
    expect(rows.map((r) => r.drawer_id)).toEqual([BigInt(cashierDrawer), BigInt(cashierDrawer)]);

    const d = (await read(t, "/api/v1/drawers/current", "cashier")).json();
    expect(total(d, "cash")).toMatchObject({ taken_cents: 2_500, taken_count: 1, expected_cents: 12_500 });
    expect(total(d, "check")).toMatchObject({ taken_cents: 4_000, taken_count: 1, expected_cents: 4_000 });
    expect(total(d, "money_order")).toMatchObject({ taken_cents: 1_500, taken_count: 1, expected_cents: 1_500 });
    expect(total(d, "card")).toMatchObject({ taken_cents: 1_000, taken_count: 1, expected_cents: null });
    expect(total(d, "ach")).toMatchObject({ taken_cents: 0, expected_cents: null });
    expect(d.expected_cents).toBe(18_000);
    expect(d.payments.map((x: { id: number }) => x.id)).toEqual([cash.json().id, p.id]);
    expect(d.payments[1].tenders[0]).toMatchObject({ description: "Check #1187", gl_account: "1010" });
    expect(d.payments[1].accounts.map((a: { account_id: number }) => a.account_id)).toEqual([account, other]);
  });

  it("a payment by someone without an open drawer clears through the bank, as before", async () => {
    const res = await pay("csr", {
      account_id: account,
      amount_cents: 700,
      tender: { type: "check", check_number: "9" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().tenders[0].gl_account).toBe("1020");
    const [row] = await t.database.rows<{ drawer_id: bigint | null }>(
      t.database.db,
      sql`SELECT drawer_id FROM payments WHERE id = ${res.json().id}`,
    );
    expect(row!.drawer_id).toBeNull();
  });

  it("a reversal before close takes the payment out of what is expected", async () => {
    const p = (await pay("cashier", { account_id: account, amount_cents: 1_200, tender: { type: "cash" } })).json();
    expect(total((await read(t, "/api/v1/drawers/current", "cashier")).json(), "cash").expected_cents).toBe(13_700);
    const reversed = await send(
      t,
      `/api/v1/payments/${p.id}/reversal`,
      { reason: "keyed_in_error" },
      { role: "supervisor" },
    );
    expect(reversed.statusCode).toBe(201);
    const d = (await read(t, "/api/v1/drawers/current", "cashier")).json();
    expect(total(d, "cash")).toMatchObject({ taken_cents: 2_500, taken_count: 1, expected_cents: 12_500 });
    expect(d.payments.find((x: { id: number }) => x.id === p.id)).toMatchObject({ status: "reversed" });
  });

  it("takes a payment into the drawer it names, if it is the taker's own and open", async () => {
    const res = await pay("cashier", {
      account_id: account,
      amount_cents: 300,
      tender: { type: "cash" },
      drawer_id: cashierDrawer,
    });
    expect(res.statusCode).toBe(201);
    const lead = (await read(t, "/api/v1/drawers/current", "lead")).json();
    const before = await drawerCounts();
    const theirs = await pay("cashier", {
      account_id: account,
      amount_cents: 300,
      tender: { type: "cash" },
      drawer_id: lead.id,
    });
    expect(theirs.statusCode).toBe(422);
    expect(theirs.json()).toMatchObject({ rule: "payments.not_your_drawer", errors: [{ field: "drawer_id" }] });
    const none = await pay("cashier", {
      account_id: account,
      amount_cents: 300,
      tender: { type: "cash" },
      drawer_id: 99_999,
    });
    expect(none.statusCode).toBe(404);
    expect(none.json().errors).toMatchObject([{ field: "drawer_id" }]);
    expect(await drawerCounts()).toEqual(before);
  });
});

describe("cash without a drawer", () => {
  it("is refused with a rule naming the tender's type, moving nothing", async () => {
    const before = await drawerCounts();
    const simple = await pay("csr", { account_id: account, amount_cents: 2_000, tender: { type: "cash" } });
    expect(simple.statusCode).toBe(422);
    expect(simple.json()).toMatchObject({ rule: "payments.no_open_drawer", errors: [{ field: "tender.type" }] });
    const general = await pay("csr", {
      tenders: [
        { type: "check", amount_cents: 1_000, check_number: "55" },
        { type: "cash", amount_cents: 500 },
      ],
      distribution: [{ account_id: account, amount_cents: 1_500 }],
    });
    expect(general.statusCode).toBe(422);
    expect(general.json()).toMatchObject({ rule: "payments.no_open_drawer", errors: [{ field: "tenders.1.type" }] });
    expect(await drawerCounts()).toEqual(before);
  });
});

describe("closing a drawer", () => {
  it("refuses counts that are missing or not whole cents, naming the field, moving nothing", async () => {
    const before = await drawerCounts();
    const cases: [unknown, string][] = [
      [{}, "counts"],
      [{ counts: { cash: { counted_cents: 100 }, check: { counted_cents: 0 } } }, "counts.money_order"],
      [{ counts: { check: { counted_cents: 0 }, money_order: { counted_cents: 0 } } }, "counts.cash"],
      [counts(100.5, 0, 0), "counts.cash.counted_cents"],
      [counts(100, -1, 0), "counts.check.counted_cents"],
      [counts(100, 0, "15.00" as unknown as number), "counts.money_order.counted_cents"],
      [
        { counts: { cash: {}, check: { counted_cents: 0 }, money_order: { counted_cents: 0 } } },
        "counts.cash.counted_cents",
      ],
    ];
    for (const [body, field] of cases) {
      const res = await close("cashier", cashierDrawer, body);
      expect(res.statusCode, field).toBe(400);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    expect(await drawerCounts()).toEqual(before);
  });

  it("refuses another cashier's drawer, and a short drawer without a note", async () => {
    const before = await drawerCounts();
    expect((await close("lead", cashierDrawer, counts(12_800, 4_000, 1_500))).statusCode).toBe(403);
    const short = await close("cashier", cashierDrawer, counts(12_300, 4_000, 1_500));
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({
      rule: "drawers.note_required",
      over_short_cents: -500,
      errors: [{ field: "note" }],
    });
    expect(await drawerCounts()).toEqual(before);
  });

  it("closes short: one entry returns the float, posts the shortage and the deposit; the drawer nets to zero", async () => {
    // Expected: cash 10,000 float + 2,500 + 300 = 12,800; check 4,000; money order 1,500. Counted cash $5.00 short.
    const res = await close(
      "cashier",
      cashierDrawer,
      counts(12_300, 4_000, 1_500, { note: "a $5 bill short", version: 1 }),
    );
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d).toMatchObject({
      status: "closed",
      closed_by: "t-cashier",
      over_short_cents: -500,
      deposit_cents: 12_300 - 10_000 + 4_000 + 1_500,
      expected_cents: 18_300,
      close_note: "a $5 bill short",
      version: 2,
    });
    expect(d.counts).toEqual([
      {
        tender_type: "cash",
        expected_cents: 12_800,
        counted_cents: 12_300,
        over_short_cents: -500,
        expected_count: null,
        counted_count: null,
      },
      {
        tender_type: "check",
        expected_cents: 4_000,
        counted_cents: 4_000,
        over_short_cents: 0,
        expected_count: 1,
        counted_count: null,
      },
      {
        tender_type: "money_order",
        expected_cents: 1_500,
        counted_cents: 1_500,
        over_short_cents: 0,
        expected_count: 1,
        counted_count: null,
      },
    ]);
    expect(await postingsOf(d.close_entry_id)).toEqual([
      ["1000", 10_000n],
      ["1010", -10_000n],
      ["6200", 500n],
      ["1010", -500n],
      ["1020", 7_800n],
      ["1010", -7_800n],
    ]);
    expect(await drawerNet(cashierDrawer, "1010")).toBe(0n);
    expect(await drawerNet(cashierDrawer, "1000")).toBe(0n);
    const [audit] = await t.database.rows<{ action: string }>(
      t.database.db,
      sql`SELECT action FROM audit_log WHERE entity_type = 'cash_drawer' AND entity_id = ${String(cashierDrawer)}
          ORDER BY id DESC LIMIT 1`,
    );
    expect(audit?.action).toBe("drawers.close");
  });

  it("refuses closing it again, naming the drawer; cash is refused again, and a payment naming it too", async () => {
    const before = await drawerCounts();
    const again = await close("cashier", cashierDrawer, counts(12_300, 4_000, 1_500, { note: "again" }));
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({
      rule: "drawers.not_open",
      drawer_id: cashierDrawer,
      errors: [{ field: "id" }],
    });
    const cash = await pay("cashier", { account_id: account, amount_cents: 100, tender: { type: "cash" } });
    expect(cash.json()).toMatchObject({ rule: "payments.no_open_drawer" });
    const named = await pay("cashier", {
      account_id: account,
      amount_cents: 100,
      tender: { type: "check", check_number: "12" },
      drawer_id: cashierDrawer,
    });
    expect(named.statusCode).toBe(422);
    expect(named.json()).toMatchObject({ rule: "payments.drawer_closed", errors: [{ field: "drawer_id" }] });
    expect(await drawerCounts()).toEqual(before);
    expect((await read(t, "/api/v1/drawers/current", "cashier")).statusCode).toBe(404);
  });

  it("a supervisor closes another cashier's drawer; an over drawer credits cash over and short", async () => {
    const lead = (await read(t, "/api/v1/drawers/current", "lead")).json();
    await pay("lead", { account_id: other, amount_cents: 2_000, tender: { type: "cash" } });
    const res = await close("supervisor", lead.id, { note: "customer left without change" });
    expect(res.statusCode).toBe(400); // counts left out
    const ok = await close("supervisor", lead.id, counts(2_100, 0, 0, { note: "customer left without change" }));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      status: "closed",
      closed_by: "t-supervisor",
      over_short_cents: 100,
      deposit_cents: 2_100,
    });
    expect(await postingsOf(ok.json().close_entry_id)).toEqual([
      ["1010", 100n],
      ["6200", -100n],
      ["1020", 2_100n],
      ["1010", -2_100n],
    ]);
    expect(await drawerNet(lead.id, "1010")).toBe(0n);
  });

  it("a balanced drawer needs no note, and counts of checks and money orders are kept", async () => {
    const d = (await open("cashier", 5_000, "Counter 3")).json();
    await pay("cashier", { account_id: account, amount_cents: 900, tender: { type: "check", check_number: "300" } });
    const res = await close("cashier", d.id, {
      counts: {
        cash: { counted_cents: 5_000 },
        check: { counted_cents: 900, count: 1 },
        money_order: { counted_cents: 0, count: 0 },
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ over_short_cents: 0, deposit_cents: 900, close_note: null });
    expect(res.json().counts[1]).toMatchObject({ tender_type: "check", expected_count: 1, counted_count: 1 });
    expect(await drawerNet(d.id, "1010")).toBe(0n);
  });
});

describe("sign-off and the list", () => {
  it("a supervisor signs off a closed drawer with a note; not an open one, not twice, not their own", async () => {
    expect((await signOff("cashier", cashierDrawer)).statusCode).toBe(403);
    const supervisorsOwn = (await read(t, "/api/v1/drawers/current", "supervisor")).json();
    const own = await signOff("supervisor", supervisorsOwn.id);
    expect(own.statusCode).toBe(422);
    expect(own.json()).toMatchObject({ rule: "drawers.not_closed", errors: [{ field: "id" }] });
    await close("supervisor", supervisorsOwn.id, counts(2_500, 0, 0));
    expect((await signOff("supervisor", supervisorsOwn.id)).json()).toMatchObject({ rule: "drawers.own_drawer" });

    const res = await signOff("supervisor", cashierDrawer, { note: "short $5: recounted, confirmed" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: "signed_off",
      signed_off_by: "t-supervisor",
      sign_off_note: "short $5: recounted, confirmed",
      signed_off_at: "2026-03-02T17:00:00.000Z",
      over_short_cents: -500,
    });
    const twice = await signOff("supervisor", cashierDrawer);
    expect(twice.statusCode).toBe(422);
    expect(twice.json()).toMatchObject({ rule: "drawers.already_signed_off" });
    expect((await signOff("supervisor", 99_999)).statusCode).toBe(404);
  });

  it("lists every drawer for a supervisor, by status and date; a cashier sees their own", async () => {
    const all = (await read(t, "/api/v1/drawers?date=2026-03-02", "supervisor")).json().drawers;
    expect(all.length).toBe(4);
    expect(new Set(all.map((d: { cashier: string }) => d.cashier))).toEqual(
      new Set(["t-cashier", "t-lead", "t-supervisor"]),
    );
    const closed = (await read(t, "/api/v1/drawers?status=closed", "supervisor")).json().drawers;
    expect(closed.every((d: { status: string }) => d.status === "closed")).toBe(true);
    expect(closed.length).toBe(3);
    expect(closed.find((d: { cashier: string }) => d.cashier === "t-lead")).toMatchObject({
      over_short_cents: 100,
      expected_cents: 2_000,
    });
    expect((await read(t, "/api/v1/drawers?date=2026-03-01", "supervisor")).json().drawers).toEqual([]);
    const mine = (await read(t, "/api/v1/drawers", "cashier")).json().drawers;
    expect(mine.map((d: { cashier: string }) => d.cashier)).toEqual(["t-cashier", "t-cashier"]);
    expect((await read(t, `/api/v1/drawers/${cashierDrawer}`, "lead")).statusCode).toBe(403);
    expect((await read(t, `/api/v1/drawers/${cashierDrawer}`, "supervisor")).statusCode).toBe(200);
    expect((await read(t, "/api/v1/drawers?date=2026-3-2", "supervisor")).statusCode).toBe(400);
  });
});

describe("bad input to open", () => {
  it("refuses a float that is not whole cents or a location left out, naming the field, moving nothing", async () => {
    const before = await drawerCounts();
    const cases: [unknown, string][] = [
      [{ location: "Counter 9", float_cents: 123.45 }, "float_cents"],
      [{ location: "Counter 9", float_cents: 12.345 }, "float_cents"],
      [{ location: "Counter 9", float_cents: "100.00" }, "float_cents"],
      [{ location: "Counter 9", float_cents: -100 }, "float_cents"],
      [{ location: "Counter 9" }, "float_cents"],
      [{ location: "  ", float_cents: 100 }, "location"],
      [{ float_cents: 100 }, "location"],
      [{ location: "Counter 9", float_cents: 100, cashier: "someone" }, "cashier"],
    ];
    for (const [body, field] of cases) {
      const res = await send(t, "/api/v1/drawers", body, { role: "cashier" });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await drawerCounts()).toEqual(before);
  });
});

describe("a close racing payments", () => {
  it("counts every payment that got into the drawer, refuses the rest, and the drawer nets to zero", async () => {
    const d = (await open("cashier", 1_000, "Counter 5")).json();
    const payer = await newAccount(t);
    // The close is sent among the payments: some are in before it, some come after.
    const paying = (i: number) =>
      pay("cashier", { account_id: payer, amount_cents: 100 + i, tender: { type: "cash" } });
    const racing = await Promise.all([
      ...[0, 1, 2, 3].map(paying),
      close("cashier", d.id, counts(1_000, 0, 0, { note: "closed while payments came in" })),
      ...[4, 5, 6, 7].map(paying),
    ]);
    const [closed] = racing.splice(4, 1) as [(typeof racing)[number]];
    expect(closed.statusCode).toBe(200);
    const taken = racing.filter((r) => r.statusCode === 201).map((r) => r.json());
    for (const r of racing.filter((x) => x.statusCode !== 201)) {
      expect(r.json()).toMatchObject({ rule: "payments.no_open_drawer" });
    }
    const cash = taken.reduce((sum, p) => sum + p.total_cents, 0);
    expect(closed.json().counts[0]).toMatchObject({ tender_type: "cash", expected_cents: 1_000 + cash });
    expect(taken.every((p) => p.tenders[0].gl_account === "1010")).toBe(true);
    expect((await read(t, `/api/v1/drawers/${d.id}`, "cashier")).json().payments).toHaveLength(taken.length);
    expect(await drawerNet(d.id, "1010")).toBe(0n);
  });
});

describe("a payment waiting on a drawer being closed", () => {
  it.runIf(process.env.DATABASE_URL)("finds it closed once the close commits, and is refused", async () => {
    const d = (await open("cashier", 0, "Counter 6")).json();
    const payer = await newAccount(t);
    const closing = await t.database.pool!.connect();
    try {
      await closing.query("BEGIN");
      await closing.query("SELECT id FROM cash_drawers WHERE id = $1 FOR UPDATE", [d.id]);
      const waiting = pay("cashier", { account_id: payer, amount_cents: 400, tender: { type: "cash" } });
      // The payment waits on the drawer's row lock.
      await expect
        .poll(async () => {
          const r = await closing.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          return r.rows[0].n;
        })
        .toBe(1);
      await closing.query(
        "UPDATE cash_drawers SET status = 'closed', over_short_cents = 0, deposit_cents = 0 WHERE id = $1",
        [d.id],
      );
      await closing.query("COMMIT");
      const res = await waiting;
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ rule: "payments.no_open_drawer" });
    } finally {
      closing.release();
    }
  });
});

describe("a payment reversed after its drawer closed", () => {
  it("leaves the drawer at zero once settled: the returned check comes back out of bank clearing", async () => {
    const d = (await open("cashier", 0, "Counter 7")).json();
    const payer = await newAccount(t);
    const p = (
      await pay("cashier", { account_id: payer, amount_cents: 900, tender: { type: "check", check_number: "77" } })
    ).json();
    expect((await close("cashier", d.id, counts(0, 900, 0))).statusCode).toBe(200);
    expect(await drawerNet(d.id, "1010")).toBe(0n);
    expect(await settleDrawerReversal(t.ctx, p.id)).toBeNull(); // nothing reversed yet
    // The reversal settles the drawer itself, in its own transaction.
    await reversePayment(t.ctx, p.id, { reason: "returned_check" });
    const [settled] = await t.database.rows<{ id: bigint }>(
      t.database.db,
      sql`SELECT id FROM journal_entries WHERE reference = ${`drawer:${d.id}:reversal:${p.id}`}`,
    );
    const entry = Number(settled!.id);
    expect(await postingsOf(entry!)).toEqual([
      ["1010", 900n],
      ["1020", -900n],
    ]);
    const [row] = await t.database.rows<{ net: bigint }>(
      t.database.db,
      sql`SELECT sum(amount_cents)::int8 AS net FROM journal_postings AS jp
          JOIN journal_entries AS e ON e.id = jp.entry_id
          WHERE jp.gl_account = '1010' AND (e.reference LIKE ${`drawer:${d.id}:%`} OR e.id IN (
            SELECT l.entry_id FROM payment_lines AS l WHERE l.payment_id = ${p.id}
            UNION SELECT l.reversal_entry_id FROM payment_lines AS l WHERE l.payment_id = ${p.id}))`,
    );
    expect(row!.net).toBe(0n);
  });
});

describe("the ledger", () => {
  it("stays balanced, and the drawers account is empty once every drawer is closed", async () => {
    const v = await verifyLedger(t.ctx);
    expect(v.violations).toEqual([]);
    expect(v.balanced).toBe(true);
    const [row] = await t.database.rows<{ drawers: bigint | null; fund: bigint | null }>(
      t.database.db,
      sql`SELECT (SELECT sum(amount_cents) FROM journal_postings WHERE gl_account = '1010')::int8 AS drawers,
                 (SELECT sum(amount_cents) FROM journal_postings WHERE gl_account = '1000')::int8 AS fund`,
    );
    expect(row).toEqual({ drawers: 0n, fund: 0n });
  });

  it("documents its routes in the OpenAPI document", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    for (const path of [
      "/api/v1/drawers",
      "/api/v1/drawers/current",
      "/api/v1/drawers/{id}",
      "/api/v1/drawers/{id}/close",
      "/api/v1/drawers/{id}/sign-off",
      "/api/v1/drawers/{id}/report.pdf",
      "/api/v1/drawers/{id}/deposit-slip.pdf",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
