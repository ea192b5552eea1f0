/**
 * Items held from collection (stayed in bankruptcy, enrolled in arrearage management) are marked to clear last, so
 * what a customer pays goes to what is collectible first. Released when nothing holds them any more.
 */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";

export async function holdItems(tx: Ctx, itemIds: number[]): Promise<void> {
  if (itemIds.length === 0) return;
  await preparedRows(
    tx,
    sql`UPDATE receivable_items SET clears_last = true WHERE id = ANY (${sql.param(itemIds)}::int8[]) AND NOT clears_last`,
  );
}

/** Releases the items no open bankruptcy and no active AMP plan holds. */
export async function releaseItems(tx: Ctx, itemIds: number[]): Promise<void> {
  if (itemIds.length === 0) return;
  await preparedRows(
    tx,
    sql`UPDATE receivable_items AS i SET clears_last = false
        WHERE i.id = ANY (${sql.param(itemIds)}::int8[]) AND i.clears_last
          AND NOT EXISTS (SELECT 1 FROM bankruptcy_items AS bi JOIN bankruptcies AS b ON b.id = bi.bankruptcy_id
                          WHERE bi.item_id = i.id AND b.status = 'open')
          AND NOT EXISTS (SELECT 1 FROM amp_items AS ai JOIN amp_plans AS p ON p.id = ai.plan_id
                          WHERE ai.item_id = i.id AND p.status = 'active')`,
  );
}
