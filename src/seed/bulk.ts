import { once } from "node:events";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Database, Db } from "../platform/db.js";
import { copyStatement, type SeedTable } from "./tables.js";

/** One open transaction that can bulk-load tables: COPY on both engines. */
export interface BulkTx {
  db: Db;
  copy(table: SeedTable, data: Buffer): Promise<void>;
}

/** A bulk writer over one connection: runs each unit of work in its own transaction. */
export interface BulkWriter {
  transaction<T>(fn: (tx: BulkTx) => Promise<T>): Promise<T>;
  release(): Promise<void>;
}

// COPY data goes to the server in slices so no single socket write holds megabytes.
const SLICE = 1 << 20;

async function copyToPostgres(client: pg.PoolClient, table: SeedTable, data: Buffer) {
  if (data.length === 0) return;
  const stream = client.query(copyFrom(copyStatement(table, "STDIN")));
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  for (let at = 0; at < data.length; at += SLICE) {
    if (!stream.write(data.subarray(at, at + SLICE))) await Promise.race([once(stream, "drain"), done]);
  }
  stream.end();
  await done;
}

/** A writer on its own pooled PostgreSQL connection (several may load in parallel). */
export async function postgresWriter(pool: pg.Pool): Promise<BulkWriter> {
  const client = await pool.connect();
  const db = drizzlePg(client) as unknown as Db;
  return {
    async transaction(fn) {
      await client.query("BEGIN");
      try {
        // A lost seed chunk is simply seeded again, so the commit need not wait for the WAL flush.
        await client.query("SET LOCAL synchronous_commit = off");
        const result = await fn({ db, copy: (table, data) => copyToPostgres(client, table, data) });
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      }
    },
    async release() {
      client.release();
    },
  };
}

/** The embedded engine's writer: COPY from an in-memory blob, inside PGlite's own transaction. */
export function pgliteWriter(database: Database): BulkWriter {
  const pglite = database.pglite!;
  return {
    transaction(fn) {
      return pglite.transaction(async (tx) => {
        const db = drizzlePglite({ client: tx as never }) as unknown as Db;
        return fn({
          db,
          copy: async (table, data) => {
            if (data.length)
              await tx.query(copyStatement(table, "'/dev/blob'"), [], {
                blob: new Blob([data as Uint8Array<ArrayBuffer>]),
              });
          },
        });
      });
    },
    async release() {},
  };
}

/** Bulk writers for the engine: `connections` parallel ones on PostgreSQL, the single one on PGlite. */
export async function openWriters(database: Database, connections: number): Promise<BulkWriter[]> {
  if (database.pool) {
    const writers: BulkWriter[] = [];
    for (let i = 0; i < connections; i++) writers.push(await postgresWriter(database.pool));
    return writers;
  }
  return [pgliteWriter(database)];
}
