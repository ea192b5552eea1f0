import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, ruleRefused } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { requireAccount } from "../accounts/index.js";
import { postCharge, postCredit, reverseEntry } from "../ledger/index.js";
import { applyCashOnlyRule } from "./cash-only.js";
import { settleDrawerReversal } from "./drawers.js";
import { REVERSAL_REASONS, type ReversalInput, type TransferInput } from "./inputs.js";
import { paymentLines, payments, paymentTransfers } from "./schema.js";
import { returnedPaymentFeeCents } from "./settings.js";
import { type LineRow, type PaymentRow, type PaymentView, paymentView, requirePayment } from "./views.js";

const alreadyReversed = (p: PaymentRow) =>
  ruleRefused("payments.already_reversed", `payment ${p.id} was reversed on ${p.reversedOn}`, {
    errors: [{ field: "id", message: "already reversed" }],
  });

/** The payment's shares still posted, by account then in order: the order their accounts are locked in. */
async function postedLines(tx: Ctx, paymentId: number): Promise<LineRow[]> {
  return tx.db
    .select()
    .from(paymentLines)
    .where(and(eq(paymentLines.paymentId, paymentId), eq(paymentLines.status, "posted")))
    .orderBy(asc(paymentLines.accountId), asc(paymentLines.id));
}

const bumpVersion = (tx: Ctx, id: number, set: Partial<PaymentRow> = {}) =>
  tx.db
    .update(payments)
    .set({ ...set, version: sql`${payments.version} + 1` })
    .where(eq(payments.id, id));

/**
 * The account a returned payment's fee is charged to: the one it was taken for (the first of its distribution)
 * while the payment still has money there; else, once moved away, the account holding the most of it (the lowest
 * account id on a tie).
 */
async function feeAccount(tx: Ctx, paymentId: number, posted: LineRow[]): Promise<number> {
  const [first] = await tx.db
    .select({ accountId: paymentLines.accountId })
    .from(paymentLines)
    .where(and(eq(paymentLines.paymentId, paymentId), isNull(paymentLines.fromTransferId)))
    .orderBy(asc(paymentLines.id))
    .limit(1);
  if (posted.some((l) => l.accountId === first!.accountId)) return first!.accountId;
  const held = new Map<number, bigint>();
  for (const l of posted) held.set(l.accountId, (held.get(l.accountId) ?? 0n) + l.amountCents);
  return [...held].sort(([a, x], [b, y]) => (x === y ? a - b : x > y ? -1 : 1))[0]![0];
}

/**
 * Reverses a payment: every credit it still has on any account is reversed in the ledger (the items it paid are
 * open again). A returned payment (returned check, NSF, ACH return) also charges the returned-payment fee (see
 * feeAccount), and counts toward cash-only status on each account it had money on.
 */
export async function reversePayment(ctx: Ctx, id: number, input: ReversalInput): Promise<PaymentView> {
  const reason = REVERSAL_REASONS[input.reason];
  if (!reason) throw badRequest("not a reversal reason", [{ field: "reason", message: "not a known reason" }]);
  return inTx(ctx, async (tx) => {
    // The payment row is locked first, then its accounts in ascending order (as every payment posting does).
    const payment = await requirePayment(tx, id, "id", true);
    if (payment.status === "reversed") throw alreadyReversed(payment);
    const lines = await postedLines(tx, id);
    const why = `payment ${id} reversed: ${input.reason}${input.note ? ` (${input.note})` : ""}`.slice(0, 500);
    for (const line of lines) {
      const reversal = await reverseEntry(tx, line.entryId, why);
      await tx.db
        .update(paymentLines)
        .set({ status: "reversed", reversalEntryId: reversal.reversal_entry_id })
        .where(eq(paymentLines.id, line.id));
    }
    // A payment of a drawer already closed went to the bank in the deposit: the reversal takes it from there.
    await settleDrawerReversal(tx, id);
    let feeItemId: number | null = null;
    let feeCents: bigint | null = null;
    if (reason.returned) {
      const fee = await currentSetting(tx, returnedPaymentFeeCents);
      const primary = await feeAccount(tx, id, lines);
      if (fee > 0) {
        const charged = await postCharge(tx, {
          account_id: primary,
          category: "fee",
          amount_cents: BigInt(fee),
          due_date: null,
          reference: `payment:${id}:returned`,
          description: `Returned payment fee (payment ${id}, ${reason.label.toLowerCase()})`,
        });
        feeItemId = charged.item.id;
        feeCents = BigInt(fee);
      }
    }
    await bumpVersion(tx, id, {
      status: "reversed",
      reversalReason: input.reason,
      reversalNote: input.note || null,
      reversedOn: tx.clock.today().toString(),
      reversedBy: tx.actor.username,
      returned: reason.returned,
      feeItemId,
      feeCents,
    });
    const cashOnly = reason.returned
      ? await applyCashOnlyRule(tx, id, [...new Set(lines.map((l) => l.accountId))])
      : [];
    const after = {
      status: "reversed",
      reason: input.reason,
      note: input.note ?? null,
      returned: reason.returned,
      fee_item_id: feeItemId,
      fee_cents: feeCents,
      cash_only_accounts: cashOnly,
    };
    await audit(
      tx,
      ...[...new Set(lines.map((l) => l.accountId))].map((accountId) => ({
        action: "payments.reverse",
        entityType: "payment",
        entityId: id,
        accountId,
        before: { status: payment.status },
        after,
      })),
    );
    return paymentView(tx, id);
  });
}

/** Moves part of the shares to another account, amount per GL account: what moves, and what stays behind. */
function splitShares(lines: LineRow[], amount: bigint) {
  const moved = new Map<string, bigint>();
  const kept = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, gl: string, v: bigint) => v > 0n && m.set(gl, (m.get(gl) ?? 0n) + v);
  let left = amount;
  for (const l of [...lines].sort((a, b) => a.id - b.id)) {
    let take = left;
    if (l.amountCents < take) take = l.amountCents; // bigint: no Math.min
    add(moved, l.glAccount, take);
    add(kept, l.glAccount, l.amountCents - take);
    left -= take;
  }
  return { moved, kept };
}

/**
 * Transfers all or part of a payment from the account it was posted to onto another (posted to the wrong account):
 * the payment's credits on the first account are reversed, and new credits post the moved amount to the other
 * account and what stays back to the first, from the same GL account, so the trail shows every step.
 */
export async function transferPayment(ctx: Ctx, id: number, input: TransferInput): Promise<PaymentView> {
  if (input.from_account_id === input.to_account_id) {
    throw badRequest("a transfer moves money to another account", [
      { field: "to_account_id", message: "the same as from_account_id" },
    ]);
  }
  return inTx(ctx, async (tx) => {
    const payment = await requirePayment(tx, id, "id", true);
    if (payment.status === "reversed") throw alreadyReversed(payment);
    const from = input.from_account_id;
    const to = input.to_account_id;
    await requireAccount(tx.db, from, "from_account_id");
    await requireAccount(tx.db, to, "to_account_id");
    const lines = (await postedLines(tx, id)).filter((l) => l.accountId === from);
    const held = lines.reduce((s, l) => s + l.amountCents, 0n);
    if (held === 0n) {
      throw ruleRefused("payments.not_on_account", `payment ${id} has no money on account ${from}`, {
        errors: [{ field: "from_account_id", message: "the payment has nothing on this account" }],
      });
    }
    const amount = BigInt(input.amount_cents);
    if (amount > held) {
      throw ruleRefused("payments.transfer_exceeds_share", `payment ${id} has ${held} cents on account ${from}`, {
        available_cents: held,
        errors: [{ field: "amount_cents", message: `at most ${held} cents` }],
      });
    }
    const [transfer] = await tx.db
      .insert(paymentTransfers)
      .values({
        paymentId: id,
        fromAccountId: from,
        toAccountId: to,
        amountCents: amount,
        reason: input.reason,
        accountingDate: tx.clock.today().toString(),
        madeBy: tx.actor.username,
      })
      .returning();
    const tid = transfer!.id;
    const { moved, kept } = splitShares(lines, amount);
    const repost = async (accountId: number, parts: Map<string, bigint>, description: string) => {
      for (const [gl, cents] of parts) {
        const posted = await postCredit(tx, {
          account_id: accountId,
          kind: "payment",
          amount_cents: cents,
          gl_debit_account: gl,
          reference: `payment:${id}:transfer:${tid}`,
          description,
        });
        await tx.db.insert(paymentLines).values({
          paymentId: id,
          accountId,
          amountCents: cents,
          glAccount: gl,
          creditId: posted.credit.id,
          entryId: posted.entry_id,
          fromTransferId: tid,
        });
      }
    };
    const takeBack = async () => {
      const why = `payment ${id} transfer ${tid} to account ${to}: ${input.reason}`.slice(0, 500);
      for (const line of lines) {
        const reversal = await reverseEntry(tx, line.entryId, why);
        await tx.db
          .update(paymentLines)
          .set({ status: "transferred", transferId: tid, reversalEntryId: reversal.reversal_entry_id })
          .where(eq(paymentLines.id, line.id));
      }
      await repost(from, kept, `payment ${id}: what stays after transfer ${tid}`);
    };
    const give = () => repost(to, moved, `payment ${id} transferred from account ${from}`);
    // Accounts are locked in ascending order, as every payment posting does.
    if (from < to) {
      await takeBack();
      await give();
    } else {
      await give();
      await takeBack();
    }
    await bumpVersion(tx, id);
    const after = {
      transfer_id: tid,
      from_account_id: from,
      to_account_id: to,
      amount_cents: amount,
      reason: input.reason,
    };
    // One row for each account, so both accounts' histories show the move.
    await audit(
      tx,
      { action: "payments.transfer_out", entityType: "payment", entityId: id, accountId: from, after },
      { action: "payments.transfer_in", entityType: "payment", entityId: id, accountId: to, after },
    );
    return paymentView(tx, id);
  });
}
