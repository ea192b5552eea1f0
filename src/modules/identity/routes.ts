import rateLimit from "@fastify/rate-limit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type Ctx, systemActor } from "../../platform/context.js";
import { Problem } from "../../platform/errors.js";
import type { Authenticate, Http } from "../../platform/http.js";
import { currentSetting } from "../../platform/settings.js";
import { PERMISSIONS, ROLES } from "./permissions.js";
import {
  actorOf,
  checkCredentials,
  createToken,
  createUser,
  endSession,
  findSession,
  findTokenUser,
  getUser,
  listUsers,
  revokeToken,
  startSession,
  updateUser,
  userView,
} from "./service.js";
import { loginRatePerMinute } from "./settings.js";

export const SESSION_COOKIE = "kw_session";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function parseCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** Finds the caller: a bearer token, else the session cookie (whose writes must carry x-csrf-token). */
export function makeAuthenticate(baseCtx: () => Omit<Ctx, "actor" | "requestId">): Authenticate {
  return async (request: FastifyRequest) => {
    const { db } = baseCtx();
    const auth = request.headers.authorization;
    if (auth?.startsWith("Bearer ")) {
      const found = await findTokenUser(db, auth.slice(7).trim());
      return found ? actorOf(found.user, "token") : null;
    }
    const secret = parseCookie(request.headers.cookie, SESSION_COOKIE);
    if (!secret) return null;
    const found = await findSession(db, secret);
    if (!found) return null;
    if (UNSAFE.has(request.method) && request.headers["x-csrf-token"] !== found.session.csrfToken) {
      throw new Problem(403, "Forbidden", "this write needs the x-csrf-token header from the session", {
        field: "x-csrf-token",
      });
    }
    return actorOf(found.user, "session", found.session.id, found.session.csrfToken);
  };
}

const cookie = (value: string, maxAge: number, secure: boolean) =>
  `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;

const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  display_name: z.string(),
  email: z.string().nullable(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  active: z.boolean(),
  locked_until: z.string().nullable(),
  locked: z.boolean().describe("a lockout after failed sign-ins is in force now"),
  version: z.number(),
});

const password = z.string().min(12).max(256);

/** Sign-in, session, sign-out, users and API tokens. */
export async function identityRoutes(app: Http, base: () => Omit<Ctx, "actor" | "requestId">) {
  const anonCtx = (request: FastifyRequest): Ctx => ({
    ...base(),
    actor: systemActor("anonymous"),
    requestId: request.id,
  });
  const secureCookies = process.env.KILOWATT_SECURE_COOKIES === "1";

  await app.register(async (scope) => {
    await scope.register(rateLimit, {
      max: async () => currentSetting({ ...base(), actor: systemActor(), requestId: "rate-limit" }, loginRatePerMinute),
      timeWindow: 60_000,
      errorResponseBuilder: (_req, ctx) =>
        new Problem(429, "Too many requests", `too many sign-in attempts; retry in ${Math.ceil(ctx.ttl / 1000)} s`, {
          retry_after: Math.ceil(ctx.ttl / 1000),
        }),
    });
    scope.post(
      "/api/v1/auth/login",
      {
        config: { access: { public: true } },
        schema: {
          tags: ["identity"],
          summary: "Sign in with a username and password",
          body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
        },
      },
      async (request, reply) => {
        const ctx = anonCtx(request);
        const { username, password: pw } = request.body as { username: string; password: string };
        try {
          const user = await checkCredentials(ctx, username, pw);
          const session = await startSession(ctx, user);
          reply.header("set-cookie", cookie(session.secret, session.maxAgeSeconds, secureCookies));
          return { user: userView(user), csrf_token: session.csrf };
        } catch (err) {
          if (err instanceof Problem && err.status === 429)
            reply.header("retry-after", String(err.extra.retry_after ?? 60));
          throw err;
        }
      },
    );
  });

  app.get(
    "/api/v1/auth/session",
    {
      config: { access: { authenticated: true } },
      schema: { tags: ["identity"], summary: "The signed-in user and a CSRF token" },
    },
    async (request) => {
      const actor = request.actor!;
      const user = await getUser(request.ctx.db, actor.userId!);
      return { user, csrf_token: actor.csrfToken ?? null };
    },
  );

  app.post(
    "/api/v1/auth/logout",
    { config: { access: { authenticated: true } }, schema: { tags: ["identity"], summary: "Sign out" } },
    async (request, reply: FastifyReply) => {
      if (request.actor?.sessionId) await endSession(request.ctx, request.actor.sessionId);
      reply.header("set-cookie", cookie("", 0, secureCookies));
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/v1/roles",
    {
      config: { access: { authenticated: true } },
      schema: { tags: ["identity"], summary: "Roles and the permissions each bundles" },
    },
    async () => ({
      roles: Object.entries(ROLES).map(([name, r]) => ({
        name,
        description: r.description,
        permissions: r.permissions,
      })),
      permissions: Object.entries(PERMISSIONS).map(([name, description]) => ({ name, description })),
    }),
  );

  app.get(
    "/api/v1/users",
    {
      config: { access: { permission: "users.manage" } },
      schema: {
        tags: ["identity"],
        summary: "List users",
        response: { 200: z.object({ users: z.array(userSchema) }) },
      },
    },
    async (request) => ({ users: await listUsers(request.ctx.db) }),
  );

  app.post(
    "/api/v1/users",
    {
      config: { access: { permission: "users.manage" } },
      schema: {
        tags: ["identity"],
        summary: "Create a user",
        body: z.object({
          username: z.string().min(2).max(64),
          display_name: z.string().min(1).max(200),
          email: z.email().max(254).nullish(),
          password,
          roles: z.array(z.string().max(40)).min(1).max(20),
        }),
        response: { 201: userSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createUser(request.ctx, request.body as Parameters<typeof createUser>[1])),
  );

  const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

  app.get(
    "/api/v1/users/:id",
    {
      config: { access: { permission: "users.manage" } },
      schema: { tags: ["identity"], summary: "One user", params: idParams, response: { 200: userSchema } },
    },
    async (request) => getUser(request.ctx.db, (request.params as { id: number }).id),
  );

  app.patch(
    "/api/v1/users/:id",
    {
      config: { access: { permission: "users.manage" } },
      schema: {
        tags: ["identity"],
        summary: "Change a user's roles, name, email, active flag or password, or unlock it",
        params: idParams,
        body: z.object({
          version: z.number().int(),
          display_name: z.string().min(1).max(200).optional(),
          email: z.email().max(254).nullish(),
          roles: z.array(z.string().max(40)).min(1).max(20).optional(),
          active: z.boolean().optional(),
          password: password.optional(),
          unlock: z.boolean().optional(),
        }),
        response: { 200: userSchema },
      },
    },
    async (request) =>
      updateUser(request.ctx, (request.params as { id: number }).id, request.body as Parameters<typeof updateUser>[2]),
  );

  app.post(
    "/api/v1/users/:id/tokens",
    {
      config: { access: { permission: "users.manage" } },
      schema: {
        tags: ["identity"],
        summary: "Issue an API token for a user (shown once)",
        params: idParams,
        body: z.object({ name: z.string().min(1).max(100) }),
      },
    },
    async (request, reply) => {
      const user = await getUser(request.ctx.db, (request.params as { id: number }).id);
      return reply
        .code(201)
        .send(await createToken(request.ctx, user.username, (request.body as { name: string }).name));
    },
  );

  app.delete(
    "/api/v1/tokens/:id",
    {
      config: { access: { permission: "users.manage" } },
      schema: { tags: ["identity"], summary: "Revoke an API token", params: idParams },
    },
    async (request, reply) => {
      await revokeToken(request.ctx, (request.params as { id: number }).id);
      return reply.code(204).send();
    },
  );
}
