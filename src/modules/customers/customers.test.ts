import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aMeter, aPerson, aPremise, counts, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { isValidAccountNumber } from "../../core/account-number.js";

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

describe("the new-customer flow", () => {
  it("creates party, account, premise, service point, meter and agreement in one request", async () => {
    const c = await newCustomer(t, {
      party: aPerson({ first_name: "Iris", identity: { type: "ssn", number: "321-54-9876" } }),
      meter: aMeter({ meter_number: "NC-0001" }),
    });
    expect(isValidAccountNumber(c.account.account_number)).toBe(true);
    expect(c.party).toMatchObject({ display_name: "Lopez, Iris", identity_masked: "***-**-9876" });
    expect(c.premise).toMatchObject({ address_line1: "1200 J St", baseline_territory: "S" });
    expect(c.service_point).toMatchObject({ premise_id: c.premise.id });
    expect(c.meter.installed_at).toMatchObject({ service_point_id: c.service_point.id, installed_on: "2026-03-02" });
    expect(c.service_agreement).toMatchObject({ account_id: c.account.id, tariff_code: "E-1", status: "active" });
    expect(c.account.service_agreements[0].meter.meter_number).toBe("NC-0001");
    expect(c.possible_duplicate_ids).toEqual([]);
  });

  it("adds an account for an existing party at an existing service point", async () => {
    const first = await newCustomer(t, { party: aPerson({ first_name: "Tom", identity: null }) });
    await send("PATCH", `/api/v1/service-agreements/${first.service_agreement.id}`, {
      version: 1,
      status: "stopped",
      end_date: "2026-03-10",
    });
    const res = await send("POST", "/api/v1/customers", {
      party_id: first.party.id,
      account: { bill_cycle: "07" },
      service_point_id: first.service_point.id,
      service_agreement: { tariff_code: "E-TOU-C", start_date: "2026-03-11" },
    });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c.party.id).toBe(first.party.id);
    expect(c.account.id).not.toBe(first.account.id);
    expect(c.service_agreement).toMatchObject({ status: "pending", service_point_id: first.service_point.id });
    expect(c.account.service_agreements[0].meter.meter_number).toBe(first.meter.meter_number);
  });

  it("refuses bad input naming nested fields, and rolls back everything when a late step fails", async () => {
    await send("POST", "/api/v1/meters", aMeter({ meter_number: "TAKEN-1" }));
    const before = await counts(t);
    const cases: [Record<string, unknown>, string, number][] = [
      [{ party: aPerson({ last_name: 7 }) }, "party.last_name", 400],
      [{ party: undefined }, "party", 400],
      [{ party_id: 999999, party: undefined }, "party_id", 404],
      [{ account: { bill_cycle: "99" } }, "account.bill_cycle", 400],
      [{ premise: aPremise({ zip: "ABCDE" }) }, "premise.zip", 400],
      [{ premise: undefined, premise_id: 999999 }, "premise_id", 404],
      [{ meter: aMeter({ meter_number: "TAKEN-1" }) }, "meter.meter_number", 409],
      [{ service_agreement: { tariff_code: "E-1", start_date: "2026-02-30" } }, "service_agreement.start_date", 400],
      [
        { party: aPerson({ email: null }), account: { bill_cycle: "07", notice_channel: "email" } },
        "account.notice_channel",
        422,
      ],
    ];
    for (const [over, field, status] of cases) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/customers",
        headers: await t.as("csr"),
        payload: {
          party: aPerson(),
          account: { bill_cycle: "07" },
          premise: aPremise(),
          service_point: {},
          meter: aMeter(),
          service_agreement: { tariff_code: "E-1", start_date: "2026-03-02" },
          ...over,
        },
      });
      expect(res.statusCode, field).toBe(status);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    expect(await counts(t)).toEqual(before);
    const noRights = await send(
      "POST",
      "/api/v1/customers",
      { party: aPerson(), account: { bill_cycle: "07" } },
      "cashier",
    );
    expect(noRights.statusCode).toBe(403);
  });
});

describe("the account view", () => {
  it("shows account, customer (masked), co-applicants, agreements with premise and meter, enrolments and the last 10 contacts", async () => {
    const c = await newCustomer(t, {
      party: aPerson({ first_name: "Gloria", identity: { type: "ssn", number: "222-33-4444" } }),
    });
    const id = c.account.id;
    const co = (await send("POST", "/api/v1/parties", aPerson({ first_name: "Raul", identity: null }))).json();
    await send("PATCH", `/api/v1/accounts/${id}`, { version: 1, co_applicant_ids: [co.id] });
    await send("POST", `/api/v1/parties/${c.party.id}/flags`, {
      flag: "life_support",
      effective_from: "2026-01-01",
      recertify_by: "2027-01-01",
    });
    await send("POST", `/api/v1/accounts/${id}/enrolments`, {
      program: "care",
      effective_from: "2026-01-01",
      recertify_by: "2028-01-01",
    });
    for (let i = 0; i < 12; i++) {
      t.clock.advance({ minutes: 1 });
      await send("POST", `/api/v1/accounts/${id}/contacts`, {
        channel: "phone",
        reason_code: "other",
        outcome: "resolved",
        notes: `call ${i}`,
      });
    }
    const res = await send("GET", `/api/v1/accounts/${id}`);
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v).toMatchObject({
      account_id: id,
      account_number: c.account.account_number,
      status: "active",
      version: 2,
      customer_class: "residential",
      bill_cycle: "07",
      notice_channel: "mail",
      mailing_address: { line1: "1200 J St", city: "Sacramento" },
      mailing_address_source: "customer",
      customer: {
        id: c.party.id,
        identity_masked: "***-**-4444",
        email: "maria.lopez@example.com",
        age_65_plus: true,
        phones: [{ number: "+19165550142" }],
        flags: [{ flag: "life_support", active: true }],
      },
      co_applicants: [{ id: co.id, display_name: "Lopez, Raul" }],
      enrolments: [{ program: "care", active: true }],
    });
    expect(res.body).not.toContain("222334444");
    expect(res.body).not.toContain("222-33-4444");
    expect(v.service_agreements).toHaveLength(1);
    expect(v.service_agreements[0]).toMatchObject({
      tariff_code: "E-1",
      premise: { address_line1: "1200 J St", baseline_territory: "S", climate_zone: 12 },
      service_point: { id: c.service_point.id },
      meter: { meter_number: c.meter.meter_number, kind: "register", registers: [{ unit: "kWh", dials: 5 }] },
    });
    expect(v.recent_contacts).toHaveLength(10);
    expect(v.recent_contacts[0].notes).toBe("call 11");
    expect(v.recent_contacts[9].notes).toBe("call 2");

    // With a bearer token too; a field user sees the account and service, not the customer or the contact log.
    expect(
      (await t.app.inject({ method: "GET", url: `/api/v1/accounts/${id}`, headers: await t.bearer("lead") }))
        .statusCode,
    ).toBe(200);
    const field = (await send("GET", `/api/v1/accounts/${id}`, undefined, "field")).json();
    expect(field.customer).toBeNull();
    expect(field.co_applicants).toBeNull();
    expect(field.recent_contacts).toBeNull();
    expect(field.service_agreements).toHaveLength(1);

    const unknown = await send("GET", "/api/v1/accounts/999999");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors[0].field).toBe("id");
    expect((await t.app.inject({ method: "GET", url: `/api/v1/accounts/${id}` })).statusCode).toBe(401);
  });

  it("reads in the same number of queries however much the account holds (no query per row)", async () => {
    let queries = 0;
    const engine = t.database.pglite ?? t.database.pool!;
    const original = engine.query.bind(engine) as (...args: unknown[]) => unknown;
    (engine as { query: unknown }).query = (...args: unknown[]) => {
      queries += 1;
      return original(...args);
    };
    const measure = async (accountId: number) => {
      queries = 0;
      const res = await send("GET", `/api/v1/accounts/${accountId}`);
      expect(res.statusCode).toBe(200);
      return queries;
    };
    try {
      const small = await newCustomer(t, { party: aPerson({ first_name: "Ada", identity: null }) });
      const big = await newCustomer(t, { party: aPerson({ first_name: "Bea", identity: null }) });
      const coIds = [];
      for (const name of ["Cy", "Di", "Ed"]) {
        coIds.push((await send("POST", "/api/v1/parties", aPerson({ first_name: name, identity: null }))).json().id);
      }
      await send("PATCH", `/api/v1/accounts/${big.account.id}`, { version: 1, co_applicant_ids: coIds });
      for (let i = 0; i < 4; i++) {
        const point = (await send("POST", `/api/v1/premises/${big.premise.id}/service-points`, {})).json();
        const meter = (await send("POST", "/api/v1/meters", aMeter())).json();
        await send("POST", `/api/v1/meters/${meter.id}/install`, { version: 1, service_point_id: point.id });
        await send("POST", "/api/v1/service-agreements", {
          account_id: big.account.id,
          service_point_id: point.id,
          tariff_code: "A-1",
          start_date: "2026-03-02",
        });
        await send("POST", `/api/v1/accounts/${big.account.id}/contacts`, {
          channel: "phone",
          reason_code: "other",
          outcome: "resolved",
        });
      }
      await send("POST", `/api/v1/accounts/${big.account.id}/enrolments`, {
        program: "care",
        effective_from: "2026-01-01",
      });
      const view = (await send("GET", `/api/v1/accounts/${big.account.id}`)).json();
      expect(view.service_agreements).toHaveLength(5);
      expect(view.co_applicants).toHaveLength(3);
      const few = await measure(small.account.id);
      expect(await measure(big.account.id)).toBe(few);
      expect(few).toBeGreaterThanOrEqual(10);
      expect(few).toBeLessThanOrEqual(16);
    } finally {
      (engine as { query: unknown }).query = original;
    }
  });

  it("prefers the account's own mailing address", async () => {
    const c = await newCustomer(t, {
      party: aPerson({ first_name: "Hugo", identity: null }),
      account: { bill_cycle: "02", mailing_address: { line1: "PO Box 5", city: "Chico", state: "CA", zip: "95927" } },
    });
    const v = (await send("GET", `/api/v1/accounts/${c.account.id}`)).json();
    expect(v.mailing_address).toMatchObject({ line1: "PO Box 5" });
    expect(v.mailing_address_source).toBe("account");
  });
});

describe("the account's audit history", () => {
  it("lists edits to the account, its agreements, contacts and its customers newest first, for audit.read only", async () => {
    const c = await newCustomer(t, {
      party: aPerson({ first_name: "Selma", identity: { type: "ssn", number: "555-44-3333" } }),
    });
    const id = c.account.id;
    await send("PATCH", `/api/v1/parties/${c.party.id}`, { version: 1, email: "selma@example.net" });
    await send("PATCH", `/api/v1/accounts/${id}`, { version: 1, bill_cycle: "08" });
    await send("POST", `/api/v1/accounts/${id}/contacts`, {
      channel: "mail",
      reason_code: "address_change",
      outcome: "resolved",
    });
    await send("POST", `/api/v1/parties/${c.party.id}/identity/reveal`, undefined, "supervisor");
    const other = await newCustomer(t, { party: aPerson({ first_name: "Otto", identity: null }) });
    await send("PATCH", `/api/v1/accounts/${other.account.id}`, { version: 1, bill_cycle: "09" });

    const res = await send("GET", `/api/v1/accounts/${id}/audit`, undefined, "trainee");
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as { id: number; action: string; actor: string; after: unknown }[];
    expect(entries.map((e) => e.action)).toEqual([
      "party.identity_revealed",
      "contact.create",
      "account.update",
      "party.update",
      "service_agreement.create",
      "account.create",
      "party.create",
    ]);
    expect(entries[0]!.actor).toBe("t-supervisor");
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => b - a));
    expect(JSON.stringify(entries)).not.toMatch(/555-?44-?3333/);
    const page = await send(
      "GET",
      `/api/v1/accounts/${id}/audit?limit=2&before=${entries[1]!.id}`,
      undefined,
      "trainee",
    );
    expect(page.json().entries.map((e: { action: string }) => e.action)).toEqual(["account.update", "party.update"]);
    expect((await send("GET", `/api/v1/accounts/${id}/audit`, undefined, "field")).statusCode).toBe(403);
    expect((await send("GET", "/api/v1/accounts/999999/audit")).statusCode).toBe(404);
  });
});

describe("the API document", () => {
  it("describes the customer model's routes and their request bodies", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    for (const path of [
      "/api/v1/customers",
      "/api/v1/parties",
      "/api/v1/parties/{id}",
      "/api/v1/parties/{id}/identity/reveal",
      "/api/v1/parties/{id}/flags/{flag_id}",
      "/api/v1/accounts",
      "/api/v1/accounts/{id}",
      "/api/v1/accounts/{id}/audit",
      "/api/v1/accounts/{id}/contacts",
      "/api/v1/accounts/{id}/enrolments/{enrolment_id}",
      "/api/v1/premises/{id}/service-points",
      "/api/v1/meters/{id}/install",
      "/api/v1/service-agreements/{id}",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const body = doc.paths["/api/v1/accounts/{id}/contacts"].post.requestBody.content["application/json"].schema;
    expect(body.properties.notes.maxLength).toBe(4000);
    expect(body.properties.channel.enum).toEqual(["phone", "email", "mail", "in_person"]);
  });
});
