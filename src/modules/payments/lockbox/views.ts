import { and, desc, eq, lt, sql } from "drizzle-orm";
import { isoInstant } from "../../../platform/clock.js";
import type { Ctx } from "../../../platform/context.js";
import { notFound } from "../../../platform/errors.js";
import { lockboxFiles } from "../cashiering-schema.js";
import type { LockboxFormat } from "./parsed.js";

type FileRow = typeof lockboxFiles.$inferSelect;

/** A lockbox file as lists show it: what it held and what its import did with it. */
export interface LockboxFileSummary {
  id: number;
  file_name: string;
  format: LockboxFormat;
  sha256: string;
  /** The bank's deposit date (the earliest in the file). */
  deposit_date: string;
  /** The business date it was imported on. */
  business_date: string;
  /** importing (still running, or cut off: importing the same file again resumes it) | imported */
  status: "importing" | "imported";
  item_count: number;
  total_cents: bigint;
  /** Matched by account number and posted as payments. */
  posted_count: number;
  posted_cents: bigint;
  /** Parked in payment suspense by the import (worked from the suspense queue since, or not). */
  suspense_count: number;
  suspense_cents: bigint;
  imported_by: string;
  started_at: string;
  completed_at: string | null;
}

/** One lockbox file: the summary, how far its import got, and its suspense items by reason and by where they are now. */
export interface LockboxFileView extends LockboxFileSummary {
  /** Items recorded so far (item_count once imported). */
  done_count: number;
  /** Items the import parked in suspense, by reason: no_account_number | check_digit | no_such_account. */
  suspense_by_reason: { reason: string; count: number; cents: bigint }[];
  /** Of the suspense items, how many are still in suspense, applied to an account, or returned to the sender. */
  suspense_open_count: number;
  suspense_open_cents: bigint;
  applied_count: number;
  returned_count: number;
}

export const fileSummary = (f: FileRow): LockboxFileSummary => ({
  id: f.id,
  file_name: f.fileName,
  format: f.format as LockboxFormat,
  sha256: f.sha256,
  deposit_date: f.depositDate,
  business_date: f.businessDate,
  status: f.status as "importing" | "imported",
  item_count: f.itemCount,
  total_cents: f.totalCents,
  posted_count: f.postedCount,
  posted_cents: f.postedCents,
  suspense_count: f.suspenseCount,
  suspense_cents: f.suspenseCents,
  imported_by: f.importedBy,
  started_at: isoInstant(f.startedAt),
  completed_at: f.completedAt ? isoInstant(f.completedAt) : null,
});

/** A lockbox file with how its import went (404 naming `file_id` when there is none). */
export async function lockboxFileView(ctx: Ctx, id: number): Promise<LockboxFileView> {
  const [file] = await ctx.db.select().from(lockboxFiles).where(eq(lockboxFiles.id, id));
  if (!file) throw notFound(`lockbox file ${id}`, "file_id");
  const rows = await ctx.database.rows<{ status: string; reason: string | null; n: bigint; cents: bigint }>(
    ctx.db,
    sql`SELECT status, suspense_reason AS reason, count(*)::int8 AS n, sum(amount_cents)::int8 AS cents
          FROM lockbox_items WHERE file_id = ${id} GROUP BY status, suspense_reason ORDER BY suspense_reason`,
  );
  const byReason = new Map<string, { reason: string; count: number; cents: bigint }>();
  let done = 0;
  const by = { suspense: [0, 0n], applied: [0, 0n], returned: [0, 0n] } as Record<string, [number, bigint]>;
  for (const r of rows) {
    done += Number(r.n);
    const at = by[r.status];
    if (at) {
      at[0] += Number(r.n);
      at[1] += r.cents;
    }
    if (r.reason) {
      const entry = byReason.get(r.reason) ?? { reason: r.reason, count: 0, cents: 0n };
      entry.count += Number(r.n);
      entry.cents += r.cents;
      byReason.set(r.reason, entry);
    }
  }
  return {
    ...fileSummary(file),
    done_count: done,
    suspense_by_reason: [...byReason.values()],
    suspense_open_count: by.suspense![0],
    suspense_open_cents: by.suspense![1],
    applied_count: by.applied![0],
    returned_count: by.returned![0],
  };
}

/** Lockbox files, newest first, `limit` at a time (at most 100); pass the last id seen as `before` for the next page. */
export async function listLockboxFiles(
  ctx: Ctx,
  query: { limit?: number; before?: number; status?: "importing" | "imported" } = {},
): Promise<{ files: LockboxFileSummary[]; next_before: number | null }> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? 20), 1), 100);
  const rows = await ctx.db
    .select()
    .from(lockboxFiles)
    .where(
      and(
        query.before !== undefined ? lt(lockboxFiles.id, query.before) : undefined,
        query.status ? eq(lockboxFiles.status, query.status) : undefined,
      ),
    )
    .orderBy(desc(lockboxFiles.id))
    .limit(limit + 1);
  const files = rows.slice(0, limit).map(fileSummary);
  return { files, next_before: rows.length > limit ? files[files.length - 1]!.id : null };
}
