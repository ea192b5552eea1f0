import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../src/modules/identity/index.js";
import { createHttp, type RouteRecord, routeTable } from "../../src/platform/http.js";
import { type TestApp, testApp } from "../support/testkit.js";

// The short public list (DESIGN.md, Invariants/Security): everything else needs a caller.
const PUBLIC_ROUTES = new Set(["GET /api/health", "POST /api/v1/auth/login", "GET /api/openapi.json"]);
const mayBePublic = (r: RouteRecord) =>
  PUBLIC_ROUTES.has(`${r.method} ${r.url}`) ||
  r.url === "/api/docs" ||
  r.url.startsWith("/api/docs/") ||
  !r.url.startsWith("/api");

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const label = (r: RouteRecord) => `${r.method} ${r.url}`;
/** A concrete URL for a route pattern: every path parameter "1", every wildcard "x". */
const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, "1").replace(/\*/g, "x");
const bodyFor = (r: RouteRecord) => (WRITES.has(r.method) ? {} : undefined);

/** What is wrong with a route table's access declarations; empty when every route names its access properly. */
function accessProblems(routes: RouteRecord[]): string[] {
  const problems: string[] = [];
  for (const r of routes) {
    const a = r.access;
    if (!a) problems.push(`${label(r)} names neither a permission nor "authenticated"`);
    else if ("permission" in a && !(a.permission in PERMISSIONS))
      problems.push(`${label(r)} names an unknown permission ${a.permission}`);
    else if ("public" in a && !mayBePublic(r)) problems.push(`${label(r)} is public but not on the public list`);
  }
  return problems;
}

let t: TestApp;
let routes: RouteRecord[];
beforeAll(async () => {
  t = await testApp();
  routes = routeTable(t.app);
});
afterAll(async () => t?.close());

const guarded = () => routes.filter((r) => r.access && !("public" in r.access));
const permissioned = () =>
  routes.flatMap((r) => (r.access && "permission" in r.access ? [{ ...r, permission: r.access.permission }] : []));

describe("the route table", () => {
  it("has routes, and every route names a permission, authenticated, or is on the public list", () => {
    expect(guarded().length).toBeGreaterThan(5);
    expect(accessProblems(routes)).toEqual([]);
  });

  it("catches a route that names no access, and such a route is refused rather than served", async () => {
    const throwaway = createHttp({
      database: t.database,
      clock: t.clock,
      config: t.config,
      authenticate: async () => null,
    });
    throwaway.get("/api/v1/bogus", async () => ({ served: true }));
    await throwaway.ready();
    expect(accessProblems(routeTable(throwaway))).toEqual([
      `GET /api/v1/bogus names neither a permission nor "authenticated"`,
    ]);
    const res = await throwaway.inject({ method: "GET", url: "/api/v1/bogus" });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("served");
    await throwaway.close();
  });

  it("refuses an anonymous caller on every route but the public list with 401 problem+json", async () => {
    const failures: string[] = [];
    for (const r of guarded()) {
      for (const headers of [{}, { authorization: "Bearer kw_not-a-real-token" }]) {
        const res = await t.app.inject({
          method: r.method as "GET",
          url: concrete(r.url),
          payload: bodyFor(r),
          headers,
        });
        const type = String(res.headers["content-type"]);
        if (res.statusCode !== 401 || !type.startsWith("application/problem+json"))
          failures.push(`${label(r)} ${Object.keys(headers).join() || "anonymous"}: ${res.statusCode} ${type}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("refuses a signed-in user without the permission with 403 naming it", async () => {
    const nobody = await t.as("nobody");
    const failures: string[] = [];
    for (const r of permissioned()) {
      const res = await t.app.inject({
        method: r.method as "GET",
        url: concrete(r.url),
        payload: bodyFor(r),
        headers: nobody,
      });
      if (res.statusCode !== 403 || res.json().permission !== r.permission)
        failures.push(`${label(r)}: ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
    const still = await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: nobody });
    expect(still.statusCode).toBe(200);
  });

  it("refuses a cookie-session write without x-csrf-token on every guarded write route", async () => {
    const { cookie } = await t.as("admin");
    const failures: string[] = [];
    for (const r of guarded().filter((g) => WRITES.has(g.method))) {
      const res = await t.app.inject({
        method: r.method as "POST",
        url: concrete(r.url),
        payload: {},
        headers: { cookie },
      });
      if (res.statusCode !== 403 || res.json().field !== "x-csrf-token")
        failures.push(`${label(r)}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("the HTTP contract", () => {
  it("GET /api/health answers {status: ok}", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("serves OpenAPI 3.1 listing the login path, and the docs page", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.paths["/api/v1/auth/login"].post).toBeDefined();
    const docs = await t.app.inject({ method: "GET", url: "/api/docs" });
    expect([200, 302]).toContain(docs.statusCode);
  });

  it("answers malformed JSON with 400 problem+json naming the body", async () => {
    const admin = await t.as("admin");
    for (const [url, method, headers] of [
      ["/api/v1/auth/login", "POST", {}],
      ["/api/v1/settings/identity.lockout.minutes", "PUT", admin],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: { ...headers, "content-type": "application/json" },
        payload: '{"username": "csr", ',
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.json().errors).toEqual([{ field: "body", message: "not valid JSON" }]);
    }
  });

  it("names each unknown field of a strict body", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/parties",
      headers: await t.as("csr"),
      payload: { kind: "person", first_name: "Ana", last_name: "Ruiz", lastname: "Ruiz" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual({ field: "lastname", message: "is not a known field" });
  });

  it("answers a body over 1 MiB with 413 problem+json", async () => {
    const admin = await t.as("admin");
    const big = JSON.stringify({ username: "csr", password: "x".repeat(1024 * 1024) });
    for (const [url, method, headers] of [
      ["/api/v1/auth/login", "POST", {}],
      ["/api/v1/settings/identity.lockout.minutes", "PUT", admin],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: { ...headers, "content-type": "application/json" },
        payload: big,
      });
      expect(res.statusCode, url).toBe(413);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    }
  });

  it("echoes the caller's request id, or makes one, in the header and in problems", async () => {
    const given = await t.app.inject({ method: "GET", url: "/api/v1/users", headers: { "x-request-id": "call-42.a" } });
    expect(given.headers["x-request-id"]).toBe("call-42.a");
    expect(given.json().request_id).toBe("call-42.a");
    const made = await t.app.inject({ method: "GET", url: "/api/health" });
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await t.app.inject({ method: "GET", url: "/api/health", headers: { "x-request-id": "<script>" } });
    expect(unsafe.headers["x-request-id"]).not.toBe("<script>");
  });

  it("answers an unknown API path with 404 problem+json, signed in or not", async () => {
    for (const headers of [{}, await t.as("csr")]) {
      const res = await t.app.inject({ method: "GET", url: "/api/v1/no-such-thing", headers });
      expect(res.statusCode).toBe(404);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    }
  });
});
