import { hash, verify } from "@node-rs/argon2";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { timestampMs } from "../../platform/clock.js";
import { type Actor, type Ctx, inTx } from "../../platform/context.js";
import { randomToken, sha256Hex } from "../../platform/crypto.js";
import type { Db } from "../../platform/db.js";
import { badRequest, conflict, notFound, Problem, staleVersion } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { permissionsOf, ROLE_NAMES } from "./permissions.js";
import { apiTokens, sessions, users } from "./schema.js";
import { lockoutMinutes, lockoutThreshold, sessionHours } from "./settings.js";

export type UserRow = typeof users.$inferSelect;

/**
 * Whether a lockout is in force now: the lock has not run out. Lockouts use the real clock, as sign-in does; an
 * expired lock stays in `locked_until` until the next sign-in or unlock, so the date alone does not say it.
 */
export const isLocked = (u: Pick<UserRow, "lockedUntil">, nowMs = Date.now()) =>
  u.lockedUntil !== null && timestampMs(u.lockedUntil) > nowMs;

/** The user as the API shows it (never the password hash). */
export const userView = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  display_name: u.displayName,
  email: u.email,
  roles: u.roles,
  permissions: [...permissionsOf(u.roles)].sort(),
  active: u.active,
  locked_until: u.lockedUntil ? new Date(timestampMs(u.lockedUntil)).toISOString() : null,
  /** Locked out now by failed sign-ins (cleared by an unlock, a new password, or the lock running out). */
  locked: isLocked(u),
  version: u.version,
});
export type UserView = ReturnType<typeof userView>;

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

function checkRoles(roles: string[]) {
  const unknown = roles.filter((r) => !ROLE_NAMES.includes(r));
  if (unknown.length)
    throw badRequest(`unknown role ${unknown.join(", ")}`, [
      { field: "roles", message: `unknown role: ${unknown.join(", ")}; roles are ${ROLE_NAMES.join(", ")}` },
    ]);
}

/** Argon2id with the library's defaults. */
export const hashPassword = (password: string) => hash(password);

export interface NewUser {
  username: string;
  display_name: string;
  email?: string | null;
  password: string;
  roles: string[];
}

/** Creates a user. */
export async function createUser(ctx: Ctx, input: NewUser): Promise<UserView> {
  if (!USERNAME.test(input.username)) {
    throw badRequest("username is not valid", [
      { field: "username", message: "2-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit" },
    ]);
  }
  if (input.password.length < 12)
    throw badRequest("password is too short", [{ field: "password", message: "at least 12 characters" }]);
  checkRoles(input.roles);
  const passwordHash = await hashPassword(input.password);
  return inTx(ctx, async (tx) => {
    const [existing] = await tx.db.select({ id: users.id }).from(users).where(eq(users.username, input.username));
    if (existing) throw conflict(`a user named ${input.username} already exists`, { field: "username" });
    const [row] = await tx.db
      .insert(users)
      .values({
        username: input.username,
        displayName: input.display_name,
        email: input.email ?? null,
        passwordHash,
        roles: input.roles,
      })
      .returning();
    const view = userView(row!);
    await audit(tx, { action: "user.create", entityType: "user", entityId: row!.id, after: view });
    return view;
  });
}

export async function listUsers(db: Db): Promise<UserView[]> {
  return (await db.select().from(users).orderBy(users.username)).map(userView);
}

async function loadUser(db: Db, id: number): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound(`user ${id}`);
  return row;
}

export const getUser = async (db: Db, id: number) => userView(await loadUser(db, id));

export interface UserChange {
  version: number;
  display_name?: string;
  email?: string | null;
  roles?: string[];
  active?: boolean;
  password?: string;
  unlock?: boolean;
}

/** Edits a user (roles, active, password, unlock) with the row version read. */
export async function updateUser(ctx: Ctx, id: number, change: UserChange): Promise<UserView> {
  if (change.roles) checkRoles(change.roles);
  if (change.password !== undefined && change.password.length < 12) {
    throw badRequest("password is too short", [{ field: "password", message: "at least 12 characters" }]);
  }
  const passwordHash = change.password !== undefined ? await hashPassword(change.password) : undefined;
  return inTx(ctx, async (tx) => {
    const before = await loadUser(tx.db, id);
    if (before.version !== change.version) throw staleVersion(`user ${before.username}`, userView(before));
    const [after] = await tx.db
      .update(users)
      .set({
        displayName: change.display_name ?? before.displayName,
        email: change.email === undefined ? before.email : change.email,
        roles: change.roles ?? before.roles,
        active: change.active ?? before.active,
        passwordHash: passwordHash ?? before.passwordHash,
        failedLogins: change.unlock || passwordHash ? 0 : before.failedLogins,
        lockedUntil: change.unlock || passwordHash ? null : before.lockedUntil,
        version: before.version + 1,
      })
      .where(eq(users.id, id))
      .returning();
    if (change.active === false) await tx.db.delete(sessions).where(eq(sessions.userId, id));
    const view = userView(after!);
    await audit(tx, {
      action: "user.update",
      entityType: "user",
      entityId: id,
      before: { ...userView(before), password: "[redacted]" },
      after: { ...view, password: passwordHash ? "[redacted: changed]" : "[redacted]" },
    });
    return view;
  });
}

/** Checks a username and password; counts failures and locks after the threshold. Uses the real clock (not the business one). */
export async function checkCredentials(ctx: Ctx, username: string, password: string): Promise<UserRow> {
  const [user] = await ctx.db.select().from(users).where(eq(users.username, username));
  const nowMs = Date.now();
  const lockedMs = user?.lockedUntil ? timestampMs(user.lockedUntil) : 0;
  if (user && isLocked(user, nowMs)) {
    throw new Problem(
      429,
      "Too many requests",
      "this user is locked after too many failed sign-ins; try again later or ask an admin to unlock",
      {
        retry_after: Math.ceil((lockedMs - nowMs) / 1000),
      },
    );
  }
  const ok = user ? await verify(user.passwordHash, password) : false;
  if (!user || !ok || !user.active) {
    if (user && !ok) {
      const threshold = await currentSetting(ctx, lockoutThreshold);
      const minutes = await currentSetting(ctx, lockoutMinutes);
      const failures = user.failedLogins + 1;
      const lock = failures >= threshold ? new Date(nowMs + minutes * 60_000).toISOString() : null;
      await inTx(ctx, async (tx) => {
        await tx.db
          .update(users)
          .set({ failedLogins: lock ? 0 : failures, lockedUntil: lock })
          .where(eq(users.id, user.id));
        await audit(
          { ...tx, actor: { ...tx.actor, userId: user.id, username } },
          {
            action: lock ? "user.locked" : "user.login_failed",
            entityType: "user",
            entityId: user.id,
            after: { failed_logins: failures, locked_until: lock },
          },
        );
      });
      if (lock) {
        throw new Problem(429, "Too many requests", "too many failed sign-ins: this user is locked for a while", {
          retry_after: minutes * 60,
        });
      }
    }
    throw new Problem(401, "Unauthorized", "the username or password is not right");
  }
  return user;
}

/** Signs a user in: a new session. Returns the cookie secret and the CSRF token. */
export async function startSession(ctx: Ctx, user: UserRow) {
  const secret = randomToken();
  const csrf = randomToken();
  const hours = await currentSetting(ctx, sessionHours);
  await inTx(ctx, async (tx) => {
    await tx.db.insert(sessions).values({
      id: sha256Hex(secret),
      userId: user.id,
      csrfToken: csrf,
      expiresAt: new Date(Date.now() + hours * 3_600_000).toISOString(),
    });
    if (user.failedLogins > 0 || user.lockedUntil) {
      await tx.db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
    }
    await audit(
      { ...tx, actor: actorOf(user, "session") },
      { action: "user.login", entityType: "user", entityId: user.id },
    );
  });
  return { secret, csrf, maxAgeSeconds: hours * 3600 };
}

export async function endSession(ctx: Ctx, sessionId: string) {
  await inTx(ctx, async (tx) => {
    await tx.db.delete(sessions).where(eq(sessions.id, sessionId));
    await audit(tx, { action: "user.logout", entityType: "user", entityId: tx.actor.userId ?? 0 });
  });
}

export const actorOf = (user: UserRow, via: Actor["via"], sessionId?: string, csrfToken?: string): Actor => ({
  userId: user.id,
  username: user.username,
  roles: user.roles,
  permissions: permissionsOf(user.roles),
  via,
  sessionId,
  csrfToken,
});

/** The session behind a cookie secret, if live. */
export async function findSession(db: Db, secret: string) {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sha256Hex(secret)), gt(sessions.expiresAt, sql`now()`), eq(users.active, true)));
  return row;
}

/** The user behind a bearer token, if live. */
export async function findTokenUser(db: Db, token: string) {
  const [row] = await db
    .select({ user: users, tokenId: apiTokens.id })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sha256Hex(token)), isNull(apiTokens.revokedAt), eq(users.active, true)));
  return row;
}

/** Issues an API token for a user; the secret is shown once. */
export async function createToken(ctx: Ctx, username: string, name = "api") {
  return inTx(ctx, async (tx) => {
    const [user] = await tx.db.select().from(users).where(eq(users.username, username));
    if (!user) throw notFound(`user ${username}`);
    const secret = `kw_${randomToken()}`;
    const [row] = await tx.db
      .insert(apiTokens)
      .values({ userId: user.id, name, tokenHash: sha256Hex(secret) })
      .returning({ id: apiTokens.id });
    await audit(tx, {
      action: "token.create",
      entityType: "api_token",
      entityId: row!.id,
      after: { user: username, name },
    });
    return { id: row!.id, token: secret, username, name };
  });
}

export async function revokeToken(ctx: Ctx, id: number) {
  await inTx(ctx, async (tx) => {
    const [row] = await tx.db.update(apiTokens).set({ revokedAt: sql`now()` }).where(eq(apiTokens.id, id)).returning();
    if (!row) throw notFound(`API token ${id}`);
    await audit(tx, { action: "token.revoke", entityType: "api_token", entityId: id });
  });
}
