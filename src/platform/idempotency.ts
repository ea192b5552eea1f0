import { and, eq, sql } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sha256Hex } from "./crypto.js";
import { badRequest, conflict, Problem } from "./errors.js";
import { idempotencyKeys } from "./schema.js";

/** Whether a route takes an Idempotency-Key: money-moving routes require it; creating routes accept it. */
export type IdempotencyMode = "required" | "optional";

declare module "fastify" {
  interface FastifyContextConfig {
    idempotency?: IdempotencyMode;
  }
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

const KEY = /^[\w.:-]{8,200}$/;

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/**
 * Claims the key before the handler runs. A replay of a finished request answers its first status and body and runs
 * nothing; the same key with another body is refused (422); the same key while the first is still running gets 409.
 * Returns true when the reply was already sent (a replay).
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
  const { db } = request.ctx;
  const actorUserId = request.actor?.userId ?? 0;
  const route = `${request.method} ${request.routeOptions.url}`;
  const requestHash = sha256Hex(`${request.method} ${request.url}\n${canonical(request.body ?? null)}`);
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ key, actorUserId, route, requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length) {
    request.idempotencyKey = key;
    return false;
  }
  const [first] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.actorUserId, actorUserId), eq(idempotencyKeys.key, key)));
  if (!first) throw conflict("the Idempotency-Key is being released; try again");
  if (first.requestHash !== requestHash) {
    throw new Problem(422, "Refused by a rule", "this Idempotency-Key was already used with a different request", {
      rule: "idempotency.key_reused",
      field: "Idempotency-Key",
    });
  }
  if (first.status === null)
    throw conflict("a request with this Idempotency-Key is still running", { field: "Idempotency-Key" });
  reply.header("idempotent-replayed", "true");
  await reply.code(first.status).send(first.response);
  return true;
}

/** Records the first response of a claimed key; a server error releases the key so the client may retry. */
export async function recordIdempotentResponse(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const key = request.idempotencyKey;
  if (!key) return;
  const { db } = request.ctx;
  const actorUserId = request.actor?.userId ?? 0;
  const where = and(eq(idempotencyKeys.actorUserId, actorUserId), eq(idempotencyKeys.key, key));
  if (reply.statusCode >= 500) {
    await db.delete(idempotencyKeys).where(where);
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
    .where(where);
}
