import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { fuzzystrmatch } from "@electric-sql/pglite/contrib/fuzzystrmatch";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { SQL } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";

/** A drizzle handle: the root database or a transaction. Both engines give the same type. */
// biome-ignore lint/suspicious/noExplicitAny: the schema generic is erased; contexts use table objects directly
export type Db = PgDatabase<PgQueryResultHKT, any>;

export type Engine = "pglite" | "postgres";

export interface Database {
  db: Db;
  engine: Engine;
  /** Raw rows of a query, with the same type parsing on both engines. */
  rows<T = Record<string, unknown>>(executor: Db, query: SQL): Promise<T[]>;
  /** The PGlite instance (embedded engine only). */
  pglite?: PGlite;
  /** The pg pool (server engine only). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

// Same parsing on both engines: int8 -> bigint, numeric -> string, date -> 'YYYY-MM-DD', timestamptz -> ISO string
// as the server prints it (sessions run in UTC). Drizzle's own date/timestamp handling also keeps strings.
const identity = (v: string) => v;
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => BigInt(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, identity);
pg.types.setTypeParser(pg.types.builtins.DATE, identity);
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, identity);
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, identity);
const pgliteParsers = {
  [pgliteTypes.INT8]: (v: string) => BigInt(v),
  [pgliteTypes.NUMERIC]: identity,
  [pgliteTypes.DATE]: identity,
  [pgliteTypes.TIMESTAMPTZ]: identity,
  [pgliteTypes.TIMESTAMP]: identity,
};

const pgliteExtensions = { pg_trgm, fuzzystrmatch };

function wrap(db: Db, engine: Engine, close: () => Promise<void>, extra: Partial<Database>): Database {
  return {
    db,
    engine,
    async rows<T>(executor: Db, query: SQL) {
      const result = (await executor.execute(query)) as unknown as { rows: T[] };
      return result.rows;
    },
    close,
    ...extra,
  };
}

/** Opens PostgreSQL through a pool; every session runs in UTC. */
export function openPostgres(url: string, poolSize = 10): Database {
  // No parallel query on these connections: they serve many short requests at once, where starting workers for a
  // query costs more than it saves (a search at a house number took 16 ms with workers, 4 ms without, on 2 cores).
  // A batch job that scans millions of rows may turn it on for its own transaction (SET LOCAL).
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: "-c TimeZone=UTC -c max_parallel_workers_per_gather=0",
  });
  pool.on("error", () => {
    // an idle client lost its connection; the pool replaces it
  });
  const db = drizzlePg(pool) as unknown as Db;
  return wrap(db, "postgres", () => pool.end(), { pool });
}

/** Opens an in-memory PGlite, optionally from a dumped data dir (tests). */
export async function openPgliteMemory(dump?: Blob): Promise<Database> {
  const instance = await PGlite.create({
    extensions: pgliteExtensions,
    parsers: pgliteParsers,
    loadDataDir: dump,
  });
  return fromPglite(instance, async () => instance.close());
}

async function fromPglite(instance: PGlite, close: () => Promise<void>): Promise<Database> {
  await instance.exec("SET TimeZone = 'UTC'");
  const db = drizzlePglite(instance) as unknown as Db;
  return wrap(db, "pglite", close, { pglite: instance });
}

export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(`the data dir is in use by process ${pid} (${lockFile})`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Who holds the embedded data dir, if anyone alive does. */
export function dataDirHolder(dataDir: string): number | undefined {
  const lockFile = path.join(dataDir, "kilowatt.lock");
  if (!existsSync(lockFile)) return undefined;
  const pid = Number(readFileSync(lockFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}

/** Opens the embedded database under dataDir, taking the single-opener lock (a stale lock of a dead process is taken over). */
export async function openEmbedded(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, "kilowatt.lock");
  const holder = dataDirHolder(dataDir);
  if (holder !== undefined && holder !== process.pid) throw new DataDirLockedError(lockFile, holder);
  if (existsSync(lockFile)) rmSync(lockFile);
  writeFileSync(lockFile, String(process.pid), { flag: "wx" });
  const release = () => {
    try {
      if (readFileSync(lockFile, "utf8").trim() === String(process.pid)) rmSync(lockFile);
    } catch {
      // already gone
    }
  };
  process.once("exit", release);
  try {
    const instance = await PGlite.create({
      dataDir: path.join(dataDir, "pgdata"),
      extensions: pgliteExtensions,
      parsers: pgliteParsers,
    });
    return await fromPglite(instance, async () => {
      await instance.close();
      release();
    });
  } catch (err) {
    release();
    throw err;
  }
}

/** Opens the configured database: PostgreSQL when a URL is given, else the embedded one. */
export async function openDatabase(cfg: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  return cfg.databaseUrl ? openPostgres(cfg.databaseUrl) : openEmbedded(cfg.dataDir);
}
