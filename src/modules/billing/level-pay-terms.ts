/**
 * What a bill asks of an account on level pay, read from level pay's view (level_pay_bill_terms): the bill document
 * shows the level amount instead of the bill's charges, the deferred balance, and a true-up when one falls on it.
 */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";

export interface LevelPayTerms {
  /** The bill's own charges. */
  actual_cents: bigint;
  /** What the customer pays for it on level pay. */
  level_cents: bigint;
  /** The deferred balance once this bill (and a true-up on it) is counted: more than zero, the customer owes it. */
  deferred_cents: bigint;
  /** A true-up settled with this bill: more than zero billed, less than zero credited. */
  settled_cents: bigint;
  /** What level pay adds to the bill's amount due (less than zero: takes off). */
  change_cents: bigint;
}

/** The level pay terms of a bill, or null when the account was not on level pay for it. */
export async function levelPayTerms(ctx: Ctx, billId: number): Promise<LevelPayTerms | null> {
  const [row] = await preparedRows<{
    actual_cents: bigint;
    level_cents: bigint;
    deferred_cents: bigint;
    settled_cents: bigint;
  }>(
    ctx,
    sql`SELECT actual_cents, level_cents, deferred_cents, settled_cents FROM level_pay_bill_terms
        WHERE bill_id = ${billId}::int8 LIMIT 1`,
  );
  if (!row) return null;
  return { ...row, change_cents: row.level_cents - row.actual_cents + row.settled_cents };
}
