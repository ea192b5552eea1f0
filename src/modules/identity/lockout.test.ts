import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PASSWORD, type TestApp, testApp } from "../../../tests/support/testkit.js";
import { users } from "./schema.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

interface UserOut {
  id: number;
  username: string;
  locked: boolean;
  locked_until: string | null;
  version: number;
}

const signIn = (password: string) =>
  t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "t-cashier", password } });

async function cashier(): Promise<UserOut> {
  const list = await t.app.inject({ method: "GET", url: "/api/v1/users", headers: await t.as("admin") });
  expect(list.statusCode).toBe(200);
  const found = (list.json().users as UserOut[]).find((u) => u.username === "t-cashier")!;
  const one = await t.app.inject({ method: "GET", url: `/api/v1/users/${found.id}`, headers: await t.as("admin") });
  expect(one.json()).toEqual(found);
  return found;
}

describe("whether a user is locked out now", () => {
  it("is false for a user in good standing, true after the failed sign-ins that lock it, false after an unlock", async () => {
    await t.as("cashier");
    expect(await cashier()).toMatchObject({ locked: false, locked_until: null });

    // One failure short of the threshold (5 by default): counted, not locked.
    for (let i = 0; i < 4; i++) expect((await signIn(`wrong-password-${i}`)).statusCode).toBe(401);
    expect((await cashier()).locked).toBe(false);
    expect((await signIn("wrong-password-5")).statusCode).toBe(429);
    const locked = await cashier();
    expect(locked.locked).toBe(true);
    expect(Date.parse(locked.locked_until!)).toBeGreaterThan(Date.now());
    expect((await signIn(TEST_PASSWORD)).statusCode).toBe(429);

    const unlocked = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${locked.id}`,
      headers: await t.as("admin"),
      payload: { version: locked.version, unlock: true },
    });
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json()).toMatchObject({ locked: false, locked_until: null });
    expect(await cashier()).toMatchObject({ locked: false, locked_until: null });
    const good = await signIn(TEST_PASSWORD);
    expect(good.statusCode).toBe(200);
    expect(good.json().user.locked).toBe(false);
  });

  it("is false once the lock has run out, though the time it ran to is still recorded", async () => {
    for (let i = 0; i < 5; i++) await signIn(`wrong-again-${i}`);
    const locked = await cashier();
    expect(locked.locked).toBe(true);
    // The lock ran out a minute ago (lockouts use the real clock, so the row is moved, not the clock).
    await t.database.db
      .update(users)
      .set({ lockedUntil: new Date(Date.now() - 60_000).toISOString() })
      .where(eq(users.id, locked.id));
    const expired = await cashier();
    expect(expired.locked_until).not.toBeNull();
    expect(expired.locked).toBe(false);
    expect((await signIn(TEST_PASSWORD)).statusCode).toBe(200);
    expect(await cashier()).toMatchObject({ locked: false, locked_until: null });
  });

  it("is described in the API document", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    const user = doc.paths["/api/v1/users/{id}"].get.responses["200"].content["application/json"].schema;
    expect(user.properties.locked.type).toBe("boolean");
    expect(user.required).toContain("locked");
  });
});
