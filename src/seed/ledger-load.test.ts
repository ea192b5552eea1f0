import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../tests/support/testkit.js";
import type { Db } from "../platform/db.js";
import { type ChunkRanges, planLoad, proveChunk } from "./proof.js";
import { TABLE_NAMES } from "./tables.js";

// The ledger's balance rule as the bulk load needs it (migration 0007, ADR 0006), and the proof the seed runs in
// place of per-row triggers when it loads without them (proof.ts).

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

/** The database's message for what it refused (drizzle wraps the driver's error). */
async function refusal(work: Promise<unknown>): Promise<string> {
  const err = (await work.then(
    () => null,
    (e: unknown) => e,
  )) as { message?: string; cause?: { message?: string } } | null;
  if (!err) throw new Error("it was not refused");
  return `${err.message} ${err.cause?.message ?? ""}`;
}

const entry = (id: number) =>
  sql`INSERT INTO journal_entries (id, kind, accounting_date, actor_name)
      OVERRIDING SYSTEM VALUE VALUES (${id}, 'general', '2026-03-02', 'test')`;
const postings = (id: number, ...amounts: number[]) =>
  sql`INSERT INTO journal_postings (entry_id, gl_account, amount_cents)
      VALUES ${sql.join(
        amounts.map((a, i) => sql`(${id}, ${i % 2 ? "1010" : "1020"}, ${a})`),
        sql`, `,
      )}`;
const count = async (lo: number, hi: number) => {
  const [row] = await t.database.rows<{ n: bigint }>(
    t.database.db,
    sql`SELECT count(*)::int8 AS n FROM journal_entries WHERE id BETWEEN ${lo} AND ${hi}`,
  );
  return row!.n;
};

describe("the journal's balance rule, checked per statement", () => {
  it("takes thousands of entries and their postings in two statements, and checks them at commit", async () => {
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO journal_entries (id, kind, accounting_date, actor_name)
                           OVERRIDING SYSTEM VALUE
                           SELECT g, 'general', '2026-03-02', 'test' FROM generate_series(800000001, 800005000) g`);
      await tx.execute(sql`INSERT INTO journal_postings (entry_id, gl_account, amount_cents)
                           SELECT g, CASE WHEN s = 0 THEN '1020' ELSE '1010' END, CASE WHEN s = 0 THEN 700 ELSE -700 END
                           FROM generate_series(800000001, 800005000) g, generate_series(0, 1) s`);
    });
    expect(await count(800000001, 800005000)).toBe(5000n);
  });

  it("refuses postings of one entry split over statements that do not balance each", async () => {
    const split = t.database.db.transaction(async (tx) => {
      await tx.execute(entry(810000001));
      await tx.execute(postings(810000001, 100));
      await tx.execute(postings(810000001, -100));
    });
    expect(await refusal(split)).toMatch(/journal entry 810000001 does not balance: 1 postings summing to 100 cents/);
    expect(await count(810000001, 810000001)).toBe(0n);
  });

  it("refuses at commit an entry left without postings among hundreds written one by one, out of order", async () => {
    // Spaced ids written in separate statements: more spans than the note keeps, so they collapse into one.
    const lonely = t.database.db.transaction(async (tx) => {
      for (let i = 0; i < 600; i++) {
        const id = 820000000 + ((i * 7919) % 600) * 3;
        await tx.execute(entry(id));
        if (i !== 417) await tx.execute(postings(id, 250, -250));
      }
    });
    const missing = 820000000 + ((417 * 7919) % 600) * 3;
    expect(await refusal(lonely)).toMatch(new RegExp(`journal entry ${missing} does not balance: 0 postings`));
    expect(await count(820000000, 820002000)).toBe(0n);
  });
});

describe("the proof of a chunk loaded without triggers", () => {
  const none: [number, number] = [1, 0];
  const ranges = (entries: [number, number], lines: [number, number]) =>
    ({
      ...Object.fromEntries(TABLE_NAMES.map((table) => [table, none])),
      journal_entries: entries,
      journal_postings: lines,
    }) as ChunkRanges;
  const copied = (entries: number, lines: number) => ({
    ...Object.fromEntries(TABLE_NAMES.map((table) => [table, 0])),
    journal_entries: entries,
    journal_postings: lines,
  });
  /** Loads rows with triggers off (as the seed does), proves them, and rolls back whatever happens. */
  async function prove(load: (tx: Db) => Promise<[number, number]>, entries: [number, number]) {
    const plan = await planLoad(t.ctx);
    if (!plan.proved) throw new Error(plan.why);
    return t.database.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      const lines = await load(tx);
      await tx.execute(sql`SET LOCAL session_replication_role = origin`);
      await proveChunk(
        t.ctx,
        tx,
        plan.keys,
        ranges(entries, lines),
        copied(entries[1] - entries[0] + 1, lines[1] - lines[0] + 1),
        { gl_accounts: ["1010", "1020"] },
      );
      throw new Error("proved");
    });
  }
  const lines = async (tx: Db, values: ReturnType<typeof sql>): Promise<[number, number]> => {
    const rows = await t.database.rows<{ id: bigint }>(
      tx,
      sql`INSERT INTO journal_postings (id, entry_id, gl_account, amount_cents) OVERRIDING SYSTEM VALUE
          VALUES ${values} RETURNING id`,
    );
    const ids = rows.map((r) => Number(r.id));
    return [Math.min(...ids), Math.max(...ids)];
  };

  it("is taken where the role may load without triggers, and passes a sound chunk", async () => {
    expect(await planLoad(t.ctx)).toMatchObject({ proved: true });
    const sound = prove(
      async (tx) => {
        await tx.execute(entry(830000001));
        await tx.execute(entry(830000002));
        return lines(
          tx,
          sql`(830000001, 830000001, '1020', 5), (830000002, 830000001, '1010', -5),
            (830000003, 830000002, '1020', 9), (830000004, 830000002, '1010', -9)`,
        );
      },
      [830000001, 830000002],
    );
    expect(await refusal(sound)).toMatch(/proved/);
  });

  it("refuses an unbalanced entry, an entry without postings, and a key to a row that is not there", async () => {
    const unbalanced = prove(
      async (tx) => {
        await tx.execute(entry(840000001));
        return lines(tx, sql`(840000001, 840000001, '1020', 5), (840000002, 840000001, '1010', -4)`);
      },
      [840000001, 840000001],
    );
    expect(await refusal(unbalanced)).toMatch(/journal entry 840000001 does not balance: 2 postings summing to 1/);
    const empty = prove(
      async (tx) => {
        await tx.execute(entry(850000001));
        await tx.execute(entry(850000002));
        return lines(tx, sql`(850000001, 850000001, '1020', 5), (850000002, 850000001, '1010', -5)`);
      },
      [850000001, 850000002],
    );
    expect(await refusal(empty)).toMatch(/1 journal entries have no postings/);
    const stray = prove(
      async (tx) => {
        await tx.execute(entry(860000001));
        return lines(tx, sql`(860000001, 860000001, '1020', 5), (860000002, 860000099, '1010', -5)`);
      },
      [860000001, 860000001],
    );
    expect(await refusal(stray)).toMatch(/1 journal_postings rows name rows that are not there/);
    const unknownGl = prove(
      async (tx) => {
        await tx.execute(entry(870000001));
        return lines(tx, sql`(870000001, 870000001, '1020', 5), (870000002, 870000001, '9999', -5)`);
      },
      [870000001, 870000001],
    );
    expect(await refusal(unknownGl)).toMatch(/1 journal_postings rows name rows that are not there/);
  });
});
