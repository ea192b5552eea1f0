import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const send = async (method: "POST" | "PATCH" | "GET", url: string, payload?: unknown, role = "csr") =>
  t.app.inject({
    method,
    url,
    headers: await t.as(role),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

describe("a customer's accounts", () => {
  it("lists every account the customer is on, open first, with role and service address as search shows it", async () => {
    // Served at 1200 J St (the premise of the active agreement).
    const served = await newCustomer(t, { party: aPerson({ first_name: "Wanda", identity: null }) });
    const partyId = served.party.id;
    // No service, an address of its own.
    const own = (
      await send("POST", "/api/v1/accounts", {
        main_party_id: partyId,
        bill_cycle: "03",
        customer_class: "commercial",
        opened_on: "2026-02-01",
        mailing_address: { line1: "PO Box 77", city: "Davis", state: "CA", zip: "95616" },
      })
    ).json();
    // Someone else's account, with Wanda as co-applicant: no service, so the main customer's mailing address.
    const other = await send(
      "POST",
      "/api/v1/parties",
      aPerson({
        first_name: "Vic",
        last_name: "Ortiz",
        identity: null,
        mailing_address: { line1: "9 Elm Ct", line2: "Apt 4", city: "Chico", state: "CA", zip: "95926" },
      }),
    );
    const shared = (
      await send("POST", "/api/v1/accounts", {
        main_party_id: other.json().id,
        co_applicant_ids: [partyId],
        bill_cycle: "05",
        opened_on: "2025-06-01",
      })
    ).json();
    // A closed account comes last, however recent.
    const closed = (
      await send("POST", "/api/v1/accounts", { main_party_id: partyId, bill_cycle: "09", opened_on: "2026-03-01" })
    ).json();
    await send("PATCH", `/api/v1/accounts/${closed.id}`, { version: 1, status: "closed" });

    const res = await send("GET", `/api/v1/parties/${partyId}/accounts`);
    expect(res.statusCode).toBe(200);
    const list = res.json().accounts as Record<string, unknown>[];
    expect(list.map((a) => a.id)).toEqual([served.account.id, own.id, shared.id, closed.id]);
    expect(Object.keys(list[0]!).sort()).toEqual([
      "account_id",
      "account_number",
      "closed_on",
      "customer_class",
      "id",
      "opened_on",
      "role",
      "service_address",
      "status",
    ]);
    expect(list[0]).toMatchObject({
      account_number: served.account.account_number,
      status: "active",
      customer_class: "residential",
      role: "main",
      service_address: "1200 J St, Sacramento, CA 95814",
    });
    expect(list[1]).toMatchObject({
      customer_class: "commercial",
      role: "main",
      service_address: "PO Box 77, Davis, CA 95616",
    });
    expect(list[2]).toMatchObject({ role: "co_applicant", service_address: "9 Elm Ct, Apt 4, Chico, CA 95926" });
    expect(list[3]).toMatchObject({ status: "closed", closed_on: "2026-03-02", role: "main" });

    // The same address search gives for the served account.
    const found = (await send("GET", `/api/v1/search?q=${served.account.account_number}`)).json().results;
    expect(found[0].service_address).toBe(list[0]!.service_address);

    // Read-only access to accounts is enough (a field user, a bearer token).
    expect((await send("GET", `/api/v1/parties/${partyId}/accounts`, undefined, "field")).statusCode).toBe(200);
    const byToken = await t.app.inject({
      method: "GET",
      url: `/api/v1/parties/${other.json().id}/accounts`,
      headers: await t.bearer("trainee"),
    });
    expect(byToken.json().accounts).toEqual([expect.objectContaining({ id: shared.id, role: "main" })]);
  });

  it("answers an empty list for a customer on no account", async () => {
    const loner = (await send("POST", "/api/v1/parties", aPerson({ first_name: "Lone", identity: null }))).json();
    const res = await send("GET", `/api/v1/parties/${loner.id}/accounts`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accounts: [] });
  });

  it("refuses an unknown customer (404), a bad id (400), a user without roles (403) and no caller (401)", async () => {
    const unknown = await send("GET", "/api/v1/parties/999999/accounts");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers["content-type"]).toContain("application/problem+json");
    expect(unknown.json().errors[0].field).toBe("id");
    const bad = await send("GET", "/api/v1/parties/abc/accounts");
    expect(bad.statusCode).toBe(400);
    const someone = await newCustomer(t, { party: aPerson({ first_name: "Nell", identity: null }) });
    const roleless = await send("GET", `/api/v1/parties/${someone.party.id}/accounts`, undefined, "nobody");
    expect(roleless.statusCode).toBe(403);
    expect(roleless.json().permission).toBe("accounts.read");
    expect(
      (await t.app.inject({ method: "GET", url: `/api/v1/parties/${someone.party.id}/accounts` })).statusCode,
    ).toBe(401);
  });

  it("is in the API document", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    expect(doc.paths["/api/v1/parties/{id}/accounts"].get).toBeDefined();
  });
});
