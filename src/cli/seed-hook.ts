import { sql } from "drizzle-orm";
import type { Ctx } from "../platform/context.js";
import { seedCashieringDay } from "../seed/cashiering-day.js";
import { seedUtility } from "../seed/seed.js";
import { seedDemoTariffs } from "../seed/tariffs.js";
import { seedDemoUsers } from "./demo-users.js";
import { say } from "./runtime.js";

/**
 * On first start: demo users, the demo tariffs (whichever the tariff book lacks), and a synthetic utility of
 * `accounts` accounts when there are no accounts yet, with a day of cashiering (drawers, batches, a lockbox file to
 * import in the data dir).
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
  const result = await seedUtility(ctx, { accounts, seed: 1, progress: process.stderr });
  say(
    `seeded ${result.accounts.toLocaleString("en-US")} accounts (${result.total_rows.toLocaleString("en-US")} rows) in ${result.seconds} s`,
  );
  if (accounts >= 40) {
    const day = await seedCashieringDay(ctx, ctx.config.dataDir);
    say(
      `a day of cashiering: ${day.drawers} cash drawers, ${day.counter_payments} counter payments, ${day.batches} payment ` +
        `batches; a lockbox file of ${day.lockbox_payments} payments to import: ${day.lockbox_file}`,
    );
  }
}
