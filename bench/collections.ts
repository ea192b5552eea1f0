// The daily collections run over the bench utility (PostgreSQL): the seeded database (--source, default
// kilowatt_bench, from `npm run bench -- seed`) is copied as a template to --database (default
// kilowatt_bench_collections, dropped and made again each run). Its own payment history leaves some accounts past
// due; the bench then bills a past-due amount to more accounts (every account whose id ends in the right digits,
// set-based through the ledger's bulk bill posting) until --delinquent of them (default 0.10) have a collectible
// past-due amount of at least the policy's minimum. Measured: the first run (every delinquent account enters the
// steps: states, events, notices written) and the runs of the --days days after it (default 1, the steady state;
// --days 16 carries the accounts on through the final notice and the disconnect order, though with no payments
// coming in the delinquent share grows each day), each in seconds, with what it did. Target: 1,000,000
// accounts, 10% delinquent, within 120 s a run.
// Options: --delinquent F, --as-of D (default today), --days N, --keep (keep the working copy).
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { Temporal } from "temporal-polyfill";
import { runCollections } from "../src/modules/collections/index.js";
import { type BulkBillInput, postBillsBulk } from "../src/modules/ledger/index.js";
import { fixedClock } from "../src/platform/clock.js";
import { loadConfig } from "../src/platform/config.js";
import { type Ctx, inTx, systemActor } from "../src/platform/context.js";
import { openPostgres } from "../src/platform/db.js";
import { migrate } from "../src/platform/migrate.js";
import type { BenchOutcome } from "./run.js";

const say = (line: string) => console.error(line);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await fn();
  const seconds = (performance.now() - start) / 1000;
  say(`${label}: ${round(seconds, 2)} s`);
  return { value, seconds };
}

export default async function collectionsBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: "string", default: "kilowatt_bench" },
      database: { type: "string", default: "kilowatt_bench_collections" },
      delinquent: { type: "string", default: "0.10" },
      "as-of": { type: "string" },
      days: { type: "string", default: "1" },
      keep: { type: "boolean", default: false },
    },
  });
  for (const name of [values.source, values.database]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${name}: a plain lower-case database name`);
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 60) throw new Error("--days: 1 to 60");
  const share = Number(values.delinquent);
  if (!(share > 0 && share < 1)) throw new Error("--delinquent: a fraction between 0 and 1");
  const server = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  server.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [values.source]);
  if (exists.rowCount === 0) {
    await admin.end();
    throw new Error(`no database ${values.source}: run \`npm run bench -- seed\` first`);
  }
  await admin.query(`DROP DATABASE IF EXISTS ${values.database} WITH (FORCE)`);
  const copy = await timed(`CREATE DATABASE ${values.database} TEMPLATE ${values.source}`, () =>
    admin.query(`CREATE DATABASE ${values.database} TEMPLATE ${values.source} STRATEGY = FILE_COPY`),
  );
  const url = new URL(server);
  url.pathname = `/${values.database}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    KILOWATT_DATA_KEY: process.env.KILOWATT_DATA_KEY || randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
  });
  const database = openPostgres(url.toString(), 4);
  const asOf = values["as-of"] ?? Temporal.Now.plainDateISO(config.timezone).toString();
  const clock = fixedClock(`${asOf}T17:00:00Z`, config.timezone);
  const ctx: Ctx = {
    database,
    db: database.db,
    clock,
    config,
    actor: systemActor("bench"),
    requestId: "bench-collections",
  };
  try {
    await migrate(database);
    const [{ n: accounts }] = (await database.rows<{ n: bigint }>(
      database.db,
      sql`SELECT count(*) AS n FROM accounts`,
    )) as [{ n: bigint }];
    const total = Number(accounts);
    // Accounts already past due (at least $25 due before the day), then more until the share is reached.
    const pastDue = sql`SELECT DISTINCT account_id FROM receivable_items
                        WHERE open_cents > 0 AND due_date < ${asOf}::date`;
    const [{ n: already }] = (await database.rows<{ n: bigint }>(
      database.db,
      sql`SELECT count(*) AS n FROM (SELECT account_id FROM receivable_items
            WHERE open_cents > 0 AND due_date < ${asOf}::date GROUP BY account_id HAVING sum(open_cents) >= 2500) AS d`,
    )) as [{ n: bigint }];
    const wanted = Math.round(total * share) - Number(already);
    say(
      `${total.toLocaleString("en-US")} accounts; ${Number(already).toLocaleString("en-US")} already past due; adding ${Math.max(0, wanted).toLocaleString("en-US")}`,
    );
    const due = Temporal.PlainDate.from(asOf).subtract({ days: 20 });
    const from = due.subtract({ days: 50 });
    let added = 0;
    const prepared = await timed("bill the past-due amounts (bulk ledger postings, not measured)", async () => {
      while (added < wanted) {
        const ids = await database.rows<{ id: bigint }>(
          database.db,
          sql`SELECT id FROM accounts WHERE status = 'active' AND id NOT IN (${pastDue})
              ORDER BY md5(id::text) LIMIT ${Math.min(5000, wanted - added)}`,
        );
        if (ids.length === 0) break;
        const bills: BulkBillInput[] = ids.map((r) => ({
          account_id: Number(r.id),
          reference: `bench:past-due:${r.id}`,
          description: "Bench past-due bill",
          due_date: due.toString(),
          service_period: { from: from.toString(), to: due.subtract({ days: 20 }).toString() },
          charges: [
            { category: "energy", amount_cents: 9_000n + BigInt(Number(r.id) % 20_000), description: "Energy" },
          ],
          credits: [],
        }));
        await inTx(ctx, (tx) => postBillsBulk(tx, bills));
        added += ids.length;
      }
    });
    await database.rows(database.db, sql`ANALYZE`);
    const first = await timed("collections run (first day)", () => runCollections(ctx, { date: asOf }));
    // The days after: every account moves on through the final notice and the disconnect order.
    const later: { seconds: number; value: Awaited<ReturnType<typeof runCollections>> }[] = [];
    for (let d = 1; d <= days; d++) {
      clock.set(`${Temporal.PlainDate.from(asOf).add({ days: d })}T17:00:00Z`);
      later.push(await timed(`collections run (day ${d + 1})`, () => runCollections(ctx)));
    }
    const sum = (k: "reminder" | "notice" | "final_notice" | "disconnect_ordered" | "blocked" | "cured") =>
      later.reduce((n, r) => n + r.value[k], 0);
    const second = later[0]!;
    const [v] = await database.rows<{ v: string }>(database.db, sql`SELECT current_setting('server_version') AS v`);
    return {
      engine: `postgres ${v?.v ?? ""}`.trim(),
      metrics: {
        accounts: total,
        as_of: asOf,
        delinquent_target_share: share,
        already_past_due: Number(already),
        past_due_bills_added: added,
        candidates_first_day: first.value.candidates,
        first_day_seconds: round(first.seconds, 2),
        first_day_reminders: first.value.reminder,
        first_day_notices: first.value.notice,
        first_day_final_notices: first.value.final_notice,
        first_day_disconnect_orders: first.value.disconnect_ordered,
        first_day_held: first.value.blocked,
        next_day_seconds: round(second.seconds, 2),
        next_day_candidates: second.value.candidates,
        next_day_steps:
          second.value.reminder + second.value.notice + second.value.final_notice + second.value.disconnect_ordered,
        next_day_cured: second.value.cured,
        days_run: days + 1,
        slowest_day_seconds: round(Math.max(first.seconds, ...later.map((r) => r.seconds)), 2),
        later_days_reminders: sum("reminder"),
        later_days_notices: sum("notice"),
        later_days_final_notices: sum("final_notice"),
        later_days_disconnect_orders: sum("disconnect_ordered"),
        later_days_held: sum("blocked"),
        later_days_cured: sum("cured"),
        target_seconds: 120,
        template_copy_seconds: round(copy.seconds, 1),
        prepare_seconds: round(prepared.seconds, 1),
      },
    };
  } finally {
    await database.close();
    if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${values.database} WITH (FORCE)`);
    await admin.end();
  }
}
