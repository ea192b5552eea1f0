import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { runCommand } from "../../cli/commands.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { runCollections } from "../collections/index.js";
import { accountBalances, verifyLedger } from "../ledger/index.js";
import { captureIO } from "../ledger/test-fixtures.js";
import { insertReads } from "./read-fixtures.js";
import { runBills } from "./run.js";
import { runScheduledStops } from "./stop-service.js";

// Stopping service: the agreements end, the final read is keyed or estimated, the final bill is made at once through
// the stop date and the account closes; bad input changes nothing and names its field.
let t: TestApp;
let serial = 0;
const rows = <T>(query: ReturnType<typeof sql>) => t.database.rows<T>(t.database.db, query);
const at = (day: string) => t.clock.set(`${day}T18:00:00Z`);

beforeAll(async () => {
  t = await testApp({ now: "2026-01-02T18:00:00Z" });
  await seedDemoTariffs(t.ctx);
}, 120_000);
afterAll(async () => t?.close());

/** A customer on E-1 since 2026-01-02, read monthly at 12 kWh a day and billed through 2026-03-01. */
async function customer(cycle: string) {
  serial++;
  at("2026-01-02");
  const c = await newCustomer(t, {
    party: aPerson({ first_name: `Mover${serial}`, identity: { type: "ssn", number: `623-48-${1000 + serial}` } }),
    premise: aPremise({ address_line1: `${700 + serial} Moving Day Ct`, baseline_territory: "T" }),
    service_agreement: { tariff_code: "E-1", start_date: "2026-01-02" },
    account: { bill_cycle: cycle, notice_channel: "mail" },
  });
  const sa = c.service_agreement.id as number;
  await rows(
    sql`UPDATE meter_installations SET installed_on = '2026-01-02'
        WHERE service_point_id = (SELECT service_point_id FROM service_agreements WHERE id = ${sa})`,
  );
  await insertReads(t.database, sa, [
    { on: "2026-01-02" },
    { on: "2026-01-31", kwh: "348" },
    { on: "2026-03-01", kwh: "348" },
  ]);
  const [meter] = await rows<{ meter_number: string }>(
    sql`SELECT m.meter_number FROM meters AS m JOIN meter_installations AS mi ON mi.meter_id = m.id
        JOIN service_agreements AS sa ON sa.service_point_id = mi.service_point_id WHERE sa.id = ${sa}`,
  );
  return { id: c.account.id as number, number: c.account.account_number as string, sa, meter: meter!.meter_number };
}

let keys = 0;
async function stop(accountId: number, body: unknown, key = `stop-service-test-${++keys}`) {
  return t.app.inject({
    method: "POST",
    url: `/api/v1/accounts/${accountId}/stop-service`,
    headers: { ...(await t.as("csr")), "idempotency-key": key },
    payload: body as Record<string, unknown>,
  });
}

async function stateOf(c: { id: number; sa: number }) {
  const [row] = await rows<{ status: string; closed_on: string | null; sa_status: string; end_date: string | null }>(
    sql`SELECT a.status, a.closed_on::text AS closed_on, sa.status AS sa_status, sa.end_date::text AS end_date
        FROM accounts AS a JOIN service_agreements AS sa ON sa.account_id = a.id WHERE sa.id = ${c.sa}`,
  );
  const [bills] = await rows<{ n: number }>(sql`SELECT count(*)::int4 AS n FROM bills WHERE account_id = ${c.id}`);
  return { ...row!, bills: bills!.n };
}

describe("stopping service", () => {
  const mover = { id: 0, number: "", sa: 0, meter: "" };

  beforeAll(async () => {
    Object.assign(mover, await customer("07"));
    for (const day of ["2026-02-01", "2026-03-02"]) {
      at(day);
      await runBills(t.ctx, { cycle: "07", bill_date: day });
    }
  }, 120_000);

  it("refuses bad input naming the field, and changes nothing", async () => {
    at("2026-03-20");
    const before = await stateOf(mover);
    const future = await stop(mover.id, { stop_on: "2026-06-19" });
    expect(future.statusCode).toBe(400);
    expect(future.json().errors).toEqual([{ field: "stop_on", message: "no more than 90 days after today" }]);
    const billed = await stop(mover.id, { stop_on: "2026-02-15" });
    expect(billed.statusCode).toBe(400);
    expect(billed.json().errors).toEqual([
      { field: "stop_on", message: "on or after 2026-03-01, the last day already billed" },
    ]);
    const stranger = await stop(mover.id, { stop_on: "2026-03-18", reads: [{ meter_number: "NOPE-1", reading: "1" }] });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().errors).toEqual([
      { field: "reads.0.meter_number", message: "meter NOPE-1 is not on this account's service" },
    ]);
    const garbled = await stop(mover.id, {
      stop_on: "2026-03-18",
      reads: [{ meter_number: mover.meter, reading: "x" }],
    });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json().errors[0].field).toBe("reads.0.reading");
    expect(await stateOf(mover)).toEqual(before);
  });

  it("ends the agreement, keys the final read, bills through the stop date at once and closes the account", async () => {
    at("2026-03-20");
    const owedBefore = (await accountBalances(t.ctx, mover.id)).balance_cents;
    // 17 days at 12 kWh since the read of 2026-03-01: the customer reads 10,900 on the meter.
    const res = await stop(mover.id, {
      stop_on: "2026-03-18",
      reads: [{ meter_number: mover.meter, reading: "10900" }],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.reads).toEqual([
      {
        meter_number: mover.meter,
        read_on: "2026-03-18",
        reading: "10900",
        kind: "customer",
        status: "valid",
        note: null,
      },
    ]);
    expect(body.final_bill).toMatchObject({ status: "issued" });
    expect(body.explanation).toBe(
      `Service stopped on 2026-03-18 and account ${mover.number} closed; final bill ${body.final_bill.id} of ` +
        `$${(body.final_bill.total_cents / 100).toFixed(2)} is due ${body.final_bill.due_date} ` +
        `($${(body.final_bill.amount_due_cents / 100).toFixed(2)} due in all).`,
    );
    const [bill] = await rows<{ period_from: string; period_to: string; kwh: string }>(
      sql`SELECT min(s.period_from)::text AS period_from, max(s.period_to)::text AS period_to, sum(s.kwh)::text AS kwh
          FROM bill_segments AS s WHERE s.bill_id = ${body.final_bill.id}`,
    );
    expect(bill).toMatchObject({ period_from: "2026-03-02", period_to: "2026-03-18" });
    expect(Number(bill!.kwh)).toBe(204);
    expect(await stateOf(mover)).toMatchObject({
      status: "closed",
      closed_on: "2026-03-20",
      sa_status: "stopped",
      end_date: "2026-03-18",
    });
    const owedAfter = (await accountBalances(t.ctx, mover.id)).balance_cents;
    expect(owedAfter - owedBefore).toBe(BigInt(body.final_bill.total_cents));
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);

    // The same request again answers the same, and stops nothing twice; a new one is refused: the account is closed.
    const again = await stop(
      mover.id,
      { stop_on: "2026-03-18", reads: [{ meter_number: mover.meter, reading: "10900" }] },
      `stop-service-test-${keys}`,
    );
    expect(again.json()).toEqual(body);
    const closed = await stop(mover.id, { stop_on: "2026-03-19" });
    expect(closed.statusCode).toBe(422);
    expect(closed.json()).toMatchObject({ rule: "service.stop.not_active", errors: [{ field: "account_id" }] });
    // The next cycle run does not bill the stopped agreement again.
    at("2026-04-01");
    await runBills(t.ctx, { cycle: "07", bill_date: "2026-04-01" });
    expect((await stateOf(mover)).bills).toBe(3);
    // Unpaid, the closed account's balance goes through the closed-account steps from the final bill's due date.
    const noticeDay = Temporal.PlainDate.from(body.final_bill.due_date).add({ days: 5 }).toString();
    at(noticeDay);
    await runCollections(t.ctx);
    const events = await rows<{ kind: string; on_date: string }>(
      sql`SELECT kind, on_date::text AS on_date FROM collection_events WHERE account_id = ${mover.id}`,
    );
    expect(events).toEqual([{ kind: "closed_notice", on_date: noticeDay }]);
  });

  it("estimates the final read when the CSR has none, from the meter's history", async () => {
    const quiet = await customer("08");
    for (const day of ["2026-02-01", "2026-03-02"]) {
      at(day);
      await runBills(t.ctx, { cycle: "08", bill_date: day });
    }
    at("2026-03-12");
    const res = await stop(quiet.id, { stop_on: "2026-03-11" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.reads).toHaveLength(1);
    expect(body.reads[0]).toMatchObject({ meter_number: quiet.meter, read_on: "2026-03-11", kind: "estimated" });
    // Ten days at the history's 12 kWh a day on top of the 2026-03-01 read of 10,696.
    expect(Number(body.reads[0].reading)).toBeCloseTo(10_816, -1);
    expect(body.final_bill).toMatchObject({ status: "issued" });
    expect(await stateOf(quiet)).toMatchObject({ status: "closed", sa_status: "stopped", end_date: "2026-03-11" });
  });
});

describe("a stop scheduled ahead", () => {
  it("keeps service until the day, can be cancelled, and the morning after makes the final bill and closes", async () => {
    const leaving = await customer("09");
    for (const day of ["2026-02-01", "2026-03-02"]) {
      at(day);
      await runBills(t.ctx, { cycle: "09", bill_date: day });
    }
    at("2026-03-20");
    const withRead = await stop(leaving.id, {
      stop_on: "2026-04-10",
      reads: [{ meter_number: leaving.meter, reading: "11000" }],
    });
    expect(withRead.json().errors).toEqual([
      { field: "reads", message: "a final reading is taken on the day: leave it out for a stop on 2026-04-10" },
    ]);
    const scheduled = await stop(leaving.id, { stop_on: "2026-04-10" });
    expect(scheduled.statusCode).toBe(200);
    expect(scheduled.json()).toMatchObject({ scheduled: true, final_bill: null, reads: [] });
    expect(scheduled.json().explanation).toBe(
      `Service at account ${leaving.number} will stop on 2026-04-10. The morning after, the final bill is made ` +
        "through that day (from the read on file for it, else an estimate) and the account closes.",
    );
    expect(await stateOf(leaving)).toMatchObject({ status: "active", sa_status: "active", end_date: "2026-04-10" });

    // The customer stays after all: the stop is cancelled; once only.
    const cancel = async () =>
      t.app.inject({
        method: "DELETE",
        url: `/api/v1/accounts/${leaving.id}/stop-service`,
        headers: await t.as("csr"),
      });
    const cancelled = await cancel();
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().explanation).toBe(
      `The stop of 2026-04-10 is cancelled: service at account ${leaving.number} continues.`,
    );
    expect(await stateOf(leaving)).toMatchObject({ sa_status: "active", end_date: null });
    const none = await cancel();
    expect(none.statusCode).toBe(422);
    expect(none.json()).toMatchObject({ rule: "service.stop.none_scheduled" });

    // Then moves after all, on 2026-04-10: nothing happens on the day itself; the morning after bills and closes.
    expect((await stop(leaving.id, { stop_on: "2026-04-10" })).statusCode).toBe(200);
    at("2026-04-10");
    expect(await runScheduledStops(t.ctx)).toMatchObject({ accounts: 0 });
    at("2026-04-11");
    expect(await runScheduledStops(t.ctx)).toEqual({
      as_of: "2026-04-11",
      accounts: 1,
      estimated_reads: 1,
      final_bills: 1,
      held_bills: 0,
      no_bill: 0,
    });
    expect(await stateOf(leaving)).toMatchObject({
      status: "closed",
      closed_on: "2026-04-11",
      sa_status: "stopped",
      end_date: "2026-04-10",
      bills: 3,
    });
    const [last] = await rows<{ period_to: string; kind: string }>(
      sql`SELECT s.period_to::text AS period_to, r.kind FROM bill_segments AS s
          JOIN bills AS b ON b.id = s.bill_id
          JOIN meter_reads AS r ON r.read_on = s.period_to AND r.service_point_id = (
            SELECT service_point_id FROM service_agreements WHERE id = ${leaving.sa})
          WHERE b.account_id = ${leaving.id} ORDER BY b.id DESC LIMIT 1`,
    );
    expect(last).toEqual({ period_to: "2026-04-10", kind: "estimated" });
    expect(await runScheduledStops(t.ctx)).toMatchObject({ accounts: 0 });
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);

    // The command line runs the same: JSON on stdout, a line for people on stderr; a day to come is refused.
    const io = captureIO();
    expect(await runCommand(t.ctx, "service-stops run", {}, io)).toBe(0);
    expect(JSON.parse(io.text().out)).toMatchObject({ as_of: "2026-04-11", accounts: 0 });
    expect(io.text().err).toMatch(/^scheduled stops 2026-04-11: 0 accounts stopped and closed, 0 final bills/);
    const future = captureIO();
    expect(await runCommand(t.ctx, "service-stops run", { date: "2026-04-12" }, future)).toBe(1);
    expect(future.text().err).toMatch(/date: a date YYYY-MM-DD, not after today/);
  });
});
