import { randomUUID } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import {
  createSerializerCompiler,
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import { type Actor, type Ctx, hasPermission } from "./context.js";
import type { Database } from "./db.js";
import { type FieldError, forbidden, Problem, unauthorized } from "./errors.js";
import { claimIdempotencyKey, recordIdempotentResponse } from "./idempotency.js";

/** What a route requires: a named permission, any signed-in caller, or nothing (the short public list). */
export type Access = { permission: string } | { authenticated: true } | { public: true };

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** The service context for this request (requires a caller). */
    ctx: Ctx;
  }
}

/** Finds the caller of a request (session cookie or bearer token); supplied by the identity context. */
export type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<Actor | null>;

export interface HttpDeps {
  database: Database;
  clock: Clock;
  config: Config;
  authenticate: Authenticate;
  logger?: boolean | object;
  bodyLimit?: number;
  /** Serves this for unknown non-API GETs (the workstation's client-side routes). */
  spaFallback?: (reply: FastifyReply) => FastifyReply;
}

export type App = FastifyInstance & { withTypeProvider(): FastifyInstance };
export interface RouteRecord {
  method: string;
  url: string;
  access: Access | undefined;
}

const bigintReplacer = (_key: string, value: unknown) => {
  if (typeof value !== "bigint") return value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error("an amount is too large to carry as a JSON integer");
  }
  return Number(value);
};

const problemType = (status: number) => `https://kilowatt.dev/problems/${status}`;

/** Sends an RFC 9457 problem+json body. */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem) {
  return reply
    .code(problem.status)
    .type("application/problem+json")
    .send({
      type: problemType(problem.status),
      title: problem.title,
      status: problem.status,
      detail: problem.message,
      instance: request.url,
      request_id: request.id,
      ...problem.extra,
    });
}

const fieldPath = (parts: readonly PropertyKey[], prefix: string) =>
  [prefix, ...parts.map(String)].filter(Boolean).join(".");

/** Turns any thrown error into a problem. */
function toProblem(error: FastifyError | Error): Problem {
  if (error instanceof Problem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? "body";
    const prefix = where === "body" ? "" : where;
    const errors: FieldError[] = error.validation.flatMap((v) => {
      const path = v.instancePath.split("/").filter(Boolean);
      const keys = (v.params as { keys?: string[] }).keys;
      if (v.keyword === "unrecognized_keys" && keys?.length) {
        // Name each unknown field itself, so a misspelling points at the field the client sent.
        return keys.map((k) => ({ field: fieldPath([...path, k], prefix), message: "is not a known field" }));
      }
      return [{ field: fieldPath(path, prefix) || where, message: v.message ?? "is not valid" }];
    });
    return new Problem(400, "Bad request", `the request is not valid: ${errors.map((e) => e.field).join(", ")}`, {
      errors,
    });
  }
  const fe = error as FastifyError;
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new Problem(413, "Payload too large", "the request body is too large");
  if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new Problem(415, "Unsupported media type", fe.message);
  if (
    fe.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
    fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
    (fe.statusCode === 400 && error instanceof SyntaxError)
  ) {
    return new Problem(400, "Bad request", `the body is not valid JSON: ${error.message}`, {
      errors: [{ field: "body", message: "not valid JSON" }],
    });
  }
  if (fe.statusCode === 429) return new Problem(429, "Too many requests", fe.message);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new Problem(fe.statusCode, "Bad request", fe.message, { errors: [] });
  }
  return new Problem(500, "Internal error", "something went wrong; the request id identifies it in the log");
}

/** A fastify instance with the house rules: request ids, problem+json, zod, and access on every route. */
export function createHttp(deps: HttpDeps) {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(createSerializerCompiler({ replacer: bigintReplacer }));
  app.setReplySerializer((payload) => JSON.stringify(payload, bigintReplacer));

  const routes: RouteRecord[] = [];
  app.decorate("routeTable", routes);
  app.decorateRequest("actor", null);
  app.decorateRequest("ctx", null as unknown as Ctx);
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Outside /api everything is the workstation's static files, and /api/docs is the API's docs page: public.
    if (!route.config?.access && (!route.url.startsWith("/api") || route.url.startsWith("/api/docs"))) {
      route.config = { ...route.config, access: { public: true } };
    }
    for (const method of methods) {
      if (method === "HEAD") continue;
      routes.push({ method, url: route.url, access: route.config?.access });
    }
  });
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  // Access is checked as soon as the route is known, before the body is parsed or validated: an anonymous or
  // unpermitted caller learns nothing about a route's schema and costs no parsing.
  app.addHook("onRequest", async (request, reply) => {
    // Unknown URLs reach the not-found handler (a 404 problem, or the workstation's index.html): nothing to guard.
    if (request.is404) return;
    const access = request.routeOptions.config?.access;
    if (!access) {
      // A route that names no access is a programming error: refuse rather than serve it open.
      throw new Problem(500, "Internal error", "this route names no permission");
    }
    if ("public" in access) return;
    const actor = await deps.authenticate(request, reply);
    if (!actor) throw unauthorized();
    if ("permission" in access && !hasPermission(actor, access.permission)) throw forbidden(access.permission);
    request.actor = actor;
    request.ctx = {
      database: deps.database,
      db: deps.database.db,
      clock: deps.clock,
      config: deps.config,
      actor,
      requestId: request.id,
    };
  });
  app.addHook("preHandler", async (request, reply) => {
    if (request.actor && (await claimIdempotencyKey(request, reply))) return reply;
  });
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.idempotencyKey && reply.getHeader("idempotent-replayed") === undefined) {
      await recordIdempotentResponse(request, reply, payload);
    }
    return payload;
  });
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error as FastifyError);
    if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    if (isResponseSerializationError(error))
      request.log.error({ err: error.cause }, "response did not match its schema");
    if (problem.status === 429 && (error as FastifyError & { headers?: Record<string, string> }).headers) {
      reply.headers((error as unknown as { headers: Record<string, string> }).headers);
    }
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    if (deps.spaFallback && request.method === "GET" && !request.url.startsWith("/api")) return deps.spaFallback(reply);
    return sendProblem(
      reply,
      request,
      new Problem(404, "Not found", `no route ${request.method} ${request.url.split("?")[0]}`),
    );
  });
  return app;
}

export type Http = ReturnType<typeof createHttp>;

/** The routes registered so far, with the access each names. */
export const routeTable = (app: Http) => (app as unknown as { routeTable: RouteRecord[] }).routeTable;
