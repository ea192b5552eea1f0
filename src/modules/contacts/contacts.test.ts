import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const send = async (method: "POST" | "GET", url: string, payload?: unknown, role = "csr") =>
  t.app.inject({
    method,
    url,
    headers: await t.as(role),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

describe("the contact log", () => {
  it("logs who and when from the session and the clock, and lists newest first", async () => {
    const c = await newCustomer(t, {
      premise: undefined,
      service_point: undefined,
      meter: undefined,
      service_agreement: undefined,
    });
    const url = `/api/v1/accounts/${c.account.id}/contacts`;
    const first = await send("POST", url, {
      channel: "phone",
      reason_code: "high_bill",
      notes: "Usage up with the heat.",
      outcome: "resolved",
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      account_id: c.account.id,
      channel: "phone",
      reason_code: "high_bill",
      outcome: "resolved",
      username: "t-csr",
      occurred_at: "2026-03-02T17:00:00.000Z",
    });
    t.clock.advance({ minutes: 5 });
    await send("POST", url, { channel: "in_person", reason_code: "payment", outcome: "no_action" }, "cashier");
    await send("POST", url, {
      channel: "email",
      reason_code: "complaint",
      outcome: "escalated",
      notes: "Logged late",
      occurred_at: "2026-03-01T09:00:00-08:00",
    });
    const list = await send("GET", url);
    expect(list.statusCode).toBe(200);
    expect(
      list.json().contacts.map((x: { username: string; occurred_at: string }) => [x.username, x.occurred_at]),
    ).toEqual([
      ["t-cashier", "2026-03-02T17:05:00.000Z"],
      ["t-csr", "2026-03-02T17:00:00.000Z"],
      ["t-csr", "2026-03-01T17:00:00.000Z"],
    ]);
    expect((await send("GET", `${url}?limit=1`)).json().contacts).toHaveLength(1);
    const view = await send("GET", `/api/v1/accounts/${c.account.id}`);
    expect(view.json().recent_contacts).toHaveLength(3);
  });

  it("logs a contact once when the same request is replayed with its Idempotency-Key", async () => {
    const c = await newCustomer(t, {
      premise: undefined,
      service_point: undefined,
      meter: undefined,
      service_agreement: undefined,
    });
    const url = `/api/v1/accounts/${c.account.id}/contacts`;
    const payload = { channel: "phone", reason_code: "payment", outcome: "resolved", notes: "Paid by phone" };
    const headers = { ...(await t.as("csr")), "idempotency-key": "contact-replay-0001" };
    const first = await t.app.inject({ method: "POST", url, headers, payload });
    const again = await t.app.inject({ method: "POST", url, headers, payload });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect((await send("GET", url)).json().contacts).toHaveLength(1);
  });

  it("stores markup in notes exactly as given and returns it verbatim", async () => {
    const c = await newCustomer(t, {
      premise: undefined,
      service_point: undefined,
      meter: undefined,
      service_agreement: undefined,
    });
    const url = `/api/v1/accounts/${c.account.id}/contacts`;
    const notes = `<script>alert("x")</script> <b>bold</b> & "quotes" 'single' \${x} {{y}} ünïcödé\nline two`;
    const res = await send("POST", url, { channel: "phone", reason_code: "other", outcome: "resolved", notes });
    expect(res.json().notes).toBe(notes);
    const listed = await send("GET", url);
    expect(listed.headers["content-type"]).toMatch(/application\/json/);
    expect(listed.json().contacts[0].notes).toBe(notes);
    const rows = await t.database.rows<{ notes: string }>(
      t.database.db,
      (await import("drizzle-orm")).sql`SELECT notes FROM contacts WHERE id = ${res.json().id}`,
    );
    expect(rows[0]!.notes).toBe(notes);
  });

  it("refuses bad input (types, missing, too long, malformed, over 1 MiB, unknown ids) naming the field, changing nothing", async () => {
    const c = await newCustomer(t, {
      premise: undefined,
      service_point: undefined,
      meter: undefined,
      service_agreement: undefined,
    });
    const url = `/api/v1/accounts/${c.account.id}/contacts`;
    const ok = { channel: "phone", reason_code: "billing_question", outcome: "resolved", notes: "" };
    await t.as("trainee"); // signing in writes audit rows of its own
    const before = { contacts: await count(t, "contacts"), audit: await count(t, "audit_log") };
    for (const [payload, field] of [
      [{ ...ok, channel: "fax" }, "channel"],
      [{ ...ok, reason_code: "chitchat" }, "reason_code"],
      [{ ...ok, outcome: undefined }, "outcome"],
      [{ ...ok, notes: 42 }, "notes"],
      [{ ...ok, notes: "x".repeat(4001) }, "notes"],
      [{ ...ok, occurred_at: "yesterday" }, "occurred_at"],
      [{ ...ok, occurred_at: "2026-03-03T00:00:00Z" }, "occurred_at"],
      [{ ...ok, party_id: 999999 }, "party_id"],
    ] as const) {
      const res = await send("POST", url, payload);
      expect(res.statusCode, field).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    const exactly = await send("POST", url, { ...ok, notes: "x".repeat(4000) });
    expect(exactly.statusCode).toBe(201);
    before.contacts += 1;
    before.audit += 1;
    const malformed = await t.app.inject({
      method: "POST",
      url,
      headers: { ...(await t.as("csr")), "content-type": "application/json" },
      payload: '{"channel": "phone",',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers["content-type"]).toMatch(/application\/problem\+json/);
    const huge = await t.app.inject({
      method: "POST",
      url,
      headers: { ...(await t.as("csr")), "content-type": "application/json" },
      payload: JSON.stringify({ ...ok, notes: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers["content-type"]).toMatch(/application\/problem\+json/);
    const unknown = await send("POST", "/api/v1/accounts/999999/contacts", ok);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors[0].field).toBe("id");
    expect((await send("GET", "/api/v1/accounts/999999/contacts")).statusCode).toBe(404);
    expect((await send("GET", `${url}?limit=0`)).json().errors[0].field).toBe("querystring.limit");
    const forbidden = await send("POST", url, ok, "trainee");
    expect(forbidden.statusCode).toBe(403);
    expect({ contacts: await count(t, "contacts"), audit: await count(t, "audit_log") }).toEqual(before);
  });
});
