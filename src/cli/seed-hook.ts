import { sql } from "drizzle-orm";
import type { Ctx } from "../platform/context.js";
import { seedBillingHistory } from "../seed/billing-history.js";
import { seedCashieringDay } from "../seed/cashiering-day.js";
import { seedCollections } from "../seed/collections.js";
import { seedMoveOut } from "../seed/move-out.js";
import { seedUtility } from "../seed/seed.js";
import { seedDemoTariffs } from "../seed/tariffs.js";
import { seedDemoUsers } from "./demo-users.js";
import { say } from "./runtime.js";

/**
 * On first start: demo users, the demo tariffs (whichever the tariff book lacks), and a synthetic utility of
 * `accounts` accounts when there are no accounts yet, with 24 months of meter reads, bills made by the bill runs and
 * payments, six weeks of daily collections runs, a move-out scheduled, then a day of cashiering (drawers, batches, a lockbox file to import in the data dir).
 */
export async function seedIfEmpty(ctx: Ctx, accounts: number) {
  await seedDemoUsers(ctx);
  const tariffs = await seedDemoTariffs(ctx);
  const added = tariffs.filter((t) => t.created || t.added.length > 0).map((t) => t.code);
  if (added.length > 0) say(`demo tariffs added to the tariff book: ${added.join(", ")}`);
  const [any] = await ctx.database.rows<{ one: number }>(ctx.db, sql`SELECT 1 AS one FROM accounts LIMIT 1`);
  if (any || accounts <= 0) return;
  say(
    `the database has no accounts: seeding a synthetic utility of ${accounts.toLocaleString("en-US")} accounts (demo data)`,
  );
  // The money history comes from the bill runs and the payments path below, not from the synthetic one.
  const result = await seedUtility(ctx, { accounts, seed: 1, progress: process.stderr, moneyHistory: false });
  say(
    `seeded ${result.accounts.toLocaleString("en-US")} accounts (${result.total_rows.toLocaleString("en-US")} rows) in ${result.seconds} s`,
  );
  const history = await seedBillingHistory(ctx, { seed: 1, progress: say });
  const n = (v: number) => v.toLocaleString("en-US");
  say(
    `billing history: ${n(history.bills)} bills from ${n(history.runs)} bill runs over ${history.months} months ` +
      `(${n(history.held)} held for review, ${n(history.estimated)} on estimated reads), ${n(history.reads)} meter reads, ` +
      `${n(history.interval_days)} days of interval data, ${n(history.payments)} payments, in ${history.seconds} s`,
  );
  const collections = await seedCollections(ctx);
  say(
    `collections: ${n(collections.runs)} daily runs; ${n(collections.in_collections)} accounts in collections ` +
      `(${Object.entries(collections.by_step)
        .map(([step, k]) => `${n(k)} ${step.replace(/_/g, " ")}`)
        .join(", ")}); ` +
      `an arrangement, a dispute and a bankruptcy on accounts in collections`,
  );
  const moving = await seedMoveOut(ctx);
  if (moving) say(`a move-out: account ${moving.account_id} has service stopping on ${moving.stop_on}`);
  // The day at the counter takes payments from 40 active accounts that owe something: a small demo may have fewer.
  const [owing] = await ctx.database.rows<{ n: bigint }>(
    ctx.db,
    sql`SELECT count(*) AS n FROM accounts AS a JOIN account_balances AS b ON b.account_id = a.id
        WHERE a.status = 'active' AND b.balance_cents > 1000`,
  );
  if (Number(owing?.n ?? 0) >= 40) {
    const day = await seedCashieringDay(ctx, ctx.config.dataDir);
    say(
      `a day of cashiering: ${day.drawers} cash drawers, ${day.counter_payments} counter payments, ${day.batches} payment ` +
        `batches; a lockbox file of ${day.lockbox_payments} payments to import: ${day.lockbox_file}`,
    );
  }
}
