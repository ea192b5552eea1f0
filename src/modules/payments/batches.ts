import { and, eq, sql } from "drizzle-orm";
import { isValidAccountNumber } from "../../core/account-number.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, type FieldError, notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import { accounts } from "../accounts/index.js";
import { type BatchInput, type BatchRowChange, type BatchRowInput, MAX_BATCH_ROWS } from "./batch-inputs.js";
import { type BatchRecord, type BatchView, batchView, dollars, requireBatch, summaryOf } from "./batch-views.js";
import { type BulkPayment, postPaymentsBulk } from "./bulk.js";
import { paymentBatches, paymentBatchRows } from "./cashiering-schema.js";

/** The batch, held, still open and (when the caller read one) at the version read: else refused. */
async function openBatch(ctx: Ctx, id: number, version?: number): Promise<BatchRecord> {
  const batch = await requireBatch(ctx, id, true);
  if (batch.status !== "open") {
    throw ruleRefused("batches.not_open", `payment batch ${id} is ${batch.status}: it can no longer change`, {
      status: batch.status,
    });
  }
  if (version !== undefined && version !== batch.version) {
    throw staleVersion(`payment batch ${id}`, await batchView(ctx, id));
  }
  return batch;
}

/** The account a keyed number names: 10 digits with a matching check digit, and on file (else 400 or 404). */
async function accountByNumber(ctx: Ctx, number: string): Promise<number> {
  if (!isValidAccountNumber(number)) {
    const message = /^0/.test(number) ? "account numbers do not start with 0" : "check digit does not match";
    throw badRequest(`account number ${number}: ${message}`, [{ field: "account_number", message }]);
  }
  const [row] = await ctx.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.accountNumber, number));
  if (!row) throw notFound(`account ${number}`, "account_number");
  return row.id;
}

/** Bumps the batch's version (every change to its rows is a change to the batch a second clerk may hold). */
async function touch(ctx: Ctx, batch: BatchRecord): Promise<void> {
  await ctx.db
    .update(paymentBatches)
    .set({ version: batch.version + 1 })
    .where(eq(paymentBatches.id, batch.id));
}

/** Opens a batch with the adding-machine tape's control count and total, dated today's business date. */
export async function createBatch(ctx: Ctx, input: BatchInput): Promise<BatchView> {
  return inTx(ctx, async (tx) => {
    const [batch] = await tx.db
      .insert(paymentBatches)
      .values({
        businessDate: tx.clock.today().toString(),
        label: input.label || null,
        controlCount: input.control_count,
        controlTotalCents: BigInt(input.control_total_cents),
        tenderType: input.tender_type,
        createdBy: tx.actor.username,
        createdByUserId: tx.actor.userId,
      })
      .returning();
    await audit(tx, {
      action: "payment_batch.create",
      entityType: "payment_batch",
      entityId: batch!.id,
      after: {
        label: batch!.label,
        tender_type: batch!.tenderType,
        control_count: batch!.controlCount,
        control_total_cents: batch!.controlTotalCents,
      },
    });
    return { ...summaryOf(batch!, 0, 0n), rows: [] };
  });
}

/** Adds a keyed row at the end of an open batch. */
export async function addBatchRow(ctx: Ctx, batchId: number, input: BatchRowInput): Promise<BatchView> {
  return inTx(ctx, async (tx) => {
    const batch = await openBatch(tx, batchId);
    const accountId = await accountByNumber(tx, input.account_number);
    const [{ last, count }] = (await tx.db
      .select({
        last: sql<number>`coalesce(max(${paymentBatchRows.position}), 0)::int`,
        count: sql<number>`count(*)::int`,
      })
      .from(paymentBatchRows)
      .where(eq(paymentBatchRows.batchId, batchId))) as [{ last: number; count: number }];
    if (Number(count) >= MAX_BATCH_ROWS) {
      throw ruleRefused("batches.too_many_rows", `a batch holds at most ${MAX_BATCH_ROWS} payments`);
    }
    const position = Number(last) + 1;
    await tx.db.insert(paymentBatchRows).values({
      batchId,
      position,
      accountId,
      amountCents: BigInt(input.amount_cents),
      checkNumber: input.check_number ?? null,
    });
    await touch(tx, batch);
    await audit(tx, {
      action: "payment_batch.row_add",
      entityType: "payment_batch",
      entityId: batchId,
      accountId,
      after: { position, account_number: input.account_number, amount_cents: input.amount_cents },
    });
    return batchView(tx, batchId);
  });
}

/** The row at a position of a batch (404 naming `position`). */
async function requireRow(ctx: Ctx, batchId: number, position: number) {
  const [row] = await ctx.db
    .select()
    .from(paymentBatchRows)
    .where(and(eq(paymentBatchRows.batchId, batchId), eq(paymentBatchRows.position, position)));
  if (!row) throw notFound(`row ${position} of payment batch ${batchId}`, "position");
  return row;
}

/** Corrects a keyed row of an open batch (a misread account number, a mistyped amount). */
export async function editBatchRow(
  ctx: Ctx,
  batchId: number,
  position: number,
  change: BatchRowChange,
): Promise<BatchView> {
  return inTx(ctx, async (tx) => {
    const batch = await openBatch(tx, batchId, change.version);
    const row = await requireRow(tx, batchId, position);
    const accountId =
      change.account_number === undefined ? row.accountId : await accountByNumber(tx, change.account_number);
    const amount = change.amount_cents === undefined ? row.amountCents : BigInt(change.amount_cents);
    const checkNumber = change.check_number === undefined ? row.checkNumber : change.check_number;
    await tx.db
      .update(paymentBatchRows)
      .set({ accountId, amountCents: amount, checkNumber })
      .where(eq(paymentBatchRows.id, row.id));
    await touch(tx, batch);
    await audit(tx, {
      action: "payment_batch.row_edit",
      entityType: "payment_batch",
      entityId: batchId,
      accountId,
      before: { position, account_id: row.accountId, amount_cents: row.amountCents, check_number: row.checkNumber },
      after: { position, account_id: accountId, amount_cents: amount, check_number: checkNumber },
    });
    return batchView(tx, batchId);
  });
}

/** Removes a keyed row of an open batch; the rows after it move up, so positions stay 1..n like the tape's lines. */
export async function deleteBatchRow(ctx: Ctx, batchId: number, position: number, version: number): Promise<BatchView> {
  return inTx(ctx, async (tx) => {
    const batch = await openBatch(tx, batchId, version);
    const row = await requireRow(tx, batchId, position);
    await tx.db.delete(paymentBatchRows).where(eq(paymentBatchRows.id, row.id));
    // Two steps, as a unique index is checked row by row: out of the way (negative), then into place.
    const after = and(eq(paymentBatchRows.batchId, batchId), sql`${paymentBatchRows.position} > ${position}`);
    await tx.db
      .update(paymentBatchRows)
      .set({ position: sql`-${paymentBatchRows.position}` })
      .where(after);
    await tx.db
      .update(paymentBatchRows)
      .set({ position: sql`-${paymentBatchRows.position} - 1` })
      .where(and(eq(paymentBatchRows.batchId, batchId), sql`${paymentBatchRows.position} < 0`));
    await touch(tx, batch);
    await audit(tx, {
      action: "payment_batch.row_delete",
      entityType: "payment_batch",
      entityId: batchId,
      accountId: row.accountId,
      before: { position, account_id: row.accountId, amount_cents: row.amountCents, check_number: row.checkNumber },
    });
    return batchView(tx, batchId);
  });
}

/** Why an open batch may not post: its keyed count or total differs from the control (field errors, in cents). */
function outOfBalance(view: BatchView): FieldError[] {
  const errors: FieldError[] = [];
  if (view.count_difference !== 0) {
    errors.push({
      field: "control_count",
      message: `${view.keyed_count} keyed of ${view.control_count}: difference ${view.count_difference}`,
    });
  }
  if (view.total_difference_cents !== 0n) {
    errors.push({
      field: "control_total_cents",
      message: `${dollars(view.keyed_total_cents)} keyed of ${dollars(view.control_total_cents)}: difference ${view.total_difference_cents} cents`,
    });
  }
  return errors;
}

/**
 * Posts a balanced batch: every row becomes a mail payment, all in the caller's one transaction (the rows get their
 * payment ids, the batch becomes posted), or nothing does. Refused unless the keyed count and total equal the
 * control count and total exactly, and unless the batch is open.
 */
export async function postBatch(ctx: Ctx, batchId: number, version?: number): Promise<BatchView> {
  return inTx(ctx, async (tx) => {
    const batch = await openBatch(tx, batchId, version);
    const view = await batchView(tx, batchId);
    const off = outOfBalance(view);
    if (off.length) {
      throw ruleRefused(
        "batches.out_of_balance",
        `the batch is out of balance: ${off.map((e) => e.message).join("; ")}`,
        {
          errors: off,
          keyed_count: view.keyed_count,
          keyed_total_cents: view.keyed_total_cents,
          count_difference: view.count_difference,
          total_difference_cents: view.total_difference_cents,
        },
      );
    }
    const moneyOrder = batch.tenderType === "money_order";
    const list: BulkPayment[] = view.rows.map((r) => ({
      sourceRef: `batch:${batchId}:${r.position}`,
      accountId: r.account_id,
      amountCents: r.amount_cents,
      tender: {
        type: batch.tenderType as BulkPayment["tender"]["type"],
        checkNumber: moneyOrder ? null : r.check_number,
        serialNumber: moneyOrder ? r.check_number : null,
      },
      channel: "mail",
      receivedOn: batch.businessDate,
      note: batch.label ? `Batch ${batchId}: ${batch.label}` : `Batch ${batchId}`,
    }));
    // The one audit row of the post (its count and total), written by the bulk posting in this transaction.
    const posted = await postPaymentsBulk(tx, list, {
      action: "payment_batch.post",
      entityType: "payment_batch",
      entityId: batchId,
      note: `${view.keyed_count} payments, ${dollars(view.keyed_total_cents)}, against the control count and total`,
    });
    const positions = posted.map((p) => Number(p.sourceRef.split(":")[2]));
    await tx.db.execute(sql`
      UPDATE ${paymentBatchRows} AS r SET payment_id = v.payment_id
      FROM unnest(${sql.param(positions)}::int[], ${sql.param(posted.map((p) => p.paymentId))}::int8[])
        AS v(position, payment_id)
      WHERE r.batch_id = ${batchId} AND r.position = v.position`);
    await tx.db
      .update(paymentBatches)
      .set({
        status: "posted",
        postedBy: tx.actor.username,
        postedAt: tx.clock.now().toString(),
        version: batch.version + 1,
      })
      .where(eq(paymentBatches.id, batchId));
    return batchView(tx, batchId);
  });
}

/** Cancels an open batch: nothing posts; its rows stay for the record. */
export async function cancelBatch(ctx: Ctx, batchId: number, version?: number): Promise<BatchView> {
  return inTx(ctx, async (tx) => {
    const batch = await openBatch(tx, batchId, version);
    await tx.db
      .update(paymentBatches)
      .set({ status: "cancelled", version: batch.version + 1 })
      .where(eq(paymentBatches.id, batchId));
    await audit(tx, {
      action: "payment_batch.cancel",
      entityType: "payment_batch",
      entityId: batchId,
      before: { status: "open" },
      after: { status: "cancelled" },
    });
    return batchView(tx, batchId);
  });
}
