/**
 * The demo's move-out: one current customer has called to stop service ten days from the business date, so the
 * account view shows a scheduled stop (and the morning after that day, the scheduled-stops run makes the final bill
 * and closes the account). Through the service that a CSR's stop goes through. Deterministic for a business date.
 */
import { sql } from "drizzle-orm";
import { stopService } from "../modules/billing/index.js";
import type { Ctx } from "../platform/context.js";

export async function seedMoveOut(ctx: Ctx): Promise<{ account_id: number; stop_on: string } | null> {
  const stopOn = ctx.clock.today().add({ days: 10 }).toString();
  // A residential account with service, not in collections, with no arrangement or level pay (the newest such).
  const [pick] = await ctx.database.rows<{ id: bigint }>(
    ctx.db,
    sql`SELECT a.id FROM accounts AS a
        WHERE a.status = 'active' AND a.customer_class = 'residential'
          AND EXISTS (SELECT 1 FROM service_agreements AS sa WHERE sa.account_id = a.id AND sa.status = 'active'
                        AND sa.end_date IS NULL)
          AND NOT EXISTS (SELECT 1 FROM collection_states AS c WHERE c.account_id = a.id)
          AND NOT EXISTS (SELECT 1 FROM arrangements AS x WHERE x.account_id = a.id)
          AND NOT EXISTS (SELECT 1 FROM level_pay_plans AS l WHERE l.account_id = a.id)
        ORDER BY a.id DESC LIMIT 1`,
  );
  if (!pick) return null;
  const result = await stopService(ctx, Number(pick.id), { stop_on: stopOn });
  return { account_id: result.account_id, stop_on: result.stop_on };
}
