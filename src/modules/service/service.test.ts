import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, counts } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const send = async (method: "POST" | "PATCH" | "GET", url: string, payload?: unknown, role = "csr") =>
  t.app.inject({ method, url, headers: await t.as(role), ...(payload ? { payload: payload as object } : {}) });

async function accountAndPoint() {
  const party = (await send("POST", "/api/v1/parties", aPerson({ identity: null }))).json();
  const account = (await send("POST", "/api/v1/accounts", { main_party_id: party.id, bill_cycle: "10" })).json();
  const premise = (await send("POST", "/api/v1/premises", aPremise())).json();
  const point = (await send("POST", `/api/v1/premises/${premise.id}/service-points`, {})).json();
  return { account, premise, point };
}

describe("service agreements", () => {
  it("starts, reads, changes and stops an agreement; one at a time per service point; stale edits get 409", async () => {
    const { account, premise, point } = await accountAndPoint();
    const res = await send("POST", "/api/v1/service-agreements", {
      account_id: account.id,
      service_point_id: point.id,
      tariff_code: "E-TOU-C",
      start_date: "2026-02-15",
    });
    expect(res.statusCode).toBe(201);
    const sa = res.json();
    expect(sa).toMatchObject({
      account_id: account.id,
      service_point_id: point.id,
      status: "active",
      end_date: null,
      version: 1,
    });
    const read = await send("GET", `/api/v1/service-agreements/${sa.id}`);
    expect(read.json()).toMatchObject({
      id: sa.id,
      premise: { id: premise.id },
      service_point: { id: point.id },
      meter: null,
    });

    const second = await accountAndPoint();
    const overlap = await send("POST", "/api/v1/service-agreements", {
      account_id: second.account.id,
      service_point_id: point.id,
      tariff_code: "E-1",
      start_date: "2026-04-01",
    });
    expect(overlap.statusCode).toBe(422);
    expect(overlap.json().rule).toBe("service_agreement.overlap");

    const needsEnd = await send("PATCH", `/api/v1/service-agreements/${sa.id}`, { version: 1, status: "stopped" });
    expect(needsEnd.statusCode).toBe(400);
    expect(needsEnd.json().errors[0].field).toBe("end_date");
    const stopped = await send("PATCH", `/api/v1/service-agreements/${sa.id}`, {
      version: 1,
      status: "stopped",
      end_date: "2026-03-31",
    });
    expect(stopped.json()).toMatchObject({ status: "stopped", end_date: "2026-03-31", version: 2 });
    const stale = await send("PATCH", `/api/v1/service-agreements/${sa.id}`, { version: 1, tariff_code: "E-1" });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current).toMatchObject({ version: 2, tariff_code: "E-TOU-C" });
    const reopen = await send("PATCH", `/api/v1/service-agreements/${sa.id}`, { version: 2, status: "active" });
    expect(reopen.json().rule).toBe("service_agreement.status");

    // The next customer moves in the day after: a future start is pending.
    const movedIn = await send("POST", "/api/v1/service-agreements", {
      account_id: second.account.id,
      service_point_id: point.id,
      tariff_code: "E-1",
      start_date: "2026-04-01",
    });
    expect(movedIn.statusCode).toBe(201);
    expect(movedIn.json().status).toBe("pending");
  });

  it("refuses bad input naming the field, unknown ids with 404 and closed accounts with 422, changing nothing", async () => {
    const { account, point } = await accountAndPoint();
    const good = { account_id: account.id, service_point_id: point.id, tariff_code: "E-1", start_date: "2026-03-01" };
    const before = await counts(t);
    for (const [payload, field, status] of [
      [{ ...good, tariff_code: "e 1" }, "tariff_code", 400],
      [{ ...good, start_date: "03/01/2026" }, "start_date", 400],
      [{ ...good, end_date: "2026-02-01" }, "end_date", 400],
      [{ ...good, status: "open" }, "status", 400],
      [{ ...good, account_id: undefined }, "account_id", 400],
      [{ ...good, account_id: 999999 }, "account_id", 404],
      [{ ...good, service_point_id: 999999 }, "service_point_id", 404],
    ] as const) {
      const res = await send("POST", "/api/v1/service-agreements", payload);
      expect(res.statusCode, field).toBe(status);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    expect((await send("PATCH", "/api/v1/service-agreements/999999", { version: 1 })).statusCode).toBe(404);
    expect((await send("GET", "/api/v1/service-agreements/999999")).statusCode).toBe(404);
    expect(await counts(t)).toEqual(before);
    await send("PATCH", `/api/v1/accounts/${account.id}`, { version: 1, status: "closed" });
    const closed = await send("POST", "/api/v1/service-agreements", good);
    expect(closed.statusCode).toBe(422);
    expect(closed.json().rule).toBe("account.closed");
  });
});
