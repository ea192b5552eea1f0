/**
 * The demo's collections: the daily run over the last weeks of the billing history, so delinquent accounts stand at
 * every step (reminders, past-due notices, final notices, disconnect orders, some held by a protection on file); the
 * oldest disconnect orders worked by the field, so some customers are disconnected; and one payment arrangement, one
 * dispute and one bankruptcy on accounts in collections, so every part of the collections section has something
 * real to show. Two closed accounts are left owing their final bill: one is dunned, the older one written off and
 * referred to the collection agency, then pays part of it (a recovery). Deterministic for a business date.
 */
import { sql } from "drizzle-orm";
import { recordBankruptcy } from "../modules/collections/bankruptcy.js";
import { makeArrangement, openDispute, runCollections } from "../modules/collections/index.js";
import { postCharge } from "../modules/ledger/index.js";
import { completeOrder, listOrders } from "../modules/orders/index.js";
import { takePayment } from "../modules/payments/index.js";
import type { Ctx } from "../platform/context.js";

export interface CollectionsSeeded {
  runs: number;
  in_collections: number;
  by_step: Record<string, number>;
  disconnected: number;
  arrangement: number | null;
  dispute: number | null;
  bankruptcy: number | null;
  /** The closed accounts left owing: the one dunned and the one written off, referred and partly recovered. */
  closed: number[];
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
  // Two closed accounts whose final bill went unpaid: due 95 and 20 days ago.
  const closedOwing = await ctx.database.rows<{ id: bigint }>(
    ctx.db,
    sql`SELECT a.id FROM accounts AS a
        WHERE a.status = 'closed' AND a.closed_on <= ${today.subtract({ days: 120 }).toString()}::date
          AND NOT EXISTS (SELECT 1 FROM accounts AS b WHERE b.main_party_id = a.main_party_id AND b.id <> a.id)
          AND NOT EXISTS (SELECT 1 FROM receivable_items AS i WHERE i.account_id = a.id AND i.open_cents > 0)
        ORDER BY a.id LIMIT 2`,
  );
  const closed = closedOwing.map((r) => Number(r.id));
  for (const [i, id] of closed.entries()) {
    const due = today.subtract({ days: i === 0 ? 95 : 20 });
    await postCharge(ctx, {
      account_id: id,
      category: "energy",
      amount_cents: i === 0 ? 18_734n : 9_612n,
      due_date: due.toString(),
      service_period: { from: due.subtract({ days: 50 }).toString(), to: due.subtract({ days: 21 }).toString() },
      reference: `bill:final:${id}`,
      description: "Final bill, unpaid",
    });
  }
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
  // The written-off customer pays part of it: a recovery, found by the run.
  if (closed[0] !== undefined) {
    await takePayment(ctx, {
      account_id: closed[0],
      amount_cents: 5_000,
      tender: { type: "check", check_number: "4417" },
      channel: "mail",
    });
    await runCollections(ctx);
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
    closed,
  };
}
