import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

// The agency's layout is an admin's setting: a bad one is refused through the settings API with the field named, and
// the layout in force stays as it was.
let t: TestApp;

beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T18:00:00Z" });
}, 120_000);
afterAll(async () => t?.close());

const URL = "/api/v1/settings/collections.agency";

const fixed = {
  agency: "Valley Credit Bureau",
  format: "fixed",
  fields: [
    { field: "account_number", width: 10 },
    { field: "customer_name", width: 30 },
    { field: "amount_cents", width: 12 },
  ],
};

async function auditCount() {
  const [r] = await t.database.rows<{ n: number }>(
    t.database.db,
    sql`SELECT count(*)::int4 AS n FROM audit_log WHERE entity_type = 'setting'`,
  );
  return r!.n;
}

describe("the collection agency's layout setting", () => {
  it("refuses a fixed layout whose field lacks a width, a width over 200 and an unknown field, naming each", async () => {
    const admin = await t.as("admin");
    const put = (payload: Record<string, unknown>) =>
      t.app.inject({ method: "PUT", url: URL, headers: admin, payload });
    const saved = await put({ effective_from: "2026-03-01", value: fixed });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().current).toEqual(fixed);
    const before = (await t.app.inject({ method: "GET", url: URL, headers: admin })).json();
    const audits = await auditCount();

    const noWidth = {
      ...fixed,
      fields: [
        { field: "account_number", width: 10 },
        { field: "customer_name" },
        { field: "amount_cents", width: 12 },
      ],
    };
    // As an edit of the version in force, and as a new version from a later day.
    for (const attempt of [
      { effective_from: "2026-03-01", version: 1, value: noWidth },
      { effective_from: "2026-04-01", value: noWidth },
    ]) {
      const res = await put(attempt);
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.json().errors).toEqual([
        { field: "value.fields.1.width", message: "a fixed-width layout needs a width" },
      ]);
    }

    const tooWide = await put({
      effective_from: "2026-04-01",
      value: { ...fixed, fields: [{ field: "account_number", width: 201 }, ...fixed.fields.slice(1)] },
    });
    expect(tooWide.statusCode).toBe(400);
    expect(tooWide.json().errors).toEqual([{ field: "value.fields.0.width", message: expect.stringMatching(/200/) }]);

    const unknown = await put({
      effective_from: "2026-04-01",
      value: { ...fixed, fields: [...fixed.fields, { field: "ssn", width: 9 }] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([
      { field: "value.fields.3.field", message: expect.stringContaining("account_number") },
    ]);

    const after = (await t.app.inject({ method: "GET", url: URL, headers: admin })).json();
    expect(after.current).toEqual(fixed);
    expect(after.schedule).toEqual(before.schedule);
    expect(await auditCount()).toBe(audits);
  });

  it("takes a csv layout without widths", async () => {
    const admin = await t.as("admin");
    const csv = { agency: "Valley Credit Bureau", format: "csv", fields: [{ field: "account_number" }] };
    const res = await t.app.inject({
      method: "PUT",
      url: URL,
      headers: admin,
      payload: { effective_from: "2026-05-01", value: csv },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().schedule.at(-1)).toMatchObject({ effective_from: "2026-05-01", value: csv });
  });
});
