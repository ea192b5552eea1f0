import { randomUUID } from "node:crypto";
import { and, eq, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { collectAudit } from "./audit.js";
import { type Ctx, inTx } from "./context.js";
import { sha256Hex } from "./crypto.js";
import type { Database, Db } from "./db.js";
import { badRequest, conflict, Problem } from "./errors.js";
import { preparedRows } from "./prepared.js";
import { idempotencyKeys } from "./schema.js";
import { defineSetting, getSetting } from "./settings.js";

/** Whether a route takes an Idempotency-Key: money-moving routes require it; creating routes accept it. */
export type IdempotencyMode = "required" | "optional";

declare module "fastify" {
  interface FastifyContextConfig {
    idempotency?: IdempotencyMode;
  }
  interface FastifyRequest {
    idempotencyKey?: string;
    /** This request's hold on its key: only the holder records the response. */
    idempotencyToken?: string;
    /** The response was recorded with the work's transaction (respondOnce): nothing is left to record on send. */
    idempotencyRecorded?: boolean;
  }
}

export const idempotencyRetentionHours = defineSetting({
  key: "idempotency.retention_hours",
  description:
    "How many hours an Idempotency-Key and its first response are kept and replayed (at least 24); older keys are purged",
  schema: z
    .number()
    .int()
    .min(24)
    .max(24 * 90),
  default: 24,
});

/**
 * A claim this old that never recorded a response belongs to a request that died (a crash, a lost connection to
 * the database): a retry may take it over. Safe even if the first is only slow, since only the holder of the claim
 * can record a response, and money-moving routes record it in the transaction that moves the money.
 */
export const CLAIM_LEASE_SECONDS = 120;
const PURGE_EVERY_MS = 10 * 60_000;
const lastPurge = new WeakMap<Database, number>();

const KEY = /^[\w.:-]{8,200}$/;

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/** What a request is known by under its key: its method, URL and canonical body (key order does not matter). */
export const requestHashOf = (method: string, url: string, body: unknown) =>
  sha256Hex(`${method} ${url}\n${canonical(body ?? null)}`);

/** Deletes keys older than the retention setting; returns how many went. */
export async function purgeIdempotencyKeys(ctx: Ctx): Promise<number> {
  const hours = await getSetting(ctx.db, idempotencyRetentionHours, ctx.clock.today().toString());
  const gone = await ctx.db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${hours})`))
    .returning({ key: idempotencyKeys.key });
  return gone.length;
}

/** Purges at the first claim after start and then at most every ten minutes per process: no timer to stop. */
async function purgeNowAndThen(ctx: Ctx) {
  const last = lastPurge.get(ctx.database);
  if (last !== undefined && Date.now() - last < PURGE_EVERY_MS) return;
  lastPurge.set(ctx.database, Date.now());
  await purgeIdempotencyKeys(ctx);
}

const keyOf = (actorUserId: number, key: string) =>
  and(eq(idempotencyKeys.actorUserId, actorUserId), eq(idempotencyKeys.key, key));

/**
 * Claims the key before the handler runs. Keys belong to the caller (the signed-in user or the token's user). A replay
 * of a finished request answers its first status and body and runs nothing; the same key with another body is
 * refused (422); the same key while the first is still running gets 409; a claim left by a request that died is
 * taken over. Returns true when the reply was already sent (a replay).
 */
export async function claimIdempotencyKey(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const mode = request.routeOptions.config?.idempotency;
  if (!mode) return false;
  const key = request.headers["idempotency-key"];
  if (key === undefined) {
    if (mode === "required") {
      throw badRequest("this request moves money and needs an Idempotency-Key header", [
        { field: "Idempotency-Key", message: "required" },
      ]);
    }
    return false;
  }
  if (typeof key !== "string" || !KEY.test(key)) {
    throw badRequest("Idempotency-Key is not valid", [
      { field: "Idempotency-Key", message: "8-200 characters of letters, digits, '_', '-', '.', ':'" },
    ]);
  }
  await purgeNowAndThen(request.ctx);
  const { db } = request.ctx;
  const actorUserId = request.actor?.userId ?? 0;
  const route = `${request.method} ${request.routeOptions.url}`;
  const requestHash = requestHashOf(request.method, request.url, request.body);
  const token = randomUUID();
  const inserted = await preparedRows(
    request.ctx,
    sql`INSERT INTO ${idempotencyKeys} (key, actor_user_id, route, request_hash, claim_token)
        VALUES (${key}, ${actorUserId}::int8, ${route}, ${requestHash}, ${token})
        ON CONFLICT DO NOTHING RETURNING key`,
  );
  if (inserted.length) {
    request.idempotencyKey = key;
    request.idempotencyToken = token;
    return false;
  }
  const [first] = await db
    .select({
      requestHash: idempotencyKeys.requestHash,
      status: idempotencyKeys.status,
      response: idempotencyKeys.response,
      claimToken: idempotencyKeys.claimToken,
      abandoned: sql<boolean>`${idempotencyKeys.claimedAt} < now() - make_interval(secs => ${CLAIM_LEASE_SECONDS})`,
    })
    .from(idempotencyKeys)
    .where(keyOf(actorUserId, key));
  if (!first) throw conflict("the Idempotency-Key is being released; try again");
  if (first.requestHash !== requestHash) {
    throw new Problem(422, "Refused by a rule", "this Idempotency-Key was already used with a different request", {
      rule: "idempotency.key_reused",
      field: "Idempotency-Key",
    });
  }
  if (first.status === null) {
    if (first.abandoned && (await takeOver(db, actorUserId, key, first.claimToken, token))) {
      request.idempotencyKey = key;
      request.idempotencyToken = token;
      return false;
    }
    throw conflict("a request with this Idempotency-Key is still running", { field: "Idempotency-Key" });
  }
  reply.header("idempotent-replayed", "true");
  await reply.code(first.status).send(first.response);
  return true;
}

/** Takes over an abandoned claim, unless another retry (or the first, finishing) got there first. */
async function takeOver(db: Db, actorUserId: number, key: string, was: string, token: string): Promise<boolean> {
  const taken = await db
    .update(idempotencyKeys)
    .set({ claimToken: token, claimedAt: sql`now()` })
    .where(and(keyOf(actorUserId, key), isNull(idempotencyKeys.status), eq(idempotencyKeys.claimToken, was)))
    .returning({ key: idempotencyKeys.key });
  return taken.length === 1;
}

/** This request's own claim, still without a response. */
const heldClaim = (request: FastifyRequest) =>
  and(
    keyOf(request.actor?.userId ?? 0, request.idempotencyKey!),
    eq(idempotencyKeys.claimToken, request.idempotencyToken ?? ""),
    isNull(idempotencyKeys.status),
  );

/**
 * Records the first response of a claimed key (when the handler did not already record it in its transaction);
 * a server error releases the key so the client may retry.
 */
export async function recordIdempotentResponse(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (!request.idempotencyKey || request.idempotencyRecorded) return;
  const { db } = request.ctx;
  if (reply.statusCode >= 500) {
    await db.delete(idempotencyKeys).where(heldClaim(request));
    return;
  }
  let body: unknown = null;
  if (typeof payload === "string" && payload.length) {
    try {
      body = JSON.parse(payload);
    } catch {
      body = payload;
    }
  }
  await db
    .update(idempotencyKeys)
    .set({ status: reply.statusCode, response: sql`${JSON.stringify(body)}::jsonb` })
    .where(heldClaim(request));
}

const wireReplacer = (_k: string, v: unknown) => {
  if (typeof v !== "bigint") return v;
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error("an amount is too large to carry as a JSON integer");
  }
  return Number(v);
};

/** The JSON text a value is sent as (bigint cents as integers): what is recorded is exactly what is sent. */
const wireJson = (value: unknown): string => (value === undefined ? "null" : JSON.stringify(value, wireReplacer));

/** The JSON a value becomes on the wire (bigint cents as integers), so what is recorded is exactly what is sent. */
export function jsonValue(value: unknown): unknown {
  return JSON.parse(wireJson(value));
}

/**
 * Runs a money-moving service call in one transaction that also records its response under the request's
 * Idempotency-Key: the money moves and the key is answered together or not at all, so a crash in between can
 * neither strand a key nor leave a movement a retry would repeat. If the claim was taken over meanwhile (the
 * request outlived its lease and a retry took the key), nothing is committed and the caller gets 409.
 * The work's audit rows are written by the same statement that records the response (collectAudit): one round
 * trip for both, still inside the transaction.
 */
export async function respondOnce<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  work: (tx: Ctx) => Promise<T>,
) {
  const body = await inTx(request.ctx, async (tx) => {
    const audited = collectAudit(tx.db);
    let auditRows: SQL | null = null;
    let text: string;
    try {
      text = wireJson(await work(tx));
    } finally {
      auditRows = audited();
    }
    if (!request.idempotencyKey) {
      if (auditRows) await tx.db.execute(auditRows);
      return text;
    }
    const record = sql`UPDATE ${idempotencyKeys} SET status = ${status}, response = ${text}::jsonb
      WHERE actor_user_id = ${request.actor?.userId ?? 0} AND key = ${request.idempotencyKey}
        AND claim_token = ${request.idempotencyToken ?? ""} AND status IS NULL
      RETURNING key`;
    const recorded = await preparedRows(tx, auditRows ? sql`WITH audited AS (${auditRows}) ${record}` : record);
    if (recorded.length !== 1) {
      throw conflict("another request took over this Idempotency-Key; send it again to see its answer", {
        field: "Idempotency-Key",
      });
    }
    return text;
  });
  if (request.idempotencyKey) request.idempotencyRecorded = true;
  return reply.code(status).type("application/json; charset=utf-8").send(body);
}
