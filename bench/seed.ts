// Seeds a synthetic utility into a fresh PostgreSQL database and measures the load.
// Options: --accounts N (default 1,000,000), --seed S (default 1), --connections N, --chunk N,
// --database NAME (default kilowatt_bench; dropped and made again), --drop (drop it afterwards).
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { systemClock } from "../src/platform/clock.js";
import { loadConfig } from "../src/platform/config.js";
import { type Ctx, systemActor } from "../src/platform/context.js";
import { openPostgres } from "../src/platform/db.js";
import { migrate } from "../src/platform/migrate.js";
import { seedUtility } from "../src/seed/seed.js";
import type { BenchOutcome } from "./run.js";

export default async function seedBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: "string", default: "1000000" },
      seed: { type: "string", default: "1" },
      connections: { type: "string" },
      chunk: { type: "string" },
      database: { type: "string", default: "kilowatt_bench" },
      drop: { type: "boolean", default: false },
    },
  });
  const accounts = Number(values.accounts);
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error("--accounts: a positive whole number");
  if (!/^[a-z_][a-z0-9_]*$/.test(values.database)) throw new Error("--database: a plain lower-case name");

  const server = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  server.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${values.database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${values.database}`);
  const target = new URL(server);
  target.pathname = `/${values.database}`;

  const config = {
    ...loadConfig({
      ...process.env,
      DATABASE_URL: target.toString(),
      KILOWATT_DATA_KEY: process.env.KILOWATT_DATA_KEY || randomBytes(32).toString("hex"),
    }),
  };
  const database = openPostgres(target.toString(), 4);
  try {
    await migrate(database);
    const ctx: Ctx = {
      database,
      db: database.db,
      clock: systemClock(config.timezone, config.now),
      config,
      actor: systemActor("bench"),
      requestId: "bench-seed",
    };
    console.error(`seeding ${accounts.toLocaleString("en-US")} accounts into ${target.toString()}`);
    const result = await seedUtility(ctx, {
      accounts,
      seed: Number(values.seed),
      connections: values.connections ? Number(values.connections) : undefined,
      chunkSize: values.chunk ? Number(values.chunk) : undefined,
      progress: process.stderr,
    });
    const [size] = await database.rows<{ bytes: bigint }>(
      database.db,
      sql`SELECT pg_database_size(current_database()) AS bytes`,
    );
    const [version] = await database.rows<{ v: string }>(database.db, sql`SHOW server_version`);
    return {
      engine: `postgres ${version?.v ?? ""}`.trim(),
      metrics: {
        accounts: result.accounts,
        total_rows: result.total_rows,
        seconds: result.seconds,
        rows_per_second: Math.round(result.total_rows / result.seconds),
        accounts_per_second: Math.round(result.accounts / result.seconds),
        target_seconds: 300,
        database_mb: Math.round(Number(size?.bytes ?? 0) / 2 ** 20),
        ...Object.fromEntries(Object.entries(result.rows).map(([t, n]) => [`rows_${t}`, n])),
      },
    };
  } finally {
    await database.close();
    if (values.drop) await admin.query(`DROP DATABASE IF EXISTS ${values.database} WITH (FORCE)`);
    await admin.end();
  }
}
