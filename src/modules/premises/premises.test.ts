import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aMeter, aPremise, counts } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const send = async (method: "POST" | "PATCH" | "GET", url: string, payload?: unknown, role = "csr") =>
  t.app.inject({ method, url, headers: await t.as(role), ...(payload ? { payload: payload as object } : {}) });

describe("premises and service points", () => {
  it("creates, reads and edits a premise with the version read; adds service points", async () => {
    const res = await send("POST", "/api/v1/premises", aPremise({ address_line2: "Apt 4" }));
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({
      state: "CA",
      baseline_territory: "S",
      climate_zone: 12,
      address_line2: "Apt 4",
      version: 1,
    });
    const sp = await send("POST", `/api/v1/premises/${p.id}/service-points`, { description: "Main panel" });
    expect(sp.statusCode).toBe(201);
    expect(sp.json()).toMatchObject({ premise_id: p.id, kind: "electric", description: "Main panel", meter: null });
    const read = await send("GET", `/api/v1/premises/${p.id}`);
    expect(read.json().service_points).toHaveLength(1);
    const edited = await send("PATCH", `/api/v1/premises/${p.id}`, {
      version: 1,
      address_line2: null,
      climate_zone: 11,
    });
    expect(edited.json()).toMatchObject({ address_line2: null, climate_zone: 11, version: 2 });
    const before = await counts(t);
    const stale = await send("PATCH", `/api/v1/premises/${p.id}`, { version: 1, city: "Davis" });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current.version).toBe(2);
    for (const [payload, field] of [
      [aPremise({ zip: "9581" }), "zip"],
      [aPremise({ baseline_territory: "A" }), "baseline_territory"],
      [aPremise({ climate_zone: 17 }), "climate_zone"],
      [aPremise({ address_line1: "" }), "address_line1"],
      [aPremise({ tax_jurisdiction: "x".repeat(101) }), "tax_jurisdiction"],
      [{ ...aPremise(), city: undefined }, "city"],
    ] as const) {
      const bad = await send("POST", "/api/v1/premises", payload);
      expect(bad.statusCode, field).toBe(400);
      expect(bad.json().errors[0].field).toBe(field);
    }
    expect((await send("POST", "/api/v1/premises/999999/service-points", {})).statusCode).toBe(404);
    expect((await send("GET", "/api/v1/premises/999999")).statusCode).toBe(404);
    expect(await counts(t)).toEqual(before);
  });
});

describe("meters", () => {
  it("creates a meter with registers, installs, removes and reinstalls it, keeping the history", async () => {
    const premise = (await send("POST", "/api/v1/premises", aPremise())).json();
    const sp1 = (await send("POST", `/api/v1/premises/${premise.id}/service-points`, {})).json();
    const sp2 = (await send("POST", `/api/v1/premises/${premise.id}/service-points`, { description: "Barn" })).json();
    const made = await send(
      "POST",
      "/api/v1/meters",
      aMeter({
        meter_number: "ITR-1001",
        kind: "register",
        multiplier: 40,
        manufacturer: "Itron",
        registers: [
          { unit: "kWh", dials: 5, tou_period: "peak" },
          { unit: "kWh", dials: 5, tou_period: "off_peak" },
          { unit: "kW", dials: 3 },
        ],
      }),
    );
    expect(made.statusCode).toBe(201);
    const m = made.json();
    expect(m).toMatchObject({
      meter_number: "ITR-1001",
      multiplier: "40",
      installed_at: null,
      history: [],
      version: 1,
    });
    expect(m.registers.map((r: { unit: string }) => r.unit)).toEqual(["kWh", "kWh", "kW"]);

    const installed = await send("POST", `/api/v1/meters/${m.id}/install`, {
      version: 1,
      service_point_id: sp1.id,
      installed_on: "2026-01-15",
    });
    expect(installed.statusCode).toBe(200);
    expect(installed.json()).toMatchObject({
      installed_at: { service_point_id: sp1.id, premise_id: premise.id, installed_on: "2026-01-15" },
      version: 2,
    });
    const stale = await send("POST", `/api/v1/meters/${m.id}/remove`, { version: 1 });
    expect(stale.statusCode).toBe(409);
    const twice = await send("POST", `/api/v1/meters/${m.id}/install`, { version: 2, service_point_id: sp2.id });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().rule).toBe("meter.already_installed");
    const other = (await send("POST", "/api/v1/meters", aMeter())).json();
    const occupied = await send("POST", `/api/v1/meters/${other.id}/install`, { version: 1, service_point_id: sp1.id });
    expect(occupied.json().rule).toBe("service_point.has_meter");
    const early = await send("POST", `/api/v1/meters/${m.id}/remove`, { version: 2, removed_on: "2026-01-01" });
    expect(early.json().errors[0].field).toBe("removed_on");
    const removed = await send("POST", `/api/v1/meters/${m.id}/remove`, { version: 2, removed_on: "2026-02-01" });
    expect(removed.json()).toMatchObject({ installed_at: null, version: 3 });
    const back = await send("POST", `/api/v1/meters/${m.id}/install`, {
      version: 3,
      service_point_id: sp2.id,
      installed_on: "2026-02-01",
    });
    expect(back.statusCode).toBe(200);
    const read = (await send("GET", `/api/v1/meters/${m.id}`)).json();
    expect(read.history).toEqual([
      { service_point_id: sp2.id, premise_id: premise.id, installed_on: "2026-02-01", removed_on: null },
      { service_point_id: sp1.id, premise_id: premise.id, installed_on: "2026-01-15", removed_on: "2026-02-01" },
    ]);
    const points = (await send("GET", `/api/v1/premises/${premise.id}/service-points`)).json().service_points;
    expect(points.map((p: { meter: { meter_number: string } | null }) => p.meter?.meter_number ?? null)).toEqual([
      null,
      "ITR-1001",
    ]);
    const edited = await send("PATCH", `/api/v1/meters/${m.id}`, { version: 4, multiplier: "0.5" });
    expect(edited.json()).toMatchObject({ multiplier: "0.5", version: 5 });
  });

  it("refuses bad meters naming the field, a duplicate number with 409, and changes nothing", async () => {
    await send("POST", "/api/v1/meters", aMeter({ meter_number: "DUP-1" }));
    const before = await counts(t);
    for (const [payload, field, status] of [
      [aMeter({ meter_number: "DUP-1" }), "meter_number", 409],
      [aMeter({ meter_number: "bad number" }), "meter_number", 400],
      [aMeter({ kind: "interval" }), "interval_minutes", 400],
      [aMeter({ kind: "register", interval_minutes: 15 }), "interval_minutes", 400],
      [aMeter({ registers: [] }), "registers", 400],
      [aMeter({ registers: [{ unit: "kWh", dials: 12 }] }), "registers.0.dials", 400],
      [aMeter({ registers: [{ unit: "BTU", dials: 5 }] }), "registers.0.unit", 400],
      [aMeter({ multiplier: -1 }), "multiplier", 400],
      [aMeter({ multiplier: "0" }), "multiplier", 400],
    ] as const) {
      const res = await send("POST", "/api/v1/meters", payload);
      expect(res.statusCode, field).toBe(status);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    const meter = (await send("POST", "/api/v1/meters", aMeter())).json();
    const after = await counts(t);
    const unknownSp = await send("POST", `/api/v1/meters/${meter.id}/install`, {
      version: 1,
      service_point_id: 999999,
    });
    expect(unknownSp.statusCode).toBe(404);
    expect(unknownSp.json().errors[0].field).toBe("service_point_id");
    const future = await send("POST", `/api/v1/meters/${meter.id}/install`, {
      version: 1,
      service_point_id: 1,
      installed_on: "2026-03-03",
    });
    expect(future.json().errors[0].field).toBe("installed_on");
    expect((await send("POST", "/api/v1/meters/999999/remove", { version: 1 })).statusCode).toBe(404);
    expect(await counts(t)).toEqual(after);
    expect(after.meters).toBe(before.meters! + 1);
  });
});
