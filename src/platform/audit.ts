import type { Ctx } from "./context.js";
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

const toJson = (value: unknown) =>
  value === undefined ? null : JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));

/** Writes audit rows in the caller's transaction (ctx.db). */
export async function audit(ctx: Ctx, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await ctx.db.insert(auditLog).values(
    entries.map((e) => ({
      actorUserId: ctx.actor.userId,
      actorName: ctx.actor.username,
      action: e.action,
      entityType: e.entityType,
      entityId: String(e.entityId),
      accountId: e.accountId ?? null,
      before: toJson(e.before),
      after: toJson(e.after),
      requestId: ctx.requestId,
    })),
  );
}
