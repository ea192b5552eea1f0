import { asc, desc, eq, inArray, sql } from "drizzle-orm";
import { isoInstant } from "../../platform/clock.js";
import type { Ctx } from "../../platform/context.js";
import { notFound } from "../../platform/errors.js";
import { accounts } from "../accounts/index.js";
import { parties } from "../parties/index.js";
import type { BatchListQuery } from "./batch-inputs.js";
import { paymentBatches, paymentBatchRows } from "./cashiering-schema.js";

export type BatchRecord = typeof paymentBatches.$inferSelect;

/** One keyed row as the batch view shows it: the account's number and customer for a glance, and the amount. */
export interface BatchRowView {
  position: number;
  account_id: number;
  account_number: string;
  customer_name: string;
  amount_cents: bigint;
  check_number: string | null;
  /** The payment it became, once the batch posted. */
  payment_id: number | null;
}

/** A batch without its rows: the control figures, what is keyed so far and the differences. */
export interface BatchSummary {
  id: number;
  business_date: string;
  label: string | null;
  tender_type: string;
  status: string;
  control_count: number;
  control_total_cents: bigint;
  keyed_count: number;
  keyed_total_cents: bigint;
  /** Control less keyed: positive is still to key, negative is keyed over. */
  count_difference: number;
  total_difference_cents: bigint;
  /** Both differences are zero: the batch may post. */
  balanced: boolean;
  created_by: string;
  created_at: string;
  posted_by: string | null;
  posted_at: string | null;
  version: number;
}

export interface BatchView extends BatchSummary {
  rows: BatchRowView[];
}

export const summaryOf = (b: BatchRecord, keyedCount: number, keyedTotal: bigint): BatchSummary => {
  const countDifference = b.controlCount - keyedCount;
  const totalDifference = b.controlTotalCents - keyedTotal;
  return {
    id: b.id,
    business_date: b.businessDate,
    label: b.label,
    tender_type: b.tenderType,
    status: b.status,
    control_count: b.controlCount,
    control_total_cents: b.controlTotalCents,
    keyed_count: keyedCount,
    keyed_total_cents: keyedTotal,
    count_difference: countDifference,
    total_difference_cents: totalDifference,
    balanced: countDifference === 0 && totalDifference === 0n,
    created_by: b.createdBy,
    created_at: isoInstant(b.createdAt),
    posted_by: b.postedBy,
    posted_at: b.postedAt === null ? null : isoInstant(b.postedAt),
    version: b.version,
  };
};

export const dollars = (cents: bigint) => {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}$${(abs / 100n).toLocaleString("en-US")}.${String(abs % 100n).padStart(2, "0")}`;
};

/** The batch (404 when there is none); `forUpdate` holds it for the rest of the transaction. */
export async function requireBatch(ctx: Ctx, id: number, forUpdate = false): Promise<BatchRecord> {
  const query = ctx.db.select().from(paymentBatches).where(eq(paymentBatches.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`payment batch ${id}`, "id");
  return row;
}

/** The keyed rows of a batch with their account numbers and customer names, in keying order. */
async function rowsOf(ctx: Ctx, batchId: number): Promise<BatchRowView[]> {
  const rows = await ctx.db
    .select({
      position: paymentBatchRows.position,
      accountId: paymentBatchRows.accountId,
      accountNumber: accounts.accountNumber,
      customerName: parties.displayName,
      amountCents: paymentBatchRows.amountCents,
      checkNumber: paymentBatchRows.checkNumber,
      paymentId: paymentBatchRows.paymentId,
    })
    .from(paymentBatchRows)
    .innerJoin(accounts, eq(accounts.id, paymentBatchRows.accountId))
    .innerJoin(parties, eq(parties.id, accounts.mainPartyId))
    .where(eq(paymentBatchRows.batchId, batchId))
    .orderBy(asc(paymentBatchRows.position));
  return rows.map((r) => ({
    position: r.position,
    account_id: r.accountId,
    account_number: r.accountNumber,
    customer_name: r.customerName,
    amount_cents: r.amountCents,
    check_number: r.checkNumber,
    payment_id: r.paymentId,
  }));
}

/** A batch with its rows, what is keyed and the differences to the control count and total. */
export async function batchView(ctx: Ctx, id: number): Promise<BatchView> {
  const batch = await requireBatch(ctx, id);
  const rows = await rowsOf(ctx, id);
  const total = rows.reduce((sum, r) => sum + r.amount_cents, 0n);
  return { ...summaryOf(batch, rows.length, total), rows };
}

/**
 * The batches, newest first: by status, or (no status) the keying desk: every open batch and those posted or
 * cancelled on today's business date.
 */
export async function listBatches(ctx: Ctx, query: BatchListQuery): Promise<{ batches: BatchSummary[] }> {
  const today = ctx.clock.today().toString();
  const zone = ctx.clock.timezone;
  const filter = query.status
    ? eq(paymentBatches.status, query.status)
    : sql`(${paymentBatches.status} = 'open' OR ${paymentBatches.businessDate} = ${today}::date
           OR (${paymentBatches.postedAt} AT TIME ZONE ${zone})::date = ${today}::date)`;
  const batches = await ctx.db
    .select()
    .from(paymentBatches)
    .where(filter)
    .orderBy(desc(paymentBatches.id))
    .limit(query.limit);
  if (batches.length === 0) return { batches: [] };
  const keyed = await ctx.db
    .select({
      batchId: paymentBatchRows.batchId,
      count: sql<number>`count(*)::int`,
      total: sql<bigint>`sum(${paymentBatchRows.amountCents})::int8`,
    })
    .from(paymentBatchRows)
    .where(
      inArray(
        paymentBatchRows.batchId,
        batches.map((b) => b.id),
      ),
    )
    .groupBy(paymentBatchRows.batchId);
  const byBatch = new Map(keyed.map((k) => [k.batchId, k]));
  return {
    batches: batches.map((b) => {
      const k = byBatch.get(b.id);
      return summaryOf(b, k ? Number(k.count) : 0, k ? BigInt(k.total) : 0n);
    }),
  };
}
