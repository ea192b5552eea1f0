import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Database } from "./db.js";
import { ensureJobSchema } from "./jobs.js";

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");
// An arbitrary constant: the advisory lock that serialises migrations across processes on PostgreSQL.
const MIGRATION_LOCK = 7_460_001;

interface JournalEntry {
  idx: number;
  tag: string;
}

/** The committed migrations, in order. */
export function listMigrations(dir = migrationsDir): { tag: string; statements: string[] }[] {
  const journal = JSON.parse(readFileSync(path.join(dir, "meta/_journal.json"), "utf8")) as { entries: JournalEntry[] };
  return journal.entries
    .sort((a, b) => a.idx - b.idx)
    .map((e) => ({
      tag: e.tag,
      statements: readFileSync(path.join(dir, `${e.tag}.sql`), "utf8")
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter(Boolean),
    }));
}

/** Applies pending migrations in order, each in its own transaction, under a lock. Returns the tags applied. */
export async function migrate(database: Database, dir = migrationsDir): Promise<string[]> {
  const { db } = database;
  const applied: string[] = [];
  const run = async () => {
    await db.execute(
      sql`CREATE TABLE IF NOT EXISTS kilowatt_migrations (tag text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await database.rows<{ tag: string }>(db, sql`SELECT tag FROM kilowatt_migrations`)).map((r) => r.tag),
    );
    for (const m of listMigrations(dir)) {
      if (done.has(m.tag)) continue;
      await db.transaction(async (tx) => {
        for (const statement of m.statements) await tx.execute(sql.raw(statement));
        await tx.execute(sql`INSERT INTO kilowatt_migrations (tag) VALUES (${m.tag})`);
      });
      applied.push(m.tag);
    }
    // The job queue's tables (pg-boss), made once here so every install and test template has them.
    if (await ensureJobSchema(database)) applied.push("pgboss");
  };
  if (database.pool) {
    // A session-level lock must be taken and released on one connection.
    const client = await database.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await run();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
  } else {
    await run(); // PGlite: one process holds the data dir, one query at a time
  }
  return applied;
}
