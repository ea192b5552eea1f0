import { desc, eq, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Actor, type Ctx, inTx } from "../../platform/context.js";
import { badRequest, ruleRefused } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { requireAccount } from "../accounts/index.js";
import { postCharge, postCredit } from "../ledger/index.js";
import type { AdjustmentInput } from "./inputs.js";
import { adjustments } from "./schema.js";
import { type AdjustmentReason, adjustmentReasons, creditLimitsByRole } from "./settings.js";

type AdjustmentRow = typeof adjustments.$inferSelect;

/** An adjustment as the API shows it. */
export interface AdjustmentView {
  id: number;
  account_id: number;
  kind: string;
  amount_cents: bigint;
  reason_code: string;
  reason_label: string;
  note: string | null;
  gl_account: string;
  accounting_date: string;
  made_by: string;
  /** The receivable item a charge made, or the credit a credit made. */
  item_id: number | null;
  credit_id: number | null;
  entry_id: number;
  recorded_at: string;
  version: number;
}

const view = (a: AdjustmentRow, reasons: AdjustmentReason[]): AdjustmentView => ({
  id: a.id,
  account_id: a.accountId,
  kind: a.kind,
  amount_cents: a.amountCents,
  reason_code: a.reasonCode,
  reason_label: reasons.find((r) => r.code === a.reasonCode)?.label ?? a.reasonCode,
  note: a.note,
  gl_account: a.glAccount,
  accounting_date: a.accountingDate,
  made_by: a.madeBy,
  item_id: a.itemId,
  credit_id: a.creditId,
  entry_id: a.entryId,
  recorded_at: isoInstant(a.recordedAt),
  version: a.version,
});

/** The reason codes in force today. */
export const listAdjustmentReasons = (ctx: Ctx) => currentSetting(ctx, adjustmentReasons);

/** The largest credit the actor may make: the highest of their roles' limits; the system has none. */
export function creditLimitOf(actor: Actor, limits: Record<string, number>): bigint | null {
  if (actor.permissions.has("*")) return null;
  const own = actor.roles.map((r) => limits[r]).filter((v): v is number => v !== undefined);
  return BigInt(own.length ? Math.max(...own) : 0);
}

/**
 * Makes an adjustment on an account (closed ones too): a charge is a receivable item of category `adjustment`
 * (Dr receivables / Cr the reason's GL account, billed with the next bill); a credit is a credit adjustment (Dr the
 * reason's GL account / Cr unapplied cash) matched oldest due first. A credit above the role's limit is refused.
 */
export async function makeAdjustment(
  ctx: Ctx,
  accountId: number,
  input: AdjustmentInput,
): Promise<AdjustmentView & { balance_cents: bigint }> {
  const reasons = await listAdjustmentReasons(ctx);
  const reason = reasons.find((r) => r.code === input.reason_code);
  if (!reason) {
    throw badRequest(`no reason code ${input.reason_code}`, [
      { field: "reason_code", message: `one of ${reasons.map((r) => r.code).join(", ")}` },
    ]);
  }
  if (!reason.kinds.includes(input.kind)) {
    throw badRequest(`${reason.code} is for ${reason.kinds.join(" or ")} adjustments`, [
      { field: "reason_code", message: `not for a ${input.kind}` },
    ]);
  }
  const amount = BigInt(input.amount_cents);
  if (input.kind === "credit") {
    const limit = creditLimitOf(ctx.actor, await currentSetting(ctx, creditLimitsByRole));
    if (limit !== null && amount > limit) {
      throw ruleRefused(
        "adjustments.over_limit",
        `a credit of ${amount} cents is above your limit of ${limit} cents: it needs a supervisor`,
        { limit_cents: limit, errors: [{ field: "amount_cents", message: `at most ${limit} cents for your role` }] },
      );
    }
  }
  return inTx(ctx, async (tx) => {
    await requireAccount(tx.db, accountId, "id");
    // The id first, so the ledger entry can name the adjustment it belongs to.
    const [{ id }] = (await tx.database.rows<{ id: bigint }>(
      tx.db,
      sql`SELECT nextval(pg_get_serial_sequence('adjustments', 'id'))::int8 AS id`,
    )) as [{ id: bigint }];
    const reference = `adjustment:${id}`;
    const description = `${reason.label}${input.note ? `: ${input.note}` : ""}`.slice(0, 500);
    const posted =
      input.kind === "charge"
        ? await postCharge(tx, {
            account_id: accountId,
            category: "adjustment",
            amount_cents: amount,
            due_date: null,
            gl_credit_account: reason.gl_account,
            reference,
            description,
          }).then((r) => ({ entryId: r.entry_id, itemId: r.item.id, creditId: null, balance: r.balance_cents }))
        : await postCredit(tx, {
            account_id: accountId,
            kind: "credit_adjustment",
            amount_cents: amount,
            gl_debit_account: reason.gl_account,
            reference,
            description,
          }).then((r) => ({ entryId: r.entry_id, itemId: null, creditId: r.credit.id, balance: r.balance_cents }));
    const [row] = await tx.db
      .insert(adjustments)
      .values({
        id: Number(id),
        accountId,
        kind: input.kind,
        amountCents: amount,
        reasonCode: reason.code,
        note: input.note || null,
        glAccount: reason.gl_account,
        entryId: posted.entryId,
        itemId: posted.itemId,
        creditId: posted.creditId,
        accountingDate: tx.clock.today().toString(),
        madeBy: tx.actor.username,
        madeByUserId: tx.actor.userId,
      })
      .returning();
    const result = { ...view(row!, reasons), balance_cents: posted.balance };
    await audit(tx, {
      action: `adjustments.${input.kind}`,
      entityType: "adjustment",
      entityId: row!.id,
      accountId,
      after: result,
    });
    return result;
  });
}

/** The account's adjustments, newest first. */
export async function accountAdjustments(ctx: Ctx, accountId: number, limit = 50): Promise<AdjustmentView[]> {
  await requireAccount(ctx.db, accountId, "id");
  const reasons = await listAdjustmentReasons(ctx);
  const rows = await ctx.db
    .select()
    .from(adjustments)
    .where(eq(adjustments.accountId, accountId))
    .orderBy(desc(adjustments.id))
    .limit(limit);
  return rows.map((r) => view(r, reasons));
}
