/**
 * The demo's collections: the daily run over the last weeks of the billing history, so delinquent accounts stand at
 * every step (reminders, past-due notices, final notices, disconnect orders, some held by a protection on file); the
 * oldest disconnect orders worked by the field, so some customers are disconnected; and one payment arrangement, one
 * dispute and one bankruptcy on accounts in collections, so every part of the collections section has something
 * real to show. Deterministic for a business date.
 */
import { sql } from "drizzle-orm";
import { recordBankruptcy } from "../modules/collections/bankruptcy.js";
import { makeArrangement, openDispute, runCollections } from "../modules/collections/index.js";
import { completeOrder, listOrders } from "../modules/orders/index.js";
import type { Ctx } from "../platform/context.js";

export interface CollectionsSeeded {
  runs: number;
  in_collections: number;
  by_step: Record<string, number>;
  disconnected: number;
  arrangement: number | null;
  dispute: number | null;
  bankruptcy: number | null;
}

/** Runs collections every `every` days over the last `days` days, then works the field and adds the cases. */
export async function seedCollections(
  ctx: Ctx,
  opts: { days?: number; every?: number } = {},
): Promise<CollectionsSeeded> {
  const today = ctx.clock.today();
  const days = opts.days ?? 42;
  const every = opts.every ?? 3;
  let runs = 0;
  const backs: number[] = [];
  for (let back = days; back > 0; back -= every) backs.push(back);
  backs.push(0);
  for (const back of backs) {
    const day = today.subtract({ days: back }).toString();
    await runCollections(ctx, { date: day });
    runs++;
    // The field works disconnect orders the day after they fall due, except the last week's.
    if (back > 7) {
      const open = await listOrders(ctx, { status: "open", kind: "disconnect_nonpay", limit: 500 });
      for (const o of open.filter((x) => x.due_on < day)) {
        await completeOrder(ctx, o.id, {
          version: o.version,
          completed_on: day,
          read: String(10_000 + o.id),
          notes: "meter locked off",
        });
      }
    }
  }
  const pick = async (step: string, offset: number) => {
    const [row] = await ctx.database.rows<{ account_id: bigint }>(
      ctx.db,
      sql`SELECT s.account_id FROM collection_states AS s JOIN accounts AS a ON a.id = s.account_id
          WHERE s.step = ${step} AND s.blocked_rule IS NULL AND a.status = 'active'
          ORDER BY s.account_id OFFSET ${offset} LIMIT 1`,
    );
    return row ? Number(row.account_id) : null;
  };
  let arrangement: number | null = null;
  const arranged = await pick("notice", 0);
  if (arranged !== null) {
    arrangement = (await makeArrangement(ctx, arranged, { kind: "arrangement", installments: 6 })).id;
  }
  let dispute: number | null = null;
  const disputed = await pick("reminder", 0);
  if (disputed !== null) {
    dispute = (
      await openDispute(ctx, disputed, {
        reason: "says the bill is too high for an empty house",
        notes: "asked for a meter test",
      })
    ).id;
  }
  let bankruptcy: number | null = null;
  const filer = (await pick("final_notice", 0)) ?? (await pick("notice", 1));
  if (filer !== null) {
    bankruptcy = (
      await recordBankruptcy(ctx, filer, {
        chapter: 13,
        court: "U.S. Bankruptcy Court, Eastern District of California",
        case_number: `${String(today.year).slice(2)}-2${String(filer).padStart(4, "0")}`,
        petition_date: today.subtract({ days: 10 }).toString(),
      })
    ).id;
  }
  const steps = await ctx.database.rows<{ step: string; n: bigint }>(
    ctx.db,
    sql`SELECT step, count(*) AS n FROM collection_states GROUP BY step ORDER BY step`,
  );
  const by_step = Object.fromEntries(steps.map((s) => [s.step, Number(s.n)]));
  return {
    runs,
    in_collections: Object.values(by_step).reduce((a, b) => a + b, 0),
    by_step,
    disconnected: by_step.disconnected ?? 0,
    arrangement,
    dispute,
    bankruptcy,
  };
}
