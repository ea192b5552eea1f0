import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, counts, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const post = async (url: string, payload: unknown, role = "csr") =>
  t.app.inject({ method: "POST", url, headers: await t.as(role), payload: payload as object });
const patch = async (url: string, payload: unknown, role = "csr") =>
  t.app.inject({ method: "PATCH", url, headers: await t.as(role), payload: payload as object });
const get = async (url: string, role = "csr") => t.app.inject({ method: "GET", url, headers: await t.as(role) });

describe("persons and businesses", () => {
  it("creates a person with phones in E.164, derives 65+ from the business clock, and reads it back masked", async () => {
    const res = await post(
      "/api/v1/parties",
      aPerson({ first_name: "Ana", last_name: "Reyes", date_of_birth: "1961-03-02" }),
    );
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({
      kind: "person",
      display_name: "Reyes, Ana",
      age_65_plus: true,
      identity_type: "ssn",
      identity_masked: "***-**-6789",
      phones: [{ number: "+19165550142", label: "mobile", primary: true }],
      version: 1,
    });
    expect(JSON.stringify(p)).not.toContain("123456789");
    const read = await get(`/api/v1/parties/${p.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(p);
    // A day younger: not yet 65 on the business date.
    const younger = await post(
      "/api/v1/parties",
      aPerson({ first_name: "Luz", date_of_birth: "1961-03-03", identity: null }),
    );
    expect(younger.json().age_65_plus).toBe(false);
  });

  it("creates a business with an EIN, flags, and a third-party notification contact", async () => {
    const res = await post("/api/v1/parties", {
      kind: "business",
      business_name: "Delta Farms LLC",
      phones: [
        { number: "559-555-0101", label: "work" },
        { number: "+1 559 555 0102", label: "mobile", primary: true },
      ],
      identity: { type: "ein", number: "12-3456789" },
      third_party: { name: "Jose Delta", phone: "(559) 555-0199", email: "jose@example.com" },
      flags: [{ flag: "language_assistance", effective_from: "2025-01-01", note: "Spanish" }],
    });
    expect(res.statusCode).toBe(201);
    const b = res.json();
    expect(b.display_name).toBe("Delta Farms LLC");
    expect(b.identity_masked).toBe("**-***6789");
    expect(b.age_65_plus).toBeNull();
    expect(b.phones.map((p: { number: string; primary: boolean }) => [p.number, p.primary])).toEqual([
      ["+15595550102", true],
      ["+15595550101", false],
    ]);
    expect(b.third_party).toEqual({
      name: "Jose Delta",
      phone: "+15595550199",
      email: "jose@example.com",
      address: null,
    });
    expect(b.flags).toMatchObject([{ flag: "language_assistance", active: true, note: "Spanish" }]);
  });

  it("edits with the version read, and refuses a stale version with 409 and the current row", async () => {
    const p = (await post("/api/v1/parties", aPerson({ first_name: "Rosa", identity: null }))).json();
    const ok = await patch(`/api/v1/parties/${p.id}`, {
      version: 1,
      email: "rosa@example.org",
      phones: [{ number: "916 555 0177", label: "home" }],
      mailing_address: null,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      version: 2,
      email: "rosa@example.org",
      phones: [{ number: "+19165550177", label: "home", primary: true }],
      mailing_address: null,
    });
    const before = await counts(t);
    const stale = await patch(`/api/v1/parties/${p.id}`, { version: 1, email: "other@example.org" });
    expect(stale.statusCode).toBe(409);
    expect(stale.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(stale.json().current).toMatchObject({ id: p.id, version: 2, email: "rosa@example.org" });
    expect(await counts(t)).toEqual(before);
  });

  it("refuses bad input naming the field, and changes nothing", async () => {
    const before = await counts(t);
    const cases: [unknown, string][] = [
      [{ ...aPerson(), first_name: 42 }, "first_name"],
      [{ ...aPerson(), last_name: undefined }, "last_name"],
      [{ ...aPerson(), kind: "robot" }, "kind"],
      [{ ...aPerson(), last_name: "x".repeat(101) }, "last_name"],
      [{ ...aPerson(), email: "not-an-email" }, "email"],
      [{ ...aPerson(), phones: [{ number: "555-0142" }] }, "phones.0.number"],
      [{ ...aPerson(), date_of_birth: "1990-02-30" }, "date_of_birth"],
      [{ ...aPerson(), date_of_birth: "2027-01-01" }, "date_of_birth"],
      [{ ...aPerson(), identity: { type: "ssn", number: "000-12-3456" } }, "identity.number"],
      [{ ...aPerson(), identity: { type: "passport", number: "X1" } }, "identity.type"],
      [
        { ...aPerson(), mailing_address: { line1: "1 A St", city: "Davis", state: "California", zip: "95616" } },
        "mailing_address.state",
      ],
      [
        { ...aPerson(), flags: [{ flag: "life_support", effective_from: "2026-01-10", effective_to: "2026-01-01" }] },
        "flags.0.effective_to",
      ],
      [{ kind: "business" }, "business_name"],
    ];
    for (const [payload, field] of cases) {
      const res = await post("/api/v1/parties", payload);
      expect(res.statusCode, field).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    const malformed = await t.app.inject({
      method: "POST",
      url: "/api/v1/parties",
      headers: { ...(await t.as("csr")), "content-type": "application/json" },
      payload: '{"kind": "person", "first_name": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].field).toBe("body");
    const unknown = await patch("/api/v1/parties/999999", { version: 1, email: "a@example.com" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors[0].field).toBe("id");
    expect((await get("/api/v1/parties/999999")).statusCode).toBe(404);
    expect((await get("/api/v1/parties/abc")).json().errors[0].field).toBe("params.id");
    expect(await counts(t)).toEqual(before);
  });

  it("flags a new customer matching an existing one (same identity number, or same name and birth date)", async () => {
    const first = (
      await post(
        "/api/v1/parties",
        aPerson({ first_name: "Elena", last_name: "Marsh", identity: { type: "ssn", number: "234-56-7890" } }),
      )
    ).json();
    expect(first.possible_duplicate_ids).toEqual([]);
    const sameNumber = await post(
      "/api/v1/parties",
      aPerson({
        first_name: "Helen",
        last_name: "Marsh-Ortiz",
        date_of_birth: null,
        identity: { type: "ssn", number: "234 56 7890" },
      }),
    );
    expect(sameNumber.statusCode).toBe(201);
    expect(sameNumber.json().possible_duplicate_ids).toEqual([first.id]);
    const sameName = await post(
      "/api/v1/parties",
      aPerson({ first_name: "ELENA", last_name: "marsh", identity: null }),
    );
    expect(sameName.json().possible_duplicate_ids).toEqual([first.id]);
    const other = await post(
      "/api/v1/parties",
      aPerson({ first_name: "Elena", last_name: "Marsh", date_of_birth: "1970-01-01", identity: null }),
    );
    expect(other.json().possible_duplicate_ids).toEqual([]);
    // The new-customer flow carries the warning too.
    const flow = await newCustomer(t, {
      party: aPerson({ first_name: "Elena", last_name: "Marsh", identity: null }),
      premise: undefined,
      service_point: undefined,
      meter: undefined,
      service_agreement: undefined,
    });
    expect(flow.possible_duplicate_ids).toEqual([first.id, sameName.json().id]);
  });
});

describe("flags", () => {
  it("adds, lists and ends a flag with the version read; refuses overlaps and stale versions", async () => {
    const p = (await post("/api/v1/parties", aPerson({ first_name: "Ines", identity: null }))).json();
    const added = await post(`/api/v1/parties/${p.id}/flags`, {
      flag: "medical_baseline",
      effective_from: "2026-01-01",
      recertify_by: "2028-01-01",
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      flag: "medical_baseline",
      active: true,
      recertification_due: false,
      version: 1,
    });
    const overlap = await post(`/api/v1/parties/${p.id}/flags`, {
      flag: "medical_baseline",
      effective_from: "2026-02-01",
    });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().errors[0].field).toBe("effective_from");
    const ended = await patch(`/api/v1/parties/${p.id}/flags/${added.json().id}`, {
      version: 1,
      effective_to: "2026-02-28",
    });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ active: false, effective_to: "2026-02-28", version: 2 });
    const stale = await patch(`/api/v1/parties/${p.id}/flags/${added.json().id}`, { version: 1, note: "x" });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current.version).toBe(2);
    const list = await get(`/api/v1/parties/${p.id}/flags`);
    expect(list.json().flags).toHaveLength(1);
    expect((await get(`/api/v1/parties/${p.id}`)).json().flags[0].effective_to).toBe("2026-02-28");
    const badFlag = await post(`/api/v1/parties/${p.id}/flags`, { flag: "vip", effective_from: "2026-01-01" });
    expect(badFlag.json().errors[0].field).toBe("flag");
    expect(
      (await post("/api/v1/parties/999999/flags", { flag: "life_support", effective_from: "2026-01-01" })).statusCode,
    ).toBe(404);
  });
});

describe("identity numbers", () => {
  const SSN = "345-67-8912";
  const DIGITS = "345678912";

  it("are never stored or audited in clear; the API masks them; reveal is a supervisor's, audited each time", async () => {
    const created = await post(
      "/api/v1/parties",
      aPerson({ first_name: "Nora", identity: { type: "ssn", number: SSN } }),
    );
    const id = created.json().id;
    await patch(`/api/v1/parties/${id}`, { version: 1, identity: { type: "ssn", number: "456-78-9123" } });
    await patch(`/api/v1/parties/${id}`, { version: 2, identity: { type: "ssn", number: SSN } });

    const stored = await t.database.rows<Record<string, unknown>>(
      t.database.db,
      sql`SELECT * FROM parties WHERE id = ${id}`,
    );
    const row = stored[0]!;
    expect(row.identity_last4).toBe("8912");
    expect(JSON.stringify(stored, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toMatch(
      /345-?67-?8912|456-?78-?9123/,
    );
    const everything = await t.database.rows<{ doc: string }>(
      t.database.db,
      sql`SELECT row_to_json(p)::text AS doc FROM parties p UNION ALL SELECT row_to_json(a)::text FROM audit_log a`,
    );
    const secrets = [row.identity_encrypted as string, row.identity_hash as string];
    for (const { doc } of everything) {
      expect(doc).not.toMatch(/345-?67-?8912|456-?78-?9123/);
    }
    const trail = await t.database.rows<{ doc: string }>(
      t.database.db,
      sql`SELECT row_to_json(a)::text AS doc FROM audit_log a`,
    );
    for (const { doc } of trail) for (const secret of secrets) expect(doc).not.toContain(secret);
    const edits = await t.database.rows<{ after: { identity_number: string } }>(
      t.database.db,
      sql`SELECT after FROM audit_log WHERE entity_type = 'party' AND entity_id = ${String(id)} AND action = 'party.update' ORDER BY id`,
    );
    expect(edits.map((e) => e.after.identity_number)).toEqual(["[redacted: changed]", "[redacted: changed]"]);

    const asCsr = await get(`/api/v1/parties/${id}`);
    expect(asCsr.json().identity_masked).toBe("***-**-8912");
    expect(asCsr.body).not.toContain(DIGITS);
    const csrReveal = await post(`/api/v1/parties/${id}/identity/reveal`, {}, "csr");
    expect(csrReveal.statusCode).toBe(403);

    const reveals = async () =>
      (
        await t.database.rows<{ n: bigint }>(
          t.database.db,
          sql`SELECT count(*)::int8 AS n FROM audit_log WHERE action = 'party.identity_revealed' AND entity_id = ${String(id)}`,
        )
      )[0]!.n;
    expect(await reveals()).toBe(0n);
    for (const n of [1n, 2n]) {
      const res = await t.app.inject({
        method: "POST",
        url: `/api/v1/parties/${id}/identity/reveal`,
        headers: await t.as("supervisor"),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ party_id: id, identity_type: "ssn", identity_number: SSN });
      expect(await reveals()).toBe(n);
    }
    const [audit] = await t.database.rows<{ actor_name: string; after: unknown; doc: string }>(
      t.database.db,
      sql`SELECT actor_name, after, row_to_json(a)::text AS doc FROM audit_log a WHERE action = 'party.identity_revealed' LIMIT 1`,
    );
    expect(audit!.actor_name).toBe("t-supervisor");
    expect(audit!.doc).not.toContain(DIGITS);
    expect(audit!.doc).not.toContain("8912");

    const none = (await post("/api/v1/parties", aPerson({ first_name: "Olga", identity: null }))).json();
    const nothing = await t.app.inject({
      method: "POST",
      url: `/api/v1/parties/${none.id}/identity/reveal`,
      headers: await t.as("supervisor"),
    });
    expect(nothing.statusCode).toBe(404);
  });
});
