import { createHash } from "node:crypto";
import type { SQL } from "drizzle-orm";
import type { Ctx } from "./context.js";

// The busiest writes (a payment: a dozen statements) spend as much of the server's time parsing and planning their
// statements as running them. A statement whose text never changes (lists passed as arrays, not as VALUES rows) runs
// here as a named prepared statement: PostgreSQL parses it once per connection and, after a few runs, reuses a
// generic plan. PGlite runs it as an ordinary statement.

/** The drizzle handle's own query builder and session (not in its typings). */
interface DrizzleInternals {
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session: {
    prepareQuery(
      query: { sql: string; params: unknown[] },
      fields: undefined,
      name: string | undefined,
      arrayMode: boolean,
    ): { execute(): Promise<unknown> };
  };
}

/** Statement names by text. Bounded, so a caller that builds texts of many shapes cannot fill the server's memory. */
const names = new Map<string, string>();
const MAX_NAMES = 500;

function nameOf(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMES) return known;
  const name = `kw_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
  names.set(text, name);
  return name;
}

/**
 * The rows of a statement whose text is fixed (its values all parameters), run as a prepared statement named after
 * its text, in the caller's transaction (ctx.db).
 */
export async function preparedRows<T = Record<string, unknown>>(ctx: Ctx, query: SQL): Promise<T[]> {
  const db = ctx.db as unknown as DrizzleInternals;
  const built = db.dialect.sqlToQuery(query);
  const result = await db.session.prepareQuery(built, undefined, nameOf(built.sql), false).execute();
  return (result as { rows: T[] }).rows;
}
