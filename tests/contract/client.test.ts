import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/modules/identity/index.js";
import { seedUtility } from "../../src/seed/seed.js";
import { TEST_PASSWORD, type TestApp, testApp } from "../support/testkit.js";

// A client that follows the published contract over real HTTP: sign in, search, open the account view.
let t: TestApp;
let base: string;
let surname: string;
let accountNumber: string;

beforeAll(async () => {
  t = await testApp();
  await seedUtility(t.ctx, { accounts: 40, seed: 3 });
  const [row] = await t.database.rows<{ last_name: string; account_number: string }>(
    t.database.db,
    sql`SELECT p.last_name, a.account_number FROM accounts a JOIN parties p ON p.id = a.main_party_id
         WHERE p.kind = 'person' ORDER BY a.id LIMIT 1`,
  );
  surname = row!.last_name;
  accountNumber = row!.account_number;
  await t.as("csr"); // makes the user t-csr
  base = await t.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => t?.close());

async function findAndOpen(headers: Record<string, string>) {
  const search = await fetch(`${base}/api/v1/search?q=${encodeURIComponent(surname)}`, { headers });
  expect(search.status).toBe(200);
  const { results } = (await search.json()) as {
    results: { account_id: number; account_number: string; name: string; service_address: string | null }[];
  };
  expect(results.length).toBeGreaterThan(0);
  const hit = results.find((r) => r.account_number === accountNumber);
  expect(hit, "the account is among the results").toBeDefined();
  expect(Object.keys(hit!).sort()).toEqual(["account_id", "account_number", "name", "service_address"]);
  const view = await fetch(`${base}/api/v1/accounts/${hit!.account_id}`, { headers });
  expect(view.status).toBe(200);
  const account = (await view.json()) as Record<string, unknown> & { customer: { identity_masked: string | null } };
  expect(account.account_number).toBe(accountNumber);
  expect(account).toHaveProperty("status");
  expect(typeof account.version).toBe("number");
  expect(Array.isArray(account.service_agreements)).toBe(true);
  if (account.customer.identity_masked) expect(account.customer.identity_masked).toMatch(/^\*\*\*-\*\*-\d{4}$|^\*/);
  return account;
}

describe("a client following the contract", () => {
  it("signs in with a session cookie, searches and opens the account view", async () => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "t-csr", password: TEST_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const body = (await login.json()) as { user: { username: string }; csrf_token: string };
    expect(body.user.username).toBe("t-csr");
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    await findAndOpen({ cookie });
    const anonymous = await fetch(`${base}/api/v1/search?q=${encodeURIComponent(surname)}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toMatch(/application\/problem\+json/);
  });

  it("does the same with a bearer token", async () => {
    const { token } = await createToken(t.ctx, "t-csr", "contract");
    await findAndOpen({ authorization: `Bearer ${token}` });
  });
});
