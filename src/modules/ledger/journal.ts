import { asc, eq } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest } from "../../platform/errors.js";
import { requireAccount } from "../accounts/index.js";
import { generalAccounts } from "./chart.js";
import type { GeneralEntryInput } from "./inputs.js";
import { journalEntries, journalPostings } from "./schema.js";

/**
 * charge and credit open an item or a credit; a bill opens its items by category (and credits where a category
 * nets to a credit); clearing and reset match and unmatch them; general is GL-only.
 */
export type EntryKind = "charge" | "credit" | "bill" | "clearing" | "reset" | "reversal" | "general";

export interface EntryHeader {
  kind: EntryKind;
  accountId: number | null;
  reference: string;
  description: string;
  reversesEntryId?: number | null;
}

/** One line of an entry: debit positive, credit negative. */
export interface PostingLine {
  glAccount: string;
  amountCents: bigint;
  accountId?: number | null;
  itemId?: number | null;
  creditId?: number | null;
}

/** Refuses an entry that does not balance; the deferred trigger checks again at commit. */
export function assertBalanced(lines: readonly PostingLine[]): void {
  let total = 0n;
  for (const line of lines) {
    if (line.amountCents === 0n) throw new Error("a journal posting of zero cents");
    total += line.amountCents;
  }
  if (lines.length < 2 || total !== 0n) {
    throw new Error(`a journal entry must balance: ${lines.length} postings summing to ${total} cents`);
  }
}

/** Inserts an entry's header dated by the business clock (its lines follow with postLines). Returns its id. */
export async function beginEntry(tx: Ctx, header: EntryHeader): Promise<number> {
  const [row] = await tx.db
    .insert(journalEntries)
    .values({
      kind: header.kind,
      accountingDate: tx.clock.today().toString(),
      accountId: header.accountId,
      reference: header.reference,
      description: header.description,
      reversesEntryId: header.reversesEntryId ?? null,
      actorName: tx.actor.username,
      requestId: tx.requestId,
    })
    .returning({ id: journalEntries.id });
  return row!.id;
}

/** Inserts the lines of an entry, which must balance. */
export async function postLines(tx: Ctx, entryId: number, lines: readonly PostingLine[]): Promise<void> {
  assertBalanced(lines);
  await tx.db.insert(journalPostings).values(
    lines.map((l) => ({
      entryId,
      glAccount: l.glAccount,
      amountCents: l.amountCents,
      accountId: l.accountId ?? null,
      itemId: l.itemId ?? null,
      creditId: l.creditId ?? null,
    })),
  );
}

/** Posts the mirror of an entry (every line negated) as a reversal referring to it. Returns the reversal's id. */
export async function mirrorEntry(tx: Ctx, original: typeof journalEntries.$inferSelect, reason: string) {
  const lines = await tx.db
    .select()
    .from(journalPostings)
    .where(eq(journalPostings.entryId, original.id))
    .orderBy(asc(journalPostings.id));
  const reversalId = await beginEntry(tx, {
    kind: "reversal",
    accountId: original.accountId,
    reference: original.reference,
    description: reason,
    reversesEntryId: original.id,
  });
  await postLines(
    tx,
    reversalId,
    lines.map((l) => ({ ...l, amountCents: -l.amountCents })),
  );
  return reversalId;
}

/** A posting as the API shows it. */
export interface PostingView {
  gl_account: string;
  amount_cents: bigint;
  account_id: number | null;
}

/** Posts a GL-only entry (no receivable or unapplied account): a drawer deposited to the bank, a tax remittance. */
export async function postGeneralEntry(
  ctx: Ctx,
  input: GeneralEntryInput,
): Promise<{ entry_id: number; postings: PostingView[] }> {
  if (input.postings.length < 2) {
    throw badRequest("a journal entry needs at least two postings", [{ field: "postings", message: "too few" }]);
  }
  input.postings.forEach((p, i) => {
    if (p.amount_cents === 0n) {
      throw badRequest("a posting of zero", [{ field: `postings.${i}.amount_cents`, message: "must not be zero" }]);
    }
  });
  const total = input.postings.reduce((sum, p) => sum + p.amount_cents, 0n);
  if (total !== 0n) {
    throw badRequest(`the postings sum to ${total} cents, not zero`, [{ field: "postings", message: "unbalanced" }]);
  }
  return inTx(ctx, async (tx) => {
    await generalAccounts(
      tx.db,
      input.postings.map((p) => p.gl_account),
    );
    for (const [i, p] of input.postings.entries()) {
      if (p.account_id != null) await requireAccount(tx.db, p.account_id, `postings.${i}.account_id`);
    }
    const entryId = await beginEntry(tx, {
      kind: "general",
      accountId: null,
      reference: input.reference,
      description: input.description,
    });
    await postLines(
      tx,
      entryId,
      input.postings.map((p) => ({ glAccount: p.gl_account, amountCents: p.amount_cents, accountId: p.account_id })),
    );
    const postings = input.postings.map((p) => ({
      gl_account: p.gl_account,
      amount_cents: p.amount_cents,
      account_id: p.account_id ?? null,
    }));
    await audit(tx, {
      action: "ledger.general_entry",
      entityType: "journal_entry",
      entityId: entryId,
      after: { reference: input.reference, description: input.description, postings },
    });
    return { entry_id: entryId, postings };
  });
}
