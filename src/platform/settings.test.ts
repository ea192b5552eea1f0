import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../tests/support/testkit.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const KEY = "identity.lockout.failed_attempts";

describe("effective-dated settings", () => {
  it("lists every setting with its default and today's value", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/settings", headers: await t.as("csr") });
    expect(res.statusCode).toBe(200);
    const found = res.json().settings.find((s: { key: string }) => s.key === KEY);
    expect(found).toMatchObject({ default: 5, current: 5, schedule: [] });
  });

  it("applies a value from its effective date on, as the business clock moves", async () => {
    const admin = await t.as("admin");
    const put = await t.app.inject({
      method: "PUT",
      url: `/api/v1/settings/${KEY}`,
      headers: admin,
      payload: { effective_from: "2026-04-01", value: 3 },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().current).toBe(5);
    t.clock.set("2026-04-01T06:59:00Z"); // 23:59 on March 31st in Los Angeles (PDT)
    let now = await t.app.inject({ method: "GET", url: `/api/v1/settings/${KEY}`, headers: admin });
    expect(now.json().current).toBe(5);
    t.clock.set("2026-04-01T07:00:00Z");
    now = await t.app.inject({ method: "GET", url: `/api/v1/settings/${KEY}`, headers: admin });
    expect(now.json().current).toBe(3);
    const audit = await t.database.rows<{ action: string }>(
      t.database.db,
      sql`SELECT action FROM audit_log WHERE entity_type = 'setting'`,
    );
    expect(audit.map((a) => a.action)).toContain("setting.create");
  });

  it("refuses a stale edit with 409, a bad value with 400 naming the field, an unknown key with 404, and a csr with 403", async () => {
    const admin = await t.as("admin");
    const stale = await t.app.inject({
      method: "PUT",
      url: `/api/v1/settings/${KEY}`,
      headers: admin,
      payload: { effective_from: "2026-04-01", value: 4, version: 7 },
    });
    expect(stale.statusCode).toBe(409);
    const ok = await t.app.inject({
      method: "PUT",
      url: `/api/v1/settings/${KEY}`,
      headers: admin,
      payload: { effective_from: "2026-04-01", value: 4, version: 1 },
    });
    expect(ok.statusCode).toBe(200);
    const bad = await t.app.inject({
      method: "PUT",
      url: `/api/v1/settings/${KEY}`,
      headers: admin,
      payload: { effective_from: "2026-05-01", value: "many" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe("value");
    const badDate = await t.app.inject({
      method: "PUT",
      url: `/api/v1/settings/${KEY}`,
      headers: admin,
      payload: { effective_from: "2026-13-01", value: 2 },
    });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().errors[0].field).toBe("effective_from");
    const unknown = await t.app.inject({
      method: "PUT",
      url: "/api/v1/settings/no.such.key",
      headers: admin,
      payload: { effective_from: "2026-05-01", value: 1 },
    });
    expect(unknown.statusCode).toBe(404);
    const csr = await t.app.inject({
      method: "PUT",
      url: `/api/v1/settings/${KEY}`,
      headers: await t.as("csr"),
      payload: { effective_from: "2026-05-01", value: 1 },
    });
    expect(csr.statusCode).toBe(403);
    const rows = await t.database.rows<{ n: bigint }>(t.database.db, sql`SELECT count(*)::int8 AS n FROM settings`);
    expect(rows[0]!.n).toBe(1n);
  });
});
