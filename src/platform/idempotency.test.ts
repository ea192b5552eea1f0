import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type TestApp, testApp } from "../../tests/support/testkit.js";
import { buildApp } from "../app.js";
import type { Http } from "./http.js";
import { purgeIdempotencyKeys, respondOnce } from "./idempotency.js";
import { putSetting } from "./settings.js";

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
  // Records its answer in its own transaction; `steal` has another request take the key over (as a retry does
  // once a claim outlives its lease) after this one claimed it and before its work commits.
  app.post(
    "/api/v1/test/move",
    {
      config: { access: { permission: "accounts.write" }, idempotency: "required" },
      schema: { body: z.object({ note: z.string(), steal: z.boolean() }) },
      preHandler: async (request) => {
        if ((request.body as { steal: boolean }).steal) {
          await request.ctx.db.execute(
            sql`UPDATE idempotency_keys SET claim_token = 'thief' WHERE key = ${request.idempotencyKey}`,
          );
        }
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 201, async (tx) => {
        runs++;
        const { note } = request.body as { note: string };
        await tx.db.execute(sql`INSERT INTO audit_log (actor_name, action, entity_type, entity_id)
                                VALUES ('test', 'test.move', 'test', ${note})`);
        return { run: runs, amount_cents: 10n ** 12n };
      }),
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

const moved = async (note: string) =>
  Number(
    (
      await t.database.rows<{ n: bigint }>(
        t.database.db,
        sql`SELECT count(*)::int8 AS n FROM audit_log WHERE action = 'test.move' AND entity_id = ${note}`,
      )
    )[0]!.n,
  );

describe("answers recorded in the transaction that does the work", () => {
  it("records the answer with the work, as sent (bigint as an integer), and replays it", async () => {
    const headers = { ...(await t.as("csr")), "idempotency-key": "move-0001" };
    const first = await app.inject({
      method: "POST",
      url: "/api/v1/test/move",
      headers,
      payload: { note: "a", steal: false },
    });
    expect(first.statusCode).toBe(201);
    expect(first.json().amount_cents).toBe(1_000_000_000_000);
    const again = await app.inject({
      method: "POST",
      url: "/api/v1/test/move",
      headers,
      payload: { note: "a", steal: false },
    });
    expect(again.json()).toEqual(first.json());
    expect(await moved("a")).toBe(1);
  });

  it("commits nothing when its claim was taken over meanwhile (409)", async () => {
    const headers = { ...(await t.as("csr")), "idempotency-key": "move-0002" };
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/test/move",
      headers,
      payload: { note: "b", steal: true },
    });
    expect(res.statusCode).toBe(409);
    expect(await moved("b")).toBe(0);
    const [row] = await t.database.rows<{ claim_token: string; status: number | null }>(
      t.database.db,
      sql`SELECT claim_token, status FROM idempotency_keys WHERE key = 'move-0002'`,
    );
    // The key stays with the request that took it over: neither this answer nor this work was recorded.
    expect(row).toEqual({ claim_token: "thief", status: null });
  });
});

describe("retention", () => {
  it("purges keys older than the retention setting (24 hours by default)", async () => {
    const age = (key: string, hours: number) =>
      t.database.db.execute(
        sql`INSERT INTO idempotency_keys (key, actor_user_id, route, request_hash, status, created_at)
            VALUES (${key}, 0, 'POST /x', 'h', 201, now() - make_interval(hours => ${hours}))`,
      );
    await age("old-key-25h", 25);
    await age("old-key-23h", 23);
    await age("old-key-47h", 47);
    await age("old-key-49h", 49);
    const left = async () =>
      (
        await t.database.rows<{ key: string }>(
          t.database.db,
          sql`SELECT key FROM idempotency_keys WHERE key LIKE 'old-key-%' ORDER BY key`,
        )
      ).map((r) => r.key);
    await putSetting(t.ctx, "idempotency.retention_hours", { effective_from: "2026-01-01", value: 48 });
    expect(await purgeIdempotencyKeys(t.ctx)).toBeGreaterThanOrEqual(1);
    expect(await left()).toEqual(["old-key-23h", "old-key-25h", "old-key-47h"]);
    await putSetting(t.ctx, "idempotency.retention_hours", { effective_from: "2026-01-01", value: 24, version: 1 });
    await purgeIdempotencyKeys(t.ctx);
    expect(await left()).toEqual(["old-key-23h"]);
    // Less than a day is refused: a client must be able to retry for at least 24 hours.
    await expect(
      putSetting(t.ctx, "idempotency.retention_hours", { effective_from: "2026-02-01", value: 12 }),
    ).rejects.toThrow(/not valid/);
  });
});
