import { and, asc, eq, gt, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { notFound } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import type { Subledger } from "./chart.js";
import { beginEntry, type PostingLine, postLines } from "./journal.js";
import { clearingOrder, type Match, matchCredits, type OpenItem } from "./matching.js";
import { accountBalances, receivableCredits, receivableItems, receivableMatches } from "./schema.js";

export type ItemRow = typeof receivableItems.$inferSelect;
export type CreditRow = typeof receivableCredits.$inferSelect;
export type MatchRow = typeof receivableMatches.$inferSelect;

/** A clearing (or its undoing) as the API shows it. */
export interface MatchView {
  id: number;
  item_id: number;
  credit_id: number;
  amount_cents: bigint;
  accounting_date: string;
  entry_id: number;
  undone_by_entry_id: number | null;
}

export const matchView = (m: MatchRow): MatchView => ({
  id: m.id,
  item_id: m.itemId,
  credit_id: m.creditId,
  amount_cents: m.amountCents,
  accounting_date: m.accountingDate,
  entry_id: m.entryId,
  undone_by_entry_id: m.undoneByEntryId,
});

/**
 * The statement that locks an account's balance row for the rest of the transaction (creating it on first use) and
 * moves it by `delta`, returning the new balance; no row when there is no such account. An upsert, so the lock,
 * the account check and the move are one round trip; under a concurrent lock it waits, then adds to the row as
 * committed.
 */
export const lockBalanceStatement = (accountId: number, delta: bigint): SQL =>
  sql`INSERT INTO account_balances AS b (account_id, balance_cents)
      SELECT a.id, ${delta}::int8 FROM accounts a WHERE a.id = ${accountId}::int8
      ON CONFLICT (account_id) DO UPDATE SET balance_cents = b.balance_cents + EXCLUDED.balance_cents
      RETURNING b.balance_cents`;

/**
 * Locks an account's balance row for the rest of the transaction (creating it at zero on first use): every write to
 * an account's items, credits and balance takes this lock first, so concurrent postings to one account serialise.
 * Returns the cached balance (404 naming `field` when there is no such account).
 */
export async function lockAccount(tx: Ctx, accountId: number, field = "account_id"): Promise<bigint> {
  const [row] = await preparedRows<{ balance_cents: bigint }>(tx, lockBalanceStatement(accountId, 0n));
  if (!row) throw notFound(`account ${accountId}`, field);
  return row.balance_cents;
}

/** Moves the cached balance (under the lock) and returns the new one. */
export async function moveBalance(tx: Ctx, accountId: number, delta: bigint): Promise<bigint> {
  const [row] = await tx.db
    .update(accountBalances)
    .set({ balanceCents: sql`${accountBalances.balanceCents} + ${delta}` })
    .where(eq(accountBalances.accountId, accountId))
    .returning({ balance: accountBalances.balanceCents });
  return row!.balance;
}

/** Sums amounts per id, so one UPDATE ... FROM (VALUES ...) changes each row once. */
function perId(pairs: [number, bigint][]): [number, bigint][] {
  const sums = new Map<number, bigint>();
  for (const [id, amount] of pairs) sums.set(id, (sums.get(id) ?? 0n) + amount);
  return [...sums];
}

/** Adds `delta` to the open amount of each row named (one statement per table). */
async function moveOpen(tx: Ctx, table: "receivable_items" | "receivable_credits", deltas: [number, bigint][]) {
  if (deltas.length === 0) return;
  const values = sql.join(
    perId(deltas).map(([id, d]) => sql`(${id}::int8, ${d}::int8)`),
    sql`, `,
  );
  await tx.db.execute(
    sql`UPDATE ${sql.identifier(table)} AS t SET open_cents = t.open_cents + v.delta, version = t.version + 1
        FROM (VALUES ${values}) AS v(id, delta) WHERE t.id = v.id`,
  );
}

/** Posts matches as one clearing entry: Dr unapplied (the credit), Cr receivable (the item), per match. */
export async function postMatches(
  tx: Ctx,
  accountId: number,
  gl: Subledger,
  matches: readonly Match[],
  reference: string,
): Promise<MatchRow[]> {
  if (matches.length === 0) return [];
  const entryId = await beginEntry(tx, { kind: "clearing", accountId, reference, description: "clearing" });
  const rows = await tx.db
    .insert(receivableMatches)
    .values(
      matches.map((m) => ({
        accountId,
        itemId: m.item_id,
        creditId: m.credit_id,
        amountCents: m.amount_cents,
        accountingDate: tx.clock.today().toString(),
        entryId,
      })),
    )
    .returning();
  const lines: PostingLine[] = matches.flatMap((m) => [
    { glAccount: gl.unapplied, amountCents: m.amount_cents, accountId, creditId: m.credit_id },
    { glAccount: gl.receivable, amountCents: -m.amount_cents, accountId, itemId: m.item_id },
  ]);
  await postLines(tx, entryId, lines);
  await moveOpen(
    tx,
    "receivable_items",
    matches.map((m) => [m.item_id, -m.amount_cents]),
  );
  await moveOpen(
    tx,
    "receivable_credits",
    matches.map((m) => [m.credit_id, -m.amount_cents]),
  );
  return rows;
}

/** The clearings still in force that match the item, or the credit, named. */
export async function activeMatches(tx: Ctx, on: { itemId?: number; creditId?: number }): Promise<MatchRow[]> {
  const which: SQL =
    on.itemId !== undefined ? eq(receivableMatches.itemId, on.itemId) : eq(receivableMatches.creditId, on.creditId!);
  return tx.db
    .select()
    .from(receivableMatches)
    .where(and(which, isNull(receivableMatches.undoneByEntryId)))
    .orderBy(asc(receivableMatches.id));
}

/**
 * Undoes clearings (a reset entry: Dr receivable, Cr unapplied, per match): the items are open again by the
 * amounts matched and the credits unapplied again. Returns the reset entry's id, or null when there was nothing.
 */
export async function resetMatches(
  tx: Ctx,
  accountId: number,
  gl: Subledger,
  matches: readonly MatchRow[],
  reference: string,
): Promise<number | null> {
  if (matches.length === 0) return null;
  const entryId = await beginEntry(tx, { kind: "reset", accountId, reference, description: "reset clearing" });
  await postLines(
    tx,
    entryId,
    matches.flatMap((m) => [
      { glAccount: gl.receivable, amountCents: m.amountCents, accountId, itemId: m.itemId },
      { glAccount: gl.unapplied, amountCents: -m.amountCents, accountId, creditId: m.creditId },
    ]),
  );
  await tx.db
    .update(receivableMatches)
    .set({ undoneByEntryId: entryId })
    .where(
      inArray(
        receivableMatches.id,
        matches.map((m) => m.id),
      ),
    );
  await moveOpen(
    tx,
    "receivable_items",
    matches.map((m) => [m.itemId, m.amountCents]),
  );
  await moveOpen(
    tx,
    "receivable_credits",
    matches.map((m) => [m.creditId, m.amountCents]),
  );
  return entryId;
}

/** The account's open items in clearing order (oldest due first). */
export async function openItems(tx: Ctx, accountId: number): Promise<OpenItem[]> {
  const rows = await tx.db
    .select({
      id: receivableItems.id,
      open_cents: receivableItems.openCents,
      due_date: receivableItems.dueDate,
      accounting_date: receivableItems.accountingDate,
      clears_last: receivableItems.clearsLast,
    })
    .from(receivableItems)
    .where(and(eq(receivableItems.accountId, accountId), gt(receivableItems.openCents, 0n)));
  return clearingOrder(rows);
}

/**
 * The clearing run: the account's unapplied credits (oldest first) consume its open items (oldest due first).
 * Runs after every charge, undirected credit and reversal, so an unapplied credit never waits for a bill.
 */
export async function clearAccount(tx: Ctx, accountId: number, gl: Subledger, reference: string): Promise<MatchRow[]> {
  const credits = await tx.db
    .select({ id: receivableCredits.id, open_cents: receivableCredits.openCents })
    .from(receivableCredits)
    .where(and(eq(receivableCredits.accountId, accountId), gt(receivableCredits.openCents, 0n)))
    .orderBy(asc(receivableCredits.accountingDate), asc(receivableCredits.id));
  if (credits.length === 0) return [];
  const items = await openItems(tx, accountId);
  return postMatches(tx, accountId, gl, matchCredits(credits, items), reference);
}
