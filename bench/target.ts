// The system under an HTTP benchmark: the bench database opened, migrated, the app started in this process on a
// random local port, and a bearer token of a CSR to call it with.
// PostgreSQL: --database NAME (default kilowatt_bench, seeded by `npm run bench -- seed`) on DATABASE_URL's server.
// PGlite: --engine pglite --data DIR (default .tmp/bench-pglite); an empty dir is seeded with --accounts N (default
// 100,000) first and kept, so later runs start at once.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { buildApp } from "../src/app.js";
import { createToken, createUser } from "../src/modules/identity/index.js";
import { systemClock } from "../src/platform/clock.js";
import { loadConfig } from "../src/platform/config.js";
import { type Ctx, systemActor } from "../src/platform/context.js";
import { type Database, openEmbedded, openPostgres } from "../src/platform/db.js";
import type { Http } from "../src/platform/http.js";
import { migrate } from "../src/platform/migrate.js";
import { seedUtility } from "../src/seed/seed.js";
import type { LoadTarget } from "./load.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The parseArgs options every HTTP bench takes to pick its target; spread them into the bench's own. */
export const targetOptions = {
  engine: { type: "string", default: "pg" },
  database: { type: "string", default: "kilowatt_bench" },
  data: { type: "string", default: ".tmp/bench-pglite" },
  accounts: { type: "string", default: "100000" },
  pool: { type: "string", default: "10" },
} as const;

export interface TargetArgs {
  engine?: string;
  database?: string;
  data?: string;
  accounts?: string;
  pool?: string;
}

/** A running target: where to send requests, and the database behind it for setting up the bench's requests. */
export interface BenchTarget extends LoadTarget {
  /** For the result: "postgres 16.4" or "pglite 0.5.17 (PostgreSQL 17.5)". */
  engine: "postgres" | "pglite";
  engineLabel: string;
  database: Database;
  ctx: Ctx;
  app: Http;
  /** Accounts in the database. */
  accounts: number;
  close(): Promise<void>;
}

async function countAccounts(database: Database): Promise<number> {
  const [row] = await database.rows<{ n: bigint }>(database.db, sql`SELECT count(*) AS n FROM accounts`);
  return Number(row?.n ?? 0);
}

/** Opens the target the args name, seeds an empty embedded one, and starts the app with a CSR's token. */
export async function openTarget(args: TargetArgs): Promise<BenchTarget> {
  const engine = args.engine === "pglite" ? "pglite" : args.engine === "pg" || !args.engine ? "postgres" : null;
  if (!engine) throw new Error(`--engine: pg or pglite, not ${args.engine}`);
  let database: Database;
  let env: NodeJS.ProcessEnv;
  if (engine === "postgres") {
    const name = args.database ?? "kilowatt_bench";
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error("--database: a plain lower-case name");
    const url = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
    url.pathname = `/${name}`;
    env = {
      ...process.env,
      DATABASE_URL: url.toString(),
      KILOWATT_DATA_KEY: process.env.KILOWATT_DATA_KEY || randomBytes(32).toString("hex"),
    };
    database = openPostgres(url.toString(), Number(args.pool ?? 10));
  } else {
    // The data dir keeps its own key file, so identity numbers seeded in one run read the same in the next.
    const dir = path.resolve(args.data ?? ".tmp/bench-pglite");
    env = { ...process.env, DATABASE_URL: "", KILOWATT_DATA_DIR: dir };
    database = await openEmbedded(dir);
  }
  const config = loadConfig({ ...env, LOG_LEVEL: "warn" });
  const ctx: Ctx = {
    database,
    db: database.db,
    clock: systemClock(config.timezone, config.now),
    config,
    actor: systemActor("bench"),
    requestId: "bench-target",
  };
  let app: Http | undefined;
  try {
    await migrate(database);
    let accounts = await countAccounts(database);
    if (accounts === 0 && engine === "postgres") {
      throw new Error(`no accounts in ${args.database ?? "kilowatt_bench"}: run \`npm run bench -- seed\` first`);
    }
    if (accounts === 0) {
      const wanted = Number(args.accounts ?? 100_000);
      if (!Number.isInteger(wanted) || wanted < 1) throw new Error("--accounts: a positive whole number");
      console.error(`seeding ${wanted.toLocaleString("en-US")} accounts into ${config.dataDir} (kept for later runs)`);
      const seeded = await seedUtility(ctx, { accounts: wanted, seed: 1, progress: process.stderr });
      console.error(`seeded in ${seeded.seconds} s`);
      // The embedded engine runs no autovacuum: unvacuumed, every first read of a freshly copied row sets its hint
      // bits and dirties the page, and writing those pages back stalls the one engine thread for seconds under load.
      await database.db.execute(sql`VACUUM (ANALYZE)`);
      accounts = await countAccounts(database);
    }
    const [version] = await database.rows<{ v: string }>(
      database.db,
      sql`SELECT current_setting('server_version') AS v`,
    );
    const engineLabel =
      engine === "postgres"
        ? `postgres ${version?.v ?? ""}`.trim()
        : `pglite ${pgliteVersion()} (PostgreSQL ${version?.v})`;

    const username = `bench-${randomBytes(4).toString("hex")}`;
    await createUser(ctx, {
      username,
      display_name: "Benchmark CSR",
      password: randomBytes(18).toString("hex"),
      roles: ["csr"],
    });
    const { token } = await createToken(ctx, username, "bench");
    const started = await buildApp({ database, clock: ctx.clock, config, logger: false });
    app = started;
    await started.listen({ port: 0, host: "127.0.0.1" });
    const port = (started.server.address() as AddressInfo).port;
    return {
      engine,
      engineLabel,
      database,
      ctx,
      app: started,
      accounts,
      port,
      token,
      host: "127.0.0.1",
      async close() {
        await started.close();
        await database.close();
      },
    };
  } catch (err) {
    await app?.close();
    await database.close();
    throw err;
  }
}

/** The installed PGlite's version, from its manifest (the package does not export it). */
function pgliteVersion(): string {
  try {
    const manifest = path.join(here, "../node_modules/@electric-sql/pglite/package.json");
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}
