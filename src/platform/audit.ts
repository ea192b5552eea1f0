import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "./context.js";
import type { Db } from "./db.js";
import { preparedRows } from "./prepared.js";
import { auditLog } from "./schema.js";

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | number;
  accountId?: number | null;
  before?: unknown;
  after?: unknown;
}

/** Replaces sensitive fields with a marker that says only whether they changed. */
export function redact(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  sensitive: readonly string[],
): { before: Record<string, unknown> | null; after: Record<string, unknown> | null } {
  const strip = (
    row: Record<string, unknown> | null | undefined,
    other: Record<string, unknown> | null | undefined,
  ) => {
    if (!row) return null;
    const out: Record<string, unknown> = { ...row };
    for (const f of sensitive) {
      if (!(f in out)) continue;
      const changed = !other || other[f] !== row[f];
      out[f] = out[f] == null ? null : changed ? "[redacted: changed]" : "[redacted]";
    }
    return out;
  };
  return { before: strip(before, after), after: strip(after, before) };
}

/** The JSON text of an image (bigint as a string), or null (SQL NULL) when there is none. */
const jsonText = (value: unknown): string | null =>
  value == null ? null : (JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? null);

/** One audit row, bound to the caller and the request, ready to insert (images as JSON text). */
interface AuditRow {
  actorUserId: number | null;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string;
  accountId: number | null;
  before: string | null;
  after: string | null;
  requestId: string;
}

const rowOf = (ctx: Ctx, e: AuditEntry): AuditRow => ({
  actorUserId: ctx.actor.userId,
  actorName: ctx.actor.username,
  action: e.action,
  entityType: e.entityType,
  entityId: String(e.entityId),
  accountId: e.accountId ?? null,
  before: jsonText(e.before),
  after: jsonText(e.after),
  requestId: ctx.requestId,
});

/**
 * Audit rows held back, per open transaction, to be written by the statement that ends the transaction's work
 * (collectAudit): still in the same transaction, so they commit or roll back with the change, one round trip fewer
 * per write. Only for work that never reads audit_log back before it ends.
 */
const collected = new WeakMap<Db, AuditRow[]>();

/** Writes audit rows in the caller's transaction (ctx.db), or adds them to the rows collected for it. */
export async function audit(ctx: Ctx, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => rowOf(ctx, e));
  const held = collected.get(ctx.db);
  if (held) {
    held.push(...rows);
    return;
  }
  await preparedRows(ctx, insertAuditRows(rows));
}

/**
 * The INSERT of audit rows, as one statement (also usable as a data-modifying WITH clause) whose text is the same
 * for any number of rows (they go as arrays), so it can be prepared once.
 */
function insertAuditRows(rows: readonly AuditRow[]): SQL {
  const col = <K extends keyof AuditRow>(k: K) => sql.param(rows.map((r) => r[k]));
  return sql`INSERT INTO ${auditLog} (actor_user_id, actor_name, action, entity_type, entity_id, account_id, before,
             after, request_id)
             SELECT r.actor_user_id, r.actor_name, r.action, r.entity_type, r.entity_id, r.account_id, r.before::jsonb,
                    r.after::jsonb, r.request_id
             FROM unnest(${col("actorUserId")}::int8[], ${col("actorName")}::text[], ${col("action")}::text[],
                         ${col("entityType")}::text[], ${col("entityId")}::text[], ${col("accountId")}::int8[],
                         ${col("before")}::text[], ${col("after")}::text[], ${col("requestId")}::text[])
                  AS r(actor_user_id, actor_name, action, entity_type, entity_id, account_id, before, after, request_id)`;
}

/**
 * Collects the audit rows written through `db` (an open transaction) from now on instead of inserting them one
 * statement at a time. Returns the function that stops collecting and gives the INSERT of what was collected (null
 * when nothing was), which the caller must run in the same transaction before it commits.
 */
export function collectAudit(db: Db): () => SQL | null {
  if (collected.has(db)) throw new Error("audit rows are already collected for this transaction");
  const rows: AuditRow[] = [];
  collected.set(db, rows);
  return () => {
    collected.delete(db);
    return rows.length ? insertAuditRows(rows) : null;
  };
}
