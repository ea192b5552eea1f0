import { eq, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, notFound, ruleRefused } from "../../platform/errors.js";
import { type Subledger, subledgerAccounts } from "./chart.js";
import { activeMatches, clearAccount, lockAccount, moveBalance, resetMatches } from "./clearing.js";
import { mirrorEntry } from "./journal.js";
import { journalEntries, receivableCredits, receivableItems } from "./schema.js";

export interface ReversalPosted {
  reversed_entry_id: number;
  reversal_entry_id: number;
  /** The entry that undid the clearings of the item or credit first, if it had any. */
  reset_entry_id: number | null;
  /** The account's balance afterwards (null for a GL-only entry). */
  balance_cents: bigint | null;
}

const REVERSIBLE = new Set(["charge", "credit", "bill", "general"]);

/** A unique violation (the database code), however the driver wraps it. */
const isUniqueViolation = (err: unknown): boolean => {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
};

const alreadyReversed = (id: number) =>
  ruleRefused("ledger.already_reversed", `journal entry ${id} has already been reversed`, {
    errors: [{ field: "entry_id", message: "already reversed" }],
  });

/**
 * Reverses a charge, credit or GL-only entry by posting its mirror (every line negated) with a reference to it;
 * an entry is reversed at most once. A charge's or credit's clearings are reset first (its item is open again in
 * full, or its credit wholly unapplied), so the mirror leaves it at zero; then the account's clearing run lets
 * freed credits consume what is still open. Clearing, reset and reversal entries are not reversed themselves.
 */
export async function reverseEntry(ctx: Ctx, entryId: number, reason: string): Promise<ReversalPosted> {
  if (!reason.trim() || reason.length > 500) {
    throw badRequest("say why the entry is reversed", [{ field: "reason", message: "1 to 500 characters" }]);
  }
  try {
    return await inTx(ctx, (tx) => reverseInTx(tx, entryId, reason));
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyReversed(entryId);
    throw err;
  }
}

async function reverseInTx(tx: Ctx, entryId: number, reason: string): Promise<ReversalPosted> {
  const [entry] = await tx.db.select().from(journalEntries).where(eq(journalEntries.id, entryId));
  if (!entry) throw notFound(`journal entry ${entryId}`, "entry_id");
  if (!REVERSIBLE.has(entry.kind)) {
    throw ruleRefused("ledger.entry_not_reversible", `a ${entry.kind} entry is not reversed on its own`, {
      errors: [{ field: "entry_id", message: "reverse the charge or credit it belongs to" }],
    });
  }
  const accountId = entry.accountId;
  if (accountId !== null) await lockAccount(tx, accountId, "entry_id");
  // Checked under the account's lock; the unique constraint on reverses_entry_id settles any other race.
  const [prior] = await tx.db
    .select({ id: journalEntries.id })
    .from(journalEntries)
    .where(eq(journalEntries.reversesEntryId, entryId));
  if (prior) throw alreadyReversed(entryId);

  let resetId: number | null = null;
  let balance: bigint | null = null;
  let reversalId: number;
  let gl: Subledger | null = null;
  const reference = `reversal:${entryId}`;
  if (entry.kind === "charge" && accountId !== null) {
    const [item] = await tx.db.select().from(receivableItems).where(eq(receivableItems.entryId, entryId));
    gl = await subledgerAccounts(tx.db);
    resetId = await resetMatches(tx, accountId, gl, await activeMatches(tx, { itemId: item!.id }), reference);
    reversalId = await mirrorEntry(tx, entry, reason);
    await tx.db
      .update(receivableItems)
      .set({ openCents: 0n, reversalEntryId: reversalId, version: sql`${receivableItems.version} + 1` })
      .where(eq(receivableItems.id, item!.id));
    balance = await moveBalance(tx, accountId, -item!.originalCents);
  } else if (entry.kind === "credit" && accountId !== null) {
    const [credit] = await tx.db.select().from(receivableCredits).where(eq(receivableCredits.entryId, entryId));
    gl = await subledgerAccounts(tx.db);
    resetId = await resetMatches(tx, accountId, gl, await activeMatches(tx, { creditId: credit!.id }), reference);
    reversalId = await mirrorEntry(tx, entry, reason);
    await tx.db
      .update(receivableCredits)
      .set({ openCents: 0n, reversalEntryId: reversalId, version: sql`${receivableCredits.version} + 1` })
      .where(eq(receivableCredits.id, credit!.id));
    balance = await moveBalance(tx, accountId, credit!.originalCents);
  } else if (entry.kind === "bill" && accountId !== null) {
    // A bill's entry opened several items (and credits where a category netted to one): all of them are unmatched,
    // zeroed and mirrored together.
    const items = await tx.db.select().from(receivableItems).where(eq(receivableItems.entryId, entryId));
    const credits = await tx.db.select().from(receivableCredits).where(eq(receivableCredits.entryId, entryId));
    gl = await subledgerAccounts(tx.db);
    const matches = [
      ...(await Promise.all(items.map((i) => activeMatches(tx, { itemId: i.id })))).flat(),
      ...(await Promise.all(credits.map((c) => activeMatches(tx, { creditId: c.id })))).flat(),
    ];
    const unique = [...new Map(matches.map((m) => [m.id, m])).values()].sort((a, b) => a.id - b.id);
    resetId = await resetMatches(tx, accountId, gl, unique, reference);
    reversalId = await mirrorEntry(tx, entry, reason);
    const bump = { openCents: 0n, reversalEntryId: reversalId };
    if (items.length)
      await tx.db
        .update(receivableItems)
        .set({ ...bump, version: sql`${receivableItems.version} + 1` })
        .where(eq(receivableItems.entryId, entryId));
    if (credits.length)
      await tx.db
        .update(receivableCredits)
        .set({ ...bump, version: sql`${receivableCredits.version} + 1` })
        .where(eq(receivableCredits.entryId, entryId));
    const net = items.reduce((t, i) => t + i.originalCents, 0n) - credits.reduce((t, c) => t + c.originalCents, 0n);
    balance = await moveBalance(tx, accountId, -net);
  } else {
    reversalId = await mirrorEntry(tx, entry, reason);
  }
  if (gl && accountId !== null) await clearAccount(tx, accountId, gl, reference);
  const result: ReversalPosted = {
    reversed_entry_id: entryId,
    reversal_entry_id: reversalId,
    reset_entry_id: resetId,
    balance_cents: balance,
  };
  await audit(tx, {
    action: "ledger.reverse",
    entityType: "journal_entry",
    entityId: entryId,
    accountId,
    after: { ...result, reason },
  });
  return result;
}
