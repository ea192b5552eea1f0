import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { postCharge } from "../ledger/index.js";
import { completeOrder, listOrders, openOrders } from "../orders/index.js";
import { runCollections } from "./daily.js";

// The collector's worklist says each account's next step and its first day; the heat forecasts keyed by a supervisor
// are listed back with the policy's threshold; the field sees completed orders newest first.
let t: TestApp;
let accountId = 0;

beforeAll(async () => {
  t = await testApp({ now: "2026-01-01T18:00:00Z" });
  const made = await newCustomer(t, {
    party: aPerson({ first_name: "Worklist", identity: { type: "ssn", number: "123-45-6611" } }),
    premise: aPremise({ address_line1: "61 Ranking Row", baseline_territory: "S" }),
    service_agreement: { tariff_code: "E-1", start_date: "2025-12-01" },
  });
  accountId = made.account.id as number;
  await postCharge(t.ctx, {
    account_id: accountId,
    category: "energy",
    amount_cents: 12_000n,
    due_date: "2026-01-20",
    service_period: { from: "2025-12-01", to: "2025-12-31" },
    reference: `bill:worklist:${accountId}`,
  });
}, 120_000);
afterAll(async () => t?.close());

describe("the collector's worklist", () => {
  it("gives each account its next step and the first day it may come", async () => {
    for (const day of ["2026-01-23", "2026-01-27"]) {
      t.clock.set(`${day}T18:00:00Z`);
      await runCollections(t.ctx);
    }
    const res = await t.app.inject({
      method: "GET",
      url: "/api/v1/collections/worklist?step=notice",
      headers: await t.as("collector"),
    });
    expect(res.statusCode).toBe(200);
    const entry = res.json().entries.find((e: { account_id: number }) => e.account_id === accountId);
    // The notice of 01-27 allows disconnection from 02-11 (5 days' mail, then 10); the final notice 48 hours before.
    expect(entry).toMatchObject({
      step: "notice",
      step_on: "2026-01-27",
      past_due_cents: 12_000,
      disconnect_from: "2026-02-11",
      next: { step: "final_notice", on: "2026-02-09" },
    });
  });
});

describe("heat forecasts on file", () => {
  it("lists what was keyed from today on, with the policy's threshold", async () => {
    const headers = await t.as("supervisor");
    const put = await t.app.inject({
      method: "PUT",
      url: "/api/v1/heat-forecasts",
      headers,
      payload: {
        forecasts: [
          { territory: "S", forecast_on: "2026-01-28", high_f: 101 },
          { territory: "P", forecast_on: "2026-01-26", high_f: 90 },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    const res = await t.app.inject({ method: "GET", url: "/api/v1/heat-forecasts", headers });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ as_of: "2026-01-27", threshold_f: 100, window_hours: 72, holds_disconnection: false });
    expect(body.forecasts).toEqual([
      {
        territory: "S",
        forecast_on: "2026-01-28",
        high_f: 101,
        source: "manual",
        entered_by: "t-supervisor",
        entered_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      },
    ]);
    const earlier = await t.app.inject({ method: "GET", url: "/api/v1/heat-forecasts?from=2026-01-01", headers });
    expect(earlier.json().forecasts.map((f: { territory: string }) => f.territory)).toEqual(["P", "S"]);
    const field = await t.app.inject({ method: "GET", url: "/api/v1/heat-forecasts", headers: await t.as("field") });
    expect(field.statusCode).toBe(403);
  });

  it("refuses a day that is not on the calendar, naming the field", async () => {
    const res = await t.app.inject({
      method: "PUT",
      url: "/api/v1/heat-forecasts",
      headers: await t.as("supervisor"),
      payload: { forecasts: [{ territory: "S", forecast_on: "2026-02-30", high_f: 101 }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: "forecasts.0.forecast_on", message: "a date YYYY-MM-DD" }]);
  });
});

describe("the field worklist", () => {
  it("lists open orders by due date and completed ones newest first", async () => {
    const ids = await openOrders(t.ctx, "reconnect", "test", [
      { account_id: accountId, premise_id: null, reason: "first", due_on: "2026-01-29" },
    ]);
    const more = await openOrders(t.ctx, "reconnect", "test", [
      { account_id: accountId, premise_id: null, reason: "second", due_on: "2026-01-30" },
    ]);
    const first = ids.get(accountId)!;
    const second = more.get(accountId)!;
    const open = await listOrders(t.ctx, { kind: "reconnect" });
    expect(open.map((o) => o.id)).toEqual([first, second]);
    const bad = await t.app.inject({
      method: "POST",
      url: `/api/v1/service-orders/${first}/complete`,
      headers: await t.as("field"),
      payload: { version: 1, completed_on: "2026-02-30" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: "completed_on", message: "a date YYYY-MM-DD" }]);
    for (const id of [first, second]) await completeOrder(t.ctx, id, { version: 1 });
    const done = await listOrders(t.ctx, { status: "completed", kind: "reconnect" });
    expect(done.map((o) => o.id)).toEqual([second, first]);
  });
});
