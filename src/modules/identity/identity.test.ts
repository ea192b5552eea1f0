import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PASSWORD, type TestApp, testApp } from "../../../tests/support/testkit.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

describe("sign-in", () => {
  it("signs in, reads the session and signs out, as the contract says", async () => {
    await t.as("csr");
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "t-csr", password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const body = login.json();
    expect(body.user.username).toBe("t-csr");
    expect(body.user).not.toHaveProperty("password_hash");
    expect(typeof body.csrf_token).toBe("string");
    const setCookie = String(login.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(";")[0]!;
    const session = await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie } });
    expect(session.statusCode).toBe(200);
    expect(session.json().csrf_token).toBe(body.csrf_token);
    const noCsrf = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    const out = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { cookie, "x-csrf-token": body.csrf_token },
    });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.headers["content-type"]).toMatch(/application\/problem\+json/);
  });

  it("refuses bad credentials with 401 and locks after repeated failures with 429 and Retry-After", async () => {
    await t.as("trainee");
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "t-trainee", password: "wrong-password!" },
    });
    expect(bad.statusCode).toBe(401);
    const unknown = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "nobody", password: "wrong-password!" },
    });
    expect(unknown.statusCode).toBe(401);
    let last = bad;
    for (let i = 0; i < 4; i++) {
      last = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { username: "t-trainee", password: "wrong-password!" },
      });
    }
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers["retry-after"])).toBeGreaterThan(0);
    const good = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "t-trainee", password: TEST_PASSWORD },
    });
    expect(good.statusCode).toBe(429);
  });

  it("accepts a bearer token without CSRF", async () => {
    const headers = await t.bearer("admin");
    const res = await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.username).toBe("t-admin");
    const bogus = await t.app.inject({
      method: "GET",
      url: "/api/v1/auth/session",
      headers: { authorization: "Bearer nope" },
    });
    expect(bogus.statusCode).toBe(401);
  });
});
