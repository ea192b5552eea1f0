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

describe("user administration", () => {
  it("creates, lists, edits and unlocks users; refuses stale versions, unknown roles and weak passwords", async () => {
    const admin = await t.as("admin");
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: admin,
      payload: {
        username: "maria.lopez",
        display_name: "Maria Lopez",
        password: "a-long-password-1",
        roles: ["csr", "cashier"],
      },
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user.permissions).toContain("contacts.write");
    const dup = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: admin,
      payload: { username: "maria.lopez", display_name: "M", password: "a-long-password-1", roles: ["csr"] },
    });
    expect(dup.statusCode).toBe(409);
    const badRole = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: admin,
      payload: { username: "x.y", display_name: "X", password: "a-long-password-1", roles: ["wizard"] },
    });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().errors[0].field).toBe("roles");
    const weak = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: admin,
      payload: { username: "x.z", display_name: "X", password: "short", roles: ["csr"] },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].field).toBe("password");

    const promoted = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${user.id}`,
      headers: admin,
      payload: { version: user.version, roles: ["lead"] },
    });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().roles).toEqual(["lead"]);
    const stale = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${user.id}`,
      headers: admin,
      payload: { version: user.version, active: false },
    });
    expect(stale.statusCode).toBe(409);
    const list = await t.app.inject({ method: "GET", url: "/api/v1/users", headers: admin });
    expect(list.json().users.map((u: { username: string }) => u.username)).toContain("maria.lopez");
    const missing = await t.app.inject({ method: "GET", url: "/api/v1/users/999999", headers: admin });
    expect(missing.statusCode).toBe(404);
    const asCsr = await t.app.inject({ method: "GET", url: "/api/v1/users", headers: await t.as("csr") });
    expect(asCsr.statusCode).toBe(403);
  });

  it("issues an API token for a user that then authenticates, and revokes it", async () => {
    const admin = await t.as("admin");
    const users = (await t.app.inject({ method: "GET", url: "/api/v1/users", headers: admin })).json().users;
    const csr = users.find((u: { username: string }) => u.username === "t-csr");
    const issued = await t.app.inject({
      method: "POST",
      url: `/api/v1/users/${csr.id}/tokens`,
      headers: admin,
      payload: { name: "ivr" },
    });
    expect(issued.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${issued.json().token}` };
    expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: bearer })).statusCode).toBe(200);
    const revoked = await t.app.inject({ method: "DELETE", url: `/api/v1/tokens/${issued.json().id}`, headers: admin });
    expect(revoked.statusCode).toBe(204);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: bearer })).statusCode).toBe(401);
  });

  it("unlocks a locked user", async () => {
    const admin = await t.as("admin");
    const users = (await t.app.inject({ method: "GET", url: "/api/v1/users", headers: admin })).json().users;
    const trainee = users.find((u: { username: string }) => u.username === "t-trainee");
    expect(trainee.locked_until).not.toBeNull();
    const unlocked = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${trainee.id}`,
      headers: admin,
      payload: { version: trainee.version, unlock: true },
    });
    expect(unlocked.json().locked_until).toBeNull();
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "t-trainee", password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
  });
});

describe("sign-in rate limit", () => {
  it("limits attempts per address per minute (a setting) with 429 and Retry-After", async () => {
    const admin = await t.as("admin");
    await t.app.inject({
      method: "PUT",
      url: "/api/v1/settings/identity.login.rate_per_minute",
      headers: admin,
      payload: { effective_from: "2020-01-01", value: 1 },
    });
    const attempts = [];
    for (let i = 0; i < 3; i++) {
      attempts.push(
        await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          remoteAddress: "10.9.8.7",
          payload: { username: "nobody", password: "x" },
        }),
      );
    }
    const limited = attempts.at(-1)!;
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["content-type"]).toMatch(/problem\+json/);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
  });
});
