import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Database, Db } from "./db.js";

/** Who is acting: a signed-in user, an API token's user, or the system (jobs, seed, CLI). */
export interface Actor {
  userId: number | null;
  username: string;
  roles: string[];
  permissions: ReadonlySet<string>;
  /** How the request authenticated. */
  via: "session" | "token" | "system";
  sessionId?: string;
  /** The session's CSRF token (cookie sessions only). */
  csrfToken?: string;
}

/** What every service call receives: the database, the clock, who acts, and the request it serves. */
export interface Ctx {
  database: Database;
  /** The root handle, or the open transaction when the call runs inside one. */
  db: Db;
  clock: Clock;
  config: Config;
  actor: Actor;
  requestId: string;
}

export const systemActor = (name = "system"): Actor => ({
  userId: null,
  username: name,
  roles: [],
  permissions: new Set(["*"]),
  via: "system",
});

/** Runs fn in one transaction (or inside the one already open), with ctx.db bound to it. */
export async function inTx<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db !== ctx.database.db) return fn(ctx);
  return ctx.database.db.transaction((tx) => fn({ ...ctx, db: tx }));
}

export function hasPermission(actor: Actor, permission: string): boolean {
  return actor.permissions.has("*") || actor.permissions.has(permission);
}
