import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type TestApp, testApp } from "../../tests/support/testkit.js";
import { buildApp } from "../app.js";
import type { Http } from "./http.js";

let t: TestApp;
let app: Http;
let runs = 0;

beforeAll(async () => {
  t = await testApp();
  // A throwaway app on the same database with two routes that count their runs.
  app = await buildApp({ database: t.database, clock: t.clock, config: t.config });
  app.post(
    "/api/v1/test/charge",
    {
      config: { access: { permission: "accounts.write" }, idempotency: "required" },
      schema: { body: z.object({ amount_cents: z.number().int() }) },
    },
    async (request, reply) => {
      runs++;
      const { amount_cents } = request.body as { amount_cents: number };
      if (amount_cents < 0) return reply.code(422).send({ refused: true });
      return reply.code(201).send({ run: runs, amount_cents });
    },
  );
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("Idempotency-Key", () => {
  it("replays the first response and runs nothing the second time", async () => {
    const headers = { ...(await t.as("csr")), "idempotency-key": "charge-0001" };
    const first = await app.inject({
      method: "POST",
      url: "/api/v1/test/charge",
      headers,
      payload: { amount_cents: 500 },
    });
    expect(first.statusCode).toBe(201);
    const before = runs;
    const again = await app.inject({
      method: "POST",
      url: "/api/v1/test/charge",
      headers,
      payload: { amount_cents: 500 },
    });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(runs).toBe(before);
  });

  it("refuses the same key with another body (422) and a missing key where required (400)", async () => {
    const headers = { ...(await t.as("csr")), "idempotency-key": "charge-0002" };
    await app.inject({ method: "POST", url: "/api/v1/test/charge", headers, payload: { amount_cents: 1 } });
    const other = await app.inject({
      method: "POST",
      url: "/api/v1/test/charge",
      headers,
      payload: { amount_cents: 2 },
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().rule).toBe("idempotency.key_reused");
    const { "idempotency-key": _, ...noKey } = headers;
    const missing = await app.inject({
      method: "POST",
      url: "/api/v1/test/charge",
      headers: noKey,
      payload: { amount_cents: 2 },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe("Idempotency-Key");
  });

  it("keeps keys per user: another user's same key is a new request", async () => {
    const key = "charge-0003";
    const a = await app.inject({
      method: "POST",
      url: "/api/v1/test/charge",
      headers: { ...(await t.as("csr")), "idempotency-key": key },
      payload: { amount_cents: 3 },
    });
    const b = await app.inject({
      method: "POST",
      url: "/api/v1/test/charge",
      headers: { ...(await t.as("supervisor")), "idempotency-key": key },
      payload: { amount_cents: 3 },
    });
    expect(a.json().run).not.toBe(b.json().run);
  });
});
