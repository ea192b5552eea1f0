import { sql } from "drizzle-orm";
import type { Ctx } from "../platform/context.js";
import type { Db } from "../platform/db.js";
import { ID_TABLES, type SeedTable, TABLE_NAMES } from "./tables.js";

/**
 * The seed's proven load. Per-row triggers (each foreign key's check and the ledger's balance rule) cost more than
 * the COPY they guard when a chunk brings millions of rows. So when the database lets the seed set
 * session_replication_role (a superuser, or a role granted it), each chunk is loaded with them off, in its own session
 * only, and then proved in the same transaction by set-based queries over the chunk: every foreign key of every row
 * resolves (parents locked, as the check would lock them) and every journal entry has at least two postings summing
 * to zero. The chunk commits only if all of it holds, so it guarantees what the triggers guarantee. The seed takes
 * this path only while the triggers on its tables are the ones proved here; any other trigger (a later migration's)
 * sends it back to the checked load, which every role may use.
 */

/** The user triggers on seeded tables whose work the proof does (or that concern only UPDATE, DELETE, TRUNCATE). */
const PROVED_TRIGGERS = new Set([
  "journal_entries.journal_entries_immutable",
  "journal_entries.journal_entries_no_truncate",
  "journal_entries.journal_entries_noted",
  "journal_entries.journal_entries_balanced",
  "journal_postings.journal_postings_immutable",
  "journal_postings.journal_postings_no_truncate",
  "journal_postings.journal_postings_balanced",
]);

interface ForeignKey {
  child: SeedTable;
  column: string;
  parent: string;
  key: string;
}

/** How the seed loads: proved (triggers off, then proved) with the keys to prove, or checked by the triggers. */
export type LoadPlan = { proved: true; keys: ForeignKey[] } | { proved: false; why: string };

/** Decides the load: proved when this role may turn triggers off for its session and no unknown trigger exists. */
export async function planLoad(ctx: Ctx): Promise<LoadPlan> {
  const rows = <T>(query: ReturnType<typeof sql>) => ctx.database.rows<T>(ctx.db, query);
  const [role] = await rows<{ allowed: boolean }>(
    sql`SELECT current_setting('is_superuser') = 'on'
               OR has_parameter_privilege('session_replication_role', 'SET') AS allowed`,
  );
  if (!role?.allowed) return { proved: false, why: "this role may not set session_replication_role" };
  const names = sql.join(
    TABLE_NAMES.map((t) => sql`${t}`),
    sql`, `,
  );
  const triggers = await rows<{ name: string }>(
    sql`SELECT c.relname || '.' || t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND c.relname IN (${names}) AND c.relnamespace = 'public'::regnamespace`,
  );
  const unknown = triggers.map((t) => t.name).filter((n) => !PROVED_TRIGGERS.has(n));
  if (unknown.length) return { proved: false, why: `triggers the seed does not prove: ${unknown.join(", ")}` };
  const keys = await rows<ForeignKey & { columns: number }>(
    sql`SELECT c.conrelid::regclass::text AS child, a.attname AS column, c.confrelid::regclass::text AS parent,
               af.attname AS key, array_length(c.conkey, 1) AS columns
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.conrelid::regclass::text IN (${names})
        ORDER BY 1, 2`,
  );
  if (keys.some((k) => Number(k.columns) !== 1)) return { proved: false, why: "a foreign key of several columns" };
  return { proved: true, keys: keys.map(({ child, column, parent, key }) => ({ child, column, parent, key })) };
}

/** The id range each table's rows of the chunk took, [first, last] (first > last: none). */
export type ChunkRanges = Record<SeedTable, [number, number]>;

const ident = (name: string) => sql.identifier(name);

/** The rows of the chunk in a table: its id range, or its accounts' range for the tables keyed by account. */
const ofChunk = (table: SeedTable, ranges: ChunkRanges) => {
  const [lo, hi] = (ID_TABLES as string[]).includes(table) ? ranges[table] : ranges.accounts;
  const column = (ID_TABLES as string[]).includes(table) ? "id" : "account_id";
  return sql`${ident(column)} BETWEEN ${lo}::int8 AND ${hi}::int8`;
};

/**
 * Proves a chunk loaded without triggers, in its transaction: each table holds exactly the rows copied, in their
 * ranges; each key to a seeded table points into the range that table's rows of the chunk fill; each key to another
 * table names one of the rows `outside` lists for it (the chart's GL accounts the seed posts to), which are locked
 * against deletion until commit, as the key's check would lock them; every journal entry of the chunk has at least
 * two postings summing to zero. Throws, rolling the chunk back, on the first thing that does not hold.
 */
export async function proveChunk(
  ctx: Ctx,
  db: Db,
  keys: ForeignKey[],
  ranges: ChunkRanges,
  copied: Record<string, number>,
  outside: Record<string, string[]>,
) {
  const rows = <T>(query: ReturnType<typeof sql>) => ctx.database.rows<T>(db, query);
  const fail = (what: string) => {
    throw new Error(`seed chunk refused: ${what}`);
  };
  const isIdTable = (t: string) => (ID_TABLES as string[]).includes(t);
  const loaded = TABLE_NAMES.filter((t) => copied[t]! > 0);
  // 1. The rows of other tables the chunk may name: those that exist, locked.
  const found = new Map<string, string[]>();
  for (const k of keys.filter((x) => loaded.includes(x.child) && !(isIdTable(x.parent) && x.key === "id"))) {
    const id = `${k.parent}.${k.key}`;
    if (found.has(id)) continue;
    const wanted = outside[k.parent] ?? [];
    const present = wanted.length
      ? await rows<{ key: string }>(
          sql`SELECT ${ident(k.key)}::text AS key FROM ${ident(k.parent)}
              WHERE ${ident(k.key)}::text = ANY(${sql.param(wanted)}::text[]) FOR KEY SHARE`,
        )
      : [];
    found.set(
      id,
      present.map((r) => r.key),
    );
  }
  // 2. Per table, in one query: the rows of the chunk, and those with a key to nothing it may name.
  const counts = loaded.map((table) => {
    const valid = keys
      .filter((k) => k.child === table)
      .map((k) => {
        const column = ident(k.column);
        if (isIdTable(k.parent) && k.key === "id") {
          const [lo, hi] = ranges[k.parent as SeedTable];
          return sql`(${column} IS NULL OR ${column} BETWEEN ${lo}::int8 AND ${hi}::int8)`;
        }
        const named = found.get(`${k.parent}.${k.key}`) ?? [];
        return sql`(${column} IS NULL OR ${column}::text = ANY(${sql.param(named)}::text[]))`;
      });
    return sql`SELECT ${table}::text AS t, count(*)::int8 AS n,
                      count(*) FILTER (WHERE NOT (${valid.length ? sql.join(valid, sql` AND `) : sql`true`}))::int8 AS stray
               FROM ${ident(table)} WHERE ${ofChunk(table, ranges)}`;
  });
  for (const c of await rows<{ t: SeedTable; n: bigint; stray: bigint }>(sql.join(counts, sql` UNION ALL `))) {
    const [lo, hi] = ranges[c.t];
    const expected = isIdTable(c.t) ? hi - lo + 1 : copied[c.t];
    if (Number(c.n) !== copied[c.t] || copied[c.t] !== expected) {
      fail(`${c.t} holds ${c.n} rows of the chunk, ${copied[c.t]} were copied, its range has ${expected}`);
    }
    if (c.stray > 0n) fail(`${c.stray} ${c.t} rows name rows that are not there`);
  }
  // 3. The ledger's rule. Every posting names an entry of the chunk (2.), so when the entries with postings number
  // the entries, none is without; and each one's postings number at least two and sum to zero.
  if (!copied.journal_entries) return;
  const [lo, hi] = ranges.journal_postings;
  const perEntry = sql`SELECT entry_id, count(*)::int8 AS lines, sum(amount_cents)::int8 AS total FROM journal_postings
                       WHERE id BETWEEN ${lo}::int8 AND ${hi}::int8 GROUP BY entry_id`;
  const [ledger] = await rows<{ entries: bigint; bad: bigint }>(
    sql`SELECT count(*)::int8 AS entries, count(*) FILTER (WHERE lines < 2 OR total <> 0)::int8 AS bad
        FROM (${perEntry}) AS per_entry`,
  );
  if (ledger!.bad > 0n) {
    const [e] = await rows<{ entry_id: bigint; lines: bigint; total: bigint }>(
      sql`SELECT * FROM (${perEntry}) AS per_entry WHERE lines < 2 OR total <> 0 ORDER BY entry_id LIMIT 1`,
    );
    fail(`journal entry ${e!.entry_id} does not balance: ${e!.lines} postings summing to ${e!.total} cents`);
  }
  if (Number(ledger!.entries) !== copied.journal_entries) {
    fail(`${copied.journal_entries - Number(ledger!.entries)} journal entries have no postings`);
  }
}
