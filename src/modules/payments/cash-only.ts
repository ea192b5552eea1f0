import { and, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import type { Ctx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { currentSetting } from "../../platform/settings.js";
import { cashOnlyPeriods, paymentLines, payments } from "./schema.js";
import { cashOnlyMonths, returnedPaymentsForCashOnly, returnedPaymentWindowMonths } from "./settings.js";

/** Whether an account takes cash only on a business date, and until when. */
export interface CashOnlyStatus {
  cash_only: boolean;
  /** The first day it no longer applies (null when not cash-only). */
  cash_only_until: string | null;
}

/** Cash-only status of several accounts on a business date (one query). */
export async function cashOnlyStatuses(
  db: Db,
  accountIds: number[],
  day: string,
): Promise<Map<number, CashOnlyStatus>> {
  const out = new Map<number, CashOnlyStatus>(
    accountIds.map((id) => [id, { cash_only: false, cash_only_until: null }]),
  );
  if (accountIds.length === 0) return out;
  const rows = await db
    .select({ accountId: cashOnlyPeriods.accountId, until: sql<string>`max(${cashOnlyPeriods.endsOn})::text` })
    .from(cashOnlyPeriods)
    .where(
      and(
        inArray(cashOnlyPeriods.accountId, accountIds),
        lte(cashOnlyPeriods.startsOn, day),
        gt(cashOnlyPeriods.endsOn, day),
      ),
    )
    .groupBy(cashOnlyPeriods.accountId);
  for (const r of rows) out.set(r.accountId, { cash_only: true, cash_only_until: r.until });
  return out;
}

/** Whether the account takes cash only today (after returned payments). */
export async function cashOnlyStatus(ctx: Ctx, accountId: number): Promise<CashOnlyStatus> {
  const map = await cashOnlyStatuses(ctx.db, [accountId], ctx.clock.today().toString());
  return map.get(accountId)!;
}

/**
 * After a returned payment: each account it had money on whose returned payments within the window reach the
 * threshold is put on cash-only status from today for the configured months (a later return extends it).
 * Returns the accounts newly put on it or extended.
 */
export async function applyCashOnlyRule(tx: Ctx, paymentId: number, accountIds: number[]): Promise<number[]> {
  if (accountIds.length === 0) return [];
  const today = tx.clock.today();
  const threshold = await currentSetting(tx, returnedPaymentsForCashOnly);
  const windowMonths = await currentSetting(tx, returnedPaymentWindowMonths);
  const months = await currentSetting(tx, cashOnlyMonths);
  const since = today.subtract({ months: windowMonths }).toString();
  const counts = await tx.db
    .select({ accountId: paymentLines.accountId, n: sql<number>`count(DISTINCT ${payments.id})::int` })
    .from(paymentLines)
    .innerJoin(payments, eq(payments.id, paymentLines.paymentId))
    .where(
      and(
        inArray(paymentLines.accountId, accountIds),
        eq(paymentLines.status, "reversed"),
        eq(payments.returned, true),
        gt(payments.reversedOn, since),
      ),
    )
    .groupBy(paymentLines.accountId);
  const reached = counts.filter((c) => Number(c.n) >= threshold).map((c) => c.accountId);
  if (reached.length === 0) return [];
  const endsOn = today.add({ months }).toString();
  const rows = await tx.db
    .insert(cashOnlyPeriods)
    .values(
      reached.map((accountId) => ({
        accountId,
        startsOn: today.toString(),
        endsOn,
        reason: `${threshold} returned payments within ${windowMonths} months`,
        paymentId,
      })),
    )
    .returning();
  await audit(
    tx,
    ...rows.map((r) => ({
      action: "payments.cash_only",
      entityType: "cash_only_period",
      entityId: r.id,
      accountId: r.accountId,
      after: { starts_on: r.startsOn, ends_on: r.endsOn, reason: r.reason, payment_id: paymentId },
    })),
  );
  return reached;
}
